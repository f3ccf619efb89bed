"""The wire contract and the device definition: the single source of every fact the model, the board
firmware and the host share. The lowest layer: it imports neither `firmware_model` nor `hil`.

- `protocol.spec`: the catalog and definition (TOML), the exact charge limit, the generated constants;
- `protocol.wire`: frames, payload codec, exactly-once delivery;
- `protocol.session`: keys, the handshake, the device's guard, the security record, the endpoint;
- `protocol.capture`: recorded sessions, their view, the conformance checker, pcapng export;
- `protocol.codegen`: the C header, Python constants, docs/protocol.md and the Wireshark dissector.
"""
