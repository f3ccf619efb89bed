"""`scs board --pty | --tcp PORT [--flash PATH] [--keys FILE]`: run the virtual dev board (the device
model) in this process. Its settings flash lives in a file and its security record (nonce epoch,
back-off) in a sibling file, so ending and restarting the process is a power cycle. Without --keys
the board makes fresh keys for the run and prints where they are (never well-known keys)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

from firmware_model.device.device import Device, DeviceConfig
from hil.cli.types import clock_speed, device_id, tcp_port
from protocol.spec.generated import INITIAL_SOC

DEFAULT_FLASH = Path("scs-runs") / "board" / "flash.bin"


def add_arguments(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--pty", action="store_true", help="serve on a new pseudo-terminal (default)")
    where.add_argument("--tcp", type=tcp_port, metavar="PORT", help="serve on 127.0.0.1:PORT (0 picks a free port)")
    p.add_argument("--speed", type=clock_speed, default=1.0,
                   help="device clock / wall clock, up to 1e6 (0: only CLOCK_ADVANCE)")
    p.add_argument("--trial", action="store_true", help="a trial stimulator (external battery)")
    p.add_argument("--soc", type=float, default=INITIAL_SOC, help="initial state of charge, 0 to 1")
    p.add_argument("--keys", help="key file with the device's role keys (default: fresh keys for this run, "
                                  "written to a new file whose path is printed)")
    p.add_argument("--device-id", type=device_id, help="which device of the key file (default: the first)")
    p.add_argument("--flash", default=str(DEFAULT_FLASH),
                   help=f"file holding the settings flash (default {DEFAULT_FLASH}; created erased if missing)")
    p.add_argument("--security-record", metavar="PATH",
                   help="file keeping the security record (nonce epoch, back-off) across restarts "
                        "(default: the flash file's name with .security)")
    p.add_argument("--deterministic-nonces", action="store_true",
                   help="tests only: mix no OS entropy into nonces (DEVICE_INFO then lacks 'entropy source'); "
                        "the board then opens sessions only with a valid security record")
    p.add_argument("--production", action="store_true",
                   help="a production device: no test role, test requests refused with NOT_PERMITTED")


def run(args: argparse.Namespace) -> int:
    from firmware_model.device.nvm import FileFlash
    from hil.cli.errors import UsageError
    from hil.sim.board import run_board
    from hil.sim.state import FileSlots

    if not 0 < args.soc <= 1:
        raise UsageError(f"--soc {args.soc} is not allowed: 0 < soc <= 1")
    keys, key_path, fresh = _keys(args)
    flash_path = Path(args.flash)
    if flash_path.is_dir():
        raise UsageError(f"--flash {args.flash} is a directory: give a file (created erased if missing)")
    try:
        flash = FileFlash(flash_path)
    except OSError as e:
        raise UsageError(f"--flash {args.flash}: {e.strerror}") from None
    record = Path(args.security_record) if args.security_record else flash_path.with_suffix(".security")
    try:
        slots = FileSlots(record)
    except (OSError, ValueError) as e:
        raise UsageError(f"--security-record {record}: {e}") from None
    if fresh:
        print(f"scs board: fresh keys for this run in {key_path}", flush=True)
    elif keys.test is None and not args.production:
        print(f"scs board: warning: {key_path} has no test_key for device 0x{keys.device_id:X}: this board has no "
              "test role (HELLO for role 3 gets CHALLENGE(NOT_PERMITTED)); add a test_key for a development board",
              file=sys.stderr, flush=True)
    device = Device(DeviceConfig(keys=keys, trial=args.trial, initial_soc=args.soc, test_build=not args.production,
                                 development_keys=fresh, entropy=None if args.deterministic_nonces else os.urandom),
                    flash, security_flash=slots)
    return run_board(device, pty_mode=args.tcp is None, tcp_port=args.tcp, speed=args.speed, flash=flash_path)


def _keys(args: argparse.Namespace):
    """(keys, key file, made fresh for this run)."""
    from hil.cli.errors import UsageError
    from protocol.session import DeviceKeys, KeyFileError, KeyStore, key_file_text

    if args.keys:
        try:
            store = KeyStore.load(args.keys)
            keys = store.keys(args.device_id) if args.device_id is not None else store.devices[0]
        except KeyFileError as e:
            raise UsageError(str(e)) from None
        return keys, Path(args.keys), False
    folder = Path(tempfile.mkdtemp(prefix="scs-board-keys-"))
    keys = DeviceKeys(args.device_id if args.device_id is not None else 0x5C5000000001,
                      *(secrets.token_bytes(32) for _ in range(3)))
    path = folder / "keys.toml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("# fresh role keys of one `scs board` run\n" + key_file_text(keys))
    return keys, path, True
