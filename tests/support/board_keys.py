"""The published test keys as a key file, for tests that start `scs board` themselves (without
`--keys` it makes fresh keys for the run, which a test's bridge would not know)."""

from __future__ import annotations

from pathlib import Path

from hil.link.model_port import default_keys
from protocol.session import key_file_text


def published_key_file(folder: Path) -> Path:
    path = folder / "test-keys.toml"
    path.write_text(key_file_text(default_keys()))
    return path
