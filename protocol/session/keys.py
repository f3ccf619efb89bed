"""Role keys: one 32-byte key per role and device, kept in a key file the host loads (`KeyStore`);
nothing secret is in the code."""


from __future__ import annotations

import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from protocol.session.crypto import KEY_BYTES, nonce_key
from protocol.spec.catalog import Role

KEYED_ROLES = (Role.PATIENT, Role.CLINICIAN, Role.TEST)


class KeyFileError(ValueError):
    pass


@dataclass(frozen=True)
class DeviceKeys:
    """The role keys of one device; ``test`` is None on a production device (no test role)."""

    device_id: int
    patient: bytes
    clinician: bytes
    test: bytes | None = None

    def __post_init__(self) -> None:
        keys = [k for k in (self.patient, self.clinician, self.test) if k is not None]
        if any(len(k) != KEY_BYTES for k in keys):
            raise ValueError(f"role keys must be {KEY_BYTES} bytes")
        if len(set(keys)) != len(keys):
            raise ValueError("the role keys of a device must differ")

    def for_role(self, role: Role) -> bytes:
        key = {Role.PATIENT: self.patient, Role.CLINICIAN: self.clinician, Role.TEST: self.test}.get(role)
        if key is None:
            raise ValueError(f"role {role!r} has no key on device 0x{self.device_id:012x}")
        return key

    def has_role(self, role: int) -> bool:
        return role in (Role.PATIENT, Role.CLINICIAN) or (role == Role.TEST and self.test is not None)

    @property
    def nonce_key(self) -> bytes:
        return nonce_key(self.patient, self.clinician, self.device_id)


@dataclass(frozen=True)
class KeyStore:
    """Role keys of the devices a host may talk to, loaded from a TOML key file::

        [[device]]
        device_id = 0x5C5000000001
        patient_key = "<64 hex digits>"
        clinician_key = "<64 hex digits>"
        test_key = "<64 hex digits>"      # development devices only
    """

    devices: tuple[DeviceKeys, ...]

    def keys(self, device_id: int) -> DeviceKeys:
        for d in self.devices:
            if d.device_id == device_id:
                return d
        raise KeyFileError(f"no keys for device 0x{device_id:012x} in the key file")

    @classmethod
    def load(cls, path: str | Path) -> KeyStore:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyFileError(f"{p}: no such key file (create one with `scs keys new`)") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise KeyFileError(f"{p}: unreadable key file: {e}") from None
        return cls.from_dict(data, str(p))

    @classmethod
    def from_dict(cls, data: dict, source: str = "<keys>") -> KeyStore:
        devices: list[DeviceKeys] = []
        for i, d in enumerate(data.get("device", [])):
            where = f"{source}: device[{i}]"
            dev = _parse_device(d, where)
            if any(seen.device_id == dev.device_id for seen in devices):
                raise KeyFileError(f"{where}: device_id {dev.device_id} is listed twice: each device once")
            devices.append(dev)
        if not devices:
            raise KeyFileError(f"{source}: no [[device]] entries")
        return cls(tuple(devices))


def _parse_device(d: dict, where: str) -> DeviceKeys:
    """One ``[[device]]`` entry of a key file; ``where`` (file and entry) prefixes every error."""
    try:
        dev_id = d["device_id"]
        keys = [bytes.fromhex(d[f"{r}_key"]) for r in ("patient", "clinician")]
        test = bytes.fromhex(d["test_key"]) if "test_key" in d else None
    except KeyError as e:
        raise KeyFileError(f"{where}: missing {e.args[0]}") from None
    except (ValueError, TypeError):
        raise KeyFileError(f"{where}: keys must be hex strings") from None
    if not isinstance(dev_id, int) or not 0 <= dev_id < 1 << 64:
        raise KeyFileError(f"{where}: device_id must be an integer 0 to 2^64-1")
    role_keys = keys + ([test] if test is not None else [])
    if any(len(k) != KEY_BYTES for k in role_keys):
        raise KeyFileError(f"{where}: keys must be {KEY_BYTES} bytes ({2 * KEY_BYTES} hex digits)")
    if len(set(role_keys)) != len(role_keys):
        raise KeyFileError(f"{where}: the role keys (patient, clinician, test) must differ")
    return DeviceKeys(dev_id, keys[0], keys[1], test)


def new_key_file(device_ids: list[int], test_role: bool = False) -> str:
    """Text of a key file with fresh random keys for each device (from the OS CSPRNG); with
    ``test_role`` also a test key (development devices only)."""
    lines = ["# scs-hil role keys. Keep secret; one file per device fleet.", ""]
    for dev in device_ids:
        lines += ["[[device]]", f"device_id = 0x{dev:012x}",
                  f'patient_key = "{secrets.token_hex(KEY_BYTES)}"',
                  f'clinician_key = "{secrets.token_hex(KEY_BYTES)}"']
        if test_role:
            lines.append(f'test_key = "{secrets.token_hex(KEY_BYTES)}"')
        lines.append("")
    return "\n".join(lines)


def key_file_text(keys: DeviceKeys) -> str:
    lines = ["[[device]]", f"device_id = 0x{keys.device_id:012x}", f'patient_key = "{keys.patient.hex()}"',
             f'clinician_key = "{keys.clinician.hex()}"']
    if keys.test is not None:
        lines.append(f'test_key = "{keys.test.hex()}"')
    return "\n".join(lines) + "\n"


