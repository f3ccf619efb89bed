"""Helpers shared by the conformance tests (the fixtures come from the `hil.pytest_plugin`)."""
