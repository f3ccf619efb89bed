"""The conformance suite: the same tests against every target (``scs hil`` runs it)."""
