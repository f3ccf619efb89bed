"""`scs board --pty | --tcp PORT [--flash PATH]`: run the virtual dev board (the device model) in this
process. Its settings flash lives in a file, so ending and restarting the process is a power cycle."""

from __future__ import annotations

import argparse
from pathlib import Path

from firmware_model.device import Device, DeviceConfig
from hil.cli_types import clock_speed, device_id, tcp_port
from protocol.generated import INITIAL_SOC

DEFAULT_FLASH = Path("scs-runs") / "board" / "flash.bin"


def add_arguments(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--pty", action="store_true", help="serve on a new pseudo-terminal (default)")
    where.add_argument("--tcp", type=tcp_port, metavar="PORT", help="serve on 127.0.0.1:PORT (0 picks a free port)")
    p.add_argument("--speed", type=clock_speed, default=1.0,
                   help="device clock / wall clock, up to 1e6 (0: only CLOCK_ADVANCE)")
    p.add_argument("--trial", action="store_true", help="a trial stimulator (external battery)")
    p.add_argument("--soc", type=float, default=INITIAL_SOC, help="initial state of charge, 0 to 1")
    p.add_argument("--keys", help="key file with the device's role keys (default: the development keys)")
    p.add_argument("--device-id", type=device_id, help="which device of the key file (default: the first)")
    p.add_argument("--flash", default=str(DEFAULT_FLASH),
                   help=f"file holding the settings flash (default {DEFAULT_FLASH}; created erased if missing)")


def run(args: argparse.Namespace) -> int:
    from hil.board_sim import run_board
    from hil.errors import UsageError
    from hil.ports import default_keys

    if not 0 < args.soc <= 1:
        raise UsageError(f"--soc {args.soc} is not allowed: 0 < soc <= 1")
    keys = default_keys()
    if args.keys:
        from protocol.security import KeyStore

        store = KeyStore.load(args.keys)
        keys = store.keys(args.device_id) if args.device_id is not None else store.devices[0]
    from firmware_model.nvm import FileFlash

    flash_path = Path(args.flash)
    if flash_path.is_dir():
        raise UsageError(f"--flash {args.flash} is a directory: give a file (created erased if missing)")
    try:
        flash = FileFlash(flash_path)
    except OSError as e:
        raise UsageError(f"--flash {args.flash}: {e.strerror}") from None
    device = Device(DeviceConfig(keys=keys, trial=args.trial, initial_soc=args.soc), flash)
    return run_board(device, pty_mode=args.tcp is None, tcp_port=args.tcp, speed=args.speed, flash=flash_path)
