"""Helpers shared by the conformance tests (the fixtures come from the `hil.harness.plugin`)."""
