"""The ``scs`` sub-commands: one module per job, each with ``add_parser`` and ``run``."""
