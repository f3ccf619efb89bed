"""The golden model of the implantable pulse generator, on a virtual clock of integer ticks. It imports
`protocol` (the shared facts) and never `hil`: no bytes on ports, no processes, no wall clock.

- `firmware_model.clock`: ticks, periods, days;
- `firmware_model.stimulation`: programs, safety limits, interleaving, the pulse scheduler;
- `firmware_model.battery`: the cell, charger, thermal model, ageing, simulation and projection;
- `firmware_model.device`: the device state machine behind the protocol;
- `firmware_model.scenario`: scenario files.
"""
