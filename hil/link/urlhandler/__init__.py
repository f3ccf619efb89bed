"""pyserial URL handlers of this project (``serial.protocol_handler_packages``).

`hil.link.model_port.register()` adds this package, after which ``serial.serial_for_url("scsmodel://")`` opens
an in-process device model, exactly as ``loop://`` or ``socket://`` open theirs.
"""
