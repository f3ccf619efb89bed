"""The pytest harness: the plugin (targets, fixtures, captures, JUnit) and the pre-flight check; the
conformance suite is `hil.harness.conformance` (`pytest --pyargs hil.harness.conformance`)."""

from __future__ import annotations

from hil.harness.preflight import TargetUnavailable, probe

__all__ = ["TargetUnavailable", "probe"]
