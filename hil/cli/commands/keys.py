"""`scs keys new --device-id ID [--test-role] [--out FILE]`: a key file with fresh role keys."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hil.cli.types import device_id
from protocol.session import new_key_file


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    new = sub.add_parser("new", help="write a key file with random patient and clinician keys")
    new.add_argument("--device-id", action="append", required=True, type=device_id,
                     help="device id (repeat for several devices)")
    new.add_argument("--out", help="file to create (mode 0600); default: standard output")
    new.add_argument("--test-role", action="store_true",
                     help="also a test key (development devices and test benches only)")


def run(args: argparse.Namespace) -> int:
    from hil.cli.errors import UsageError

    repeated = sorted({d for d in args.device_id if args.device_id.count(d) > 1})
    if repeated:
        raise UsageError(f"--device-id {', '.join(f'0x{d:x}' for d in repeated)} given twice: each device once")
    text = new_key_file(args.device_id, test_role=args.test_role)
    if not args.out:
        sys.stdout.write(text)
        return 0
    path = Path(args.out)
    if path.exists():
        raise UsageError(f"{path} exists: refusing to overwrite keys")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    print(f"wrote {path}")
    return 0
