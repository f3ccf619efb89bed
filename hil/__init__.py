"""Hardware in the loop: everything with I/O, processes and users, above `protocol` and `firmware_model`.

- `hil.link`: the bridge, expect, a fault-injecting link, the in-process model port;
- `hil.targets`: what a test runs against, in a registry (entry-point group ``scs_hil.targets``);
- `hil.sim`: the virtual dev board;
- `hil.board`: the board firmware (C) and its Python side;
- `hil.harness`: the pytest plugin and the conformance suite;
- `hil.cli`: the ``scs`` command;
- `hil.analysis`: logic-analyzer captures and waveforms.
"""
