"""Before any test runs: open the target, read its keys, ask DEVICE_INFO and log in with the keys,
within a time budget.

Every failure becomes one `TargetUnavailable` naming the target and the cause (with a hint for the
usual mistakes), so `scs hil` and the pytest plugin stop at once with exit status 2 instead of
running every test into the same error. `lost_cause` tells, after a test failed on a link error,
whether the target itself is gone (then the run stops with one message).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from hil.targets.base import Target, TargetError, TargetInfo, error_text
from protocol.wire.reliability import RetryPolicy

PREFLIGHT_S = 10.0
#: an rfc2217 port slower than this to open and answer is waiting for modem-control acknowledgements
SLOW_S = 2.5
#: DEVICE_INFO during the pre-flight and the health check: 3 s for a silent device
PROBE_POLICY = RetryPolicy(timeout_s=1.0, attempts=3)


class TargetUnavailable(TargetError):
    """The target can't be used: one line naming it and the cause."""


def hint_for(spec: str, cause: str) -> str:
    """A hint for the usual mistakes, or ""."""
    slow = any(w in cause.lower() for w in ("timeout", "timed out", "no response", "no answer"))
    if spec.startswith("rfc2217://") and "ign_set_control" not in spec and slow:
        return (" (hint: a port exported from a pty or a board without modem lines, e.g. by ser2net, never "
                "acknowledges modem control: add ?ign_set_control to the URL)")
    if "/dev/tty" in spec and ("Permission" in cause or "denied" in cause):
        return " (hint: add yourself to the dialout group)"
    return ""


def load_keys(key_file: str | Path | None, device_id: int | None = None):
    """Role keys from ``key_file`` (None: the development keys of simulated targets)."""
    if not key_file:
        return None
    if Path(key_file).is_dir():
        raise TargetUnavailable(f"key file {key_file}: is a folder; give a key file (create one with `scs keys new`)")
    from protocol.session import KeyFileError, KeyStore

    try:
        store = KeyStore.load(key_file)
        return store.keys(device_id) if device_id is not None else store.devices[0]
    except (KeyFileError, OSError, ValueError) as e:
        text = str(e)
        raise TargetUnavailable(text if str(key_file) in text else f"key file {key_file}: {text}") from None


def probe(target: Target, policy: RetryPolicy = PROBE_POLICY) -> TargetInfo:
    """DEVICE_INFO through a fresh bridge; the target as it describes itself."""
    bridge = target.bridge()
    saved, bridge.policy = bridge.policy, policy
    try:
        return target.describe(bridge)
    finally:
        bridge.policy = saved
        bridge.close()


def check_keys(target: Target, info: TargetInfo, key_file: str | Path | None, keys_option: str = "--keys") -> None:
    """A handshake with the keys the target holds (clinician, and the test role when the keys and
    the device have it); `TargetUnavailable` naming the key file, device id, role and what to pass."""
    from protocol.session import HandshakeError
    from protocol.spec.catalog import Role
    from protocol.spec.generated import Capability

    roles = [Role.CLINICIAN]
    if target.keys is not None and target.keys.test is not None and info.has(int(Capability.TEST_BUILD)):
        roles.append(Role.TEST)
    bridge = target.bridge()
    try:
        for role in roles:
            try:
                bridge.login(role)
            except HandshakeError as e:
                where = f"key file {key_file}" if key_file else "the development keys (no key file given)"
                raise TargetUnavailable(
                    f"target {info.name}: the {role.name.lower()} handshake failed with {where} for device "
                    f"0x{info.device_id:012x} ({e}); pass the device's own key file: {keys_option} FILE") from None
    finally:
        bridge.close()


def connect(spec: str, key_file: str | Path | None = None, budget_s: float = PREFLIGHT_S,
            device_id: int | None = None, keys_option: str = "--keys") -> tuple[Target, TargetInfo]:
    """Open ``spec``, check it answers DEVICE_INFO and accepts a handshake with the keys
    (``keys_option`` is how the caller's user passes a key file); `TargetUnavailable` (one line)
    otherwise.

    The target is made in the calling thread (a QEMU or board process dies with the thread that
    started it); the DEVICE_INFO probe runs in a helper thread so that a port that hangs still fails
    within ``budget_s`` (counted from the end of any firmware build)."""
    from hil.targets import make_target

    keys = load_keys(key_file, device_id)
    try:
        target = make_target(spec, keys=keys) if keys is not None else make_target(spec)
    except KeyboardInterrupt:
        raise
    except Exception as e:  # noqa: BLE001 (unknown spec, missing tool, failed build or boot: one line)
        cause = error_text(e)
        raise TargetUnavailable(f"target {spec}: {cause}{hint_for(spec, cause)}") from None
    done: dict = {}

    def attempt() -> None:
        try:
            info = probe(target)
            check_keys(target, info, key_file, keys_option)
            done["ok"] = info
        except BaseException as e:  # noqa: BLE001 (reported below, in the caller's thread)
            done["error"] = e

    worker = threading.Thread(target=attempt, name=f"scs-preflight-{spec}", daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(budget_s)
    took = time.monotonic() - started
    if "ok" in done and took > SLOW_S and hint_for(spec, "timeout"):
        target.close()  # every test would wait as long again: minutes in all
        raise TargetUnavailable(f"target {spec}: answered only after {took:.1f} s{hint_for(spec, 'timeout')}")
    if "ok" in done:
        return target, done["ok"]
    target.close()
    if worker.is_alive():
        raise TargetUnavailable(f"target {spec}: no answer within {budget_s:g} s{hint_for(spec, 'no answer')}")
    failure = done["error"]
    if isinstance(failure, KeyboardInterrupt | TargetUnavailable):
        raise failure
    cause = error_text(failure)
    raise TargetUnavailable(f"target {spec}: {cause}{hint_for(spec, cause)}") from None


def lost_cause(target: Target) -> str | None:
    """None when the target still answers DEVICE_INFO; else why it is gone."""
    gone = target.gone()
    if gone:
        return gone
    try:
        probe(target)
    except Exception as e:  # noqa: BLE001 (whatever the failure, the target does not answer)
        return error_text(e)
    return None
