"""One role's session on a shared bridge: what the `clinician`, `patient` and `tester` fixtures are.

A device holds one session at a time on its link. Each `RoleSession` is pinned to one role and
checks, before every exchange, which role the bridge is logged in as; when another role (or a reset)
took the session, it logs in again first. So a test can take `clinician`, `patient` and `tester`
together and every call runs in its own role's session, in the order the test makes them, over one
link and one capture.

Everything else (``seq``, ``events``, ``host``, ``name``, ``catalog``, ``keys``...) is the bridge's.
"""

from __future__ import annotations

from typing import Any

from hil.link.bridge import Bridge, Reply
from protocol.spec.catalog import Role


class RoleError(ValueError):
    """A role fixture asked to log in as another role."""


class RoleSession:
    """``bridge`` used as ``role``: every exchange runs in that role's session (logging in again
    when another role has the link)."""

    def __init__(self, bridge: Bridge, role: Role):
        self.__dict__["bridge"] = bridge
        self.__dict__["role"] = role

    def __repr__(self) -> str:
        return f"<{self.role.name.lower()} session on {self.bridge.name}>"

    # --- the session -----------------------------------------------------------------------------
    def ensure_session(self) -> None:
        """Log in as this role unless the bridge already is."""
        if self.bridge.role != self.role:
            self.bridge.login(self.role)

    def login(self, role: Role | None = None, keys: Any = None) -> None:
        """Log in again as this fixture's role (a fresh handshake). Another role is refused: take
        that role's fixture too (each keeps its own session)."""
        if role is not None and role != self.role:
            raise RoleError(f"the {self.role.name.lower()} fixture logs in only as {self.role.name.lower()}; "
                            f"take the `{_fixture_name(role)}` fixture for a {role.name.lower()} session")
        self.bridge.login(self.role, keys)

    # --- exchanges, each in this role's session ------------------------------------------------
    def call(self, name: str, **fields: Any) -> Any:
        """``name`` in this role's session: the response, or `RequestRefused` on an error result."""
        self.ensure_session()
        return self.bridge.call(name, **fields)

    def request(self, obj: Any, policy: Any = None) -> Reply:
        """One request in this role's session; the `Reply` whatever its result."""
        self.ensure_session()
        return self.bridge.request(obj, policy)

    def device_info(self) -> Any:
        self.ensure_session()
        return self.bridge.device_info()

    def wait_event(self, timeout_s: float) -> Any | None:
        self.ensure_session()
        return self.bridge.wait_event(timeout_s)

    def exchange_raw(self, wire: bytes, seq: int, timeout_s: float | None = None) -> Any:
        self.ensure_session()
        return self.bridge.exchange_raw(wire, seq, timeout_s)

    def signer(self, seq: int | None = None):
        self.ensure_session()
        return self.bridge.signer(seq)

    def expect_event(self, kind: Any, code: Any = None, *, within_ticks: int | None = None,
                     timeout_s: float = 1.0) -> Any:
        """The next EVENT of ``kind`` (and ``code``), in this role's session; see `hil.link.expect`."""
        from hil.link.expect import expect_event

        return expect_event(self, kind, code, within_ticks=within_ticks, timeout_s=timeout_s)

    def wait_until(self, predicate: Any, timeout_s: float = 5.0, **kw: Any) -> Any:
        """Poll STATUS in this role's session until ``predicate(status)`` holds; see `hil.link.expect`."""
        from hil.link.expect import wait_until

        return wait_until(self, predicate, timeout_s, **kw)

    # --- the rest is the bridge's ------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        return getattr(self.bridge, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_expect_"):  # hil.link.expect keeps its history per session object
            self.__dict__[name] = value
        else:
            setattr(self.bridge, name, value)


def _fixture_name(role: Role) -> str:
    return "tester" if role is Role.TEST else role.name.lower()
