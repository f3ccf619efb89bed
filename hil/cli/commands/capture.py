"""`scs capture show CAPTURE` / `scs capture export --pcapng OUT CAPTURE`: read a recorded session.

``show`` prints every frame decoded (time, direction, message, fields, tag verdict, violations inline);
``export --pcapng`` writes a pcapng that Wireshark/tshark decode with the dissector generated from the
catalog (``protocol/wireshark/scs.lua``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hil.cli.errors import UsageError
from hil.cli.types import device_id


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="capture_command", required=True, metavar="ACTION")
    show = sub.add_parser("show", help="print every frame decoded")
    show.add_argument("capture", help="capture file (JSON lines, see protocol/capture/format.py)")
    add_key_arguments(show)
    show.add_argument("--deadline-ms", type=int, default=250, help="response deadline for the inline violations")
    export = sub.add_parser("export", help="write the capture as pcapng for Wireshark/tshark")
    export.add_argument("capture", help="capture file")
    export.add_argument("--pcapng", metavar="OUT", required=True, help="pcapng file to write (must not exist)")
    export.add_argument("--force", action="store_true", help="overwrite OUT")


def add_key_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--keys", help="key file: also verify handshake proofs and frame tags")
    p.add_argument("--device-id", type=device_id, help="device id in the key file (default: the first)")


def load_keys(args: argparse.Namespace):
    if not args.keys:
        return None
    from protocol.session import KeyStore

    store = KeyStore.load(args.keys)
    return store.keys(args.device_id) if args.device_id is not None else store.devices[0]


def dissector_path() -> Path:
    import protocol

    return Path(protocol.__file__).resolve().parent / "wireshark" / "scs.lua"


def run(args: argparse.Namespace) -> int:
    from protocol.capture.format import read_capture

    if args.capture_command == "export":
        out = Path(args.pcapng)
        if out.exists() and Path(args.capture).exists() and out.samefile(args.capture):
            raise UsageError(f"--pcapng {out} is the capture being exported: refusing to overwrite it (even with --force)")
        if out.exists() and not args.force:
            raise UsageError(f"{out} exists: refusing to overwrite (use --force)")
        if not out.parent.is_dir():
            raise UsageError(f"{out.parent} is not a directory: cannot write {out.name} there")
        header, chunks = read_capture(args.capture)
        from protocol.capture.pcapng import export_pcapng

        notes: list[str] = []
        n = export_pcapng(out, header, chunks, notes)
        for note in notes:
            print(f"note: {note}")
        print(f"wrote {out}: {n} frames\nopen with: wireshark -X lua_script:{dissector_path()} {out}")
        return 0
    header, chunks = read_capture(args.capture)
    keys = load_keys(args)
    from protocol.capture.view import decode_capture, render

    print(render(chunks, header, keys, args.deadline_ms))
    return 1 if decode_capture(chunks, keys, args.deadline_ms).violations else 0
