"""Scenario files: a stimulation scenario (`scs simulate`) and a battery scenario (`scs battery`)."""

from __future__ import annotations

from firmware_model.scenario.stimulation import Scenario, ScenarioError, load_scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario"]
