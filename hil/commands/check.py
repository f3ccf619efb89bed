"""`scs check CAPTURE`: protocol conformance of a recorded session.

Exit status: 0 clean, 1 violations found, 2 unreadable capture or key file.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from protocol.capture import read_capture
from protocol.catalog import load_catalog
from protocol.checker import Checker
from protocol.security import KeyStore


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("capture", help="capture file (JSON lines, see protocol/capture.py)")
    p.add_argument("--deadline-ms", type=int, default=250, help="response deadline (default 250 ms)")
    p.add_argument("--keys", help="key file: also verify handshake proofs and frame tags")
    p.add_argument("--device-id", type=lambda s: int(s, 0), help="device id in the key file (default: the first)")


def run(args: argparse.Namespace) -> int:
    header, chunks = read_capture(args.capture)
    keys = None
    if args.keys:
        store = KeyStore.load(args.keys)
        keys = store.keys(args.device_id) if args.device_id is not None else store.devices[0]
    checker = Checker(load_catalog(), args.deadline_ms, keys)
    violations = checker.check(chunks)
    out = Console(width=max(Console().width, 120))
    target = header.get("target") or "unknown target"
    if not violations:
        out.print(f"{args.capture}: {checker.frames} frames from {target}, no violations")
        return 0
    table = Table(title=f"{args.capture}: {len(violations)} violations in {checker.frames} frames ({target})")
    for col in ("#", "kind", "where", "what"):
        table.add_column(col)
    for i, v in enumerate(violations, 1):
        table.add_row(str(i), v.kind, str(v.position), v.message)
    out.print(table)
    return 1
