"""Requirements derived from the device definition, generated, never copied by hand.

``python -m hil.evidence.requirements`` writes docs/requirements/generated.sdoc (strictdoc's SDoc) from
protocol/spec/device.toml and messages.toml: one requirement per result code and per fault code, the
roles' requests, the limits DEVICE_INFO reports, the charge limit, the impedance window, the
collision bound, the session constants, the MRI and test-only request sets, the battery states and
the recharge supervision. ``--check`` exits 1 when the file on disk is stale (a test runs it too).
IDs are stable: ``SRS-GEN-<TOPIC>[-<NAME>]`` from the definition's own names.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from protocol.spec.catalog import Catalog, Role, load_catalog
from protocol.spec.definition import Definition, load_definition

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "docs" / "requirements" / "generated.sdoc"
SOURCES = "protocol/spec/device.toml and protocol/spec/messages.toml"


def node(uid: str, title: str, statement: str, rationale: str = "") -> str:
    out = f"[REQUIREMENT]\nUID: {uid}\nSTATUS: Active\nTITLE: {title}\nSTATEMENT: >>>\n{statement.strip()}\n<<<\n"
    if rationale:
        out += f"RATIONALE: >>>\n{rationale.strip()}\n<<<\n"
    return out


def section(title: str, nodes: list[str]) -> str:
    return f"[[SECTION]]\nTITLE: {title}\n\n" + "\n".join(nodes) + "\n[[/SECTION]]\n"


def _results(cat: Catalog) -> list[str]:
    return [node(f"SRS-GEN-RESULT-{r.name}", f"Result {r.name} (code {r.code})",
                 f"The device answers with result {r.name} (code {r.code}) exactly when: {r.doc}.",
                 "Result codes are catalogued once (messages.toml) so the host, the model and the board agree.")
            for r in cat.results]


def _roles(cat: Catalog) -> list[str]:
    out = []
    for role in Role:
        names = ", ".join(m.name for m in cat.requests if m.role is role)
        who = "before any session" if role is Role.NONE else f"in a {role.name.lower()} session (or a higher role's)"
        out.append(node(f"SRS-GEN-ROLE-{role.name}", f"Requests of role {role.name.lower()}",
                        f"The device accepts these requests {who}: {names}. Any other role gets NOT_PERMITTED; "
                        "without a session, NOT_AUTHENTICATED."))
    return out


def _limits(defn: Definition) -> list[str]:
    lim = defn.limits
    return [
        node("SRS-GEN-LIMITS", "Limits reported by DEVICE_INFO",
             f"DEVICE_INFO reports {lim['contact_count']} contacts, at most {lim['max_areas']} areas per program, "
             f"{lim['max_programs']} programs, amplitudes up to {lim['max_amplitude_ua']} uA in steps of "
             f"{lim['amplitude_step_ua']} uA and a tick of {lim['tick_ns']} ns."),
        node("SRS-GEN-CHARGE-LIMIT", "Charge per phase per cathode",
             f"No pulse delivers more than {defn.max_cathode_charge_pc} pC per phase on one cathode: the Shannon "
             f"criterion log10(D) + log10(Q) <= {lim['shannon_k']} and {lim['charge_density_limit_uc_cm2']} uC/cm2 at "
             f"a contact area of {lim['contact_area_mm2']} mm2. Programming beyond it is refused with UNSAFE.",
             "Shannon's threshold for possible tissue damage (DESIGN.md section 4)."),
        node("SRS-GEN-IMPEDANCE-WINDOW", "Contact impedance window",
             f"A contact below {lim['impedance_short_ohm']} ohm is faulted IMPEDANCE_SHORT, above "
             f"{lim['impedance_open_ohm']} ohm IMPEDANCE_OPEN; impedance is checked every "
             f"{lim['impedance_check_ticks']} ticks."),
        node("SRS-GEN-DISPLACEMENT-BOUND", "Collision displacement bound",
             f"No pulse starts more than {lim['max_displacement_ticks']} ticks after its nominal start because of "
             "other areas; a program that can't be interleaved within this bound is refused when programmed."),
        node("SRS-GEN-COMPLIANCE", "Compliance voltage",
             f"The output never exceeds {lim['compliance_mv']} mV; beyond it the delivered current is V/Z and the "
             "status reports out of compliance."),
    ]


def _faults(defn: Definition) -> list[str]:
    return [node(f"SRS-GEN-FAULT-{m.name}", f"Fault {m.name} (code {m.value})",
                 f"Fault code {m.value} ({m.name}): {m.doc}. It sets bit {m.value} of STATUS.fault_flags and "
                 "raises a FAULT event.") for m in defn.enum("FaultCode").members]


def _sessions(defn: Definition) -> list[str]:
    sec, tick_ns = defn.security, defn.limits["tick_ns"]
    return [
        node("SRS-GEN-BACKOFF", "Handshake back-off",
             f"After n failed proofs in a row for a role, HELLO for that role is answered BUSY for "
             f"{sec['backoff_base_ticks']} << (n - 1) ticks, at most {sec['backoff_max_ticks']} ticks "
             f"({sec['backoff_max_ticks'] * tick_ns // 1_000_000} ms); the remaining time survives resets."),
        node("SRS-GEN-EXACTLY-ONCE-CACHE", "Exactly-once response cache",
             f"The responses of the last {sec['cache_entries']} state-changing requests are kept: a retransmission "
             "with the same sequence number gets the cached response and is not executed again."),
        node("SRS-GEN-MRI-ALLOWED", "Requests accepted in MRI mode",
             f"In MRI mode the device accepts only {', '.join(sorted(defn.mri_allowed))}, and "
             f"{', '.join(sorted(defn.mri_stop_only))} only to turn stimulation off; every other request gets "
             "WRONG_STATE."),
        node("SRS-GEN-TEST-ONLY", "Requests of test benches only",
             f"{', '.join(sorted(defn.test_only))} exist only in test builds and only for the test role; a "
             "production build refuses them with NOT_PERMITTED."),
    ]


def _battery(defn: Definition) -> list[str]:
    g = defn.fuel_gauge
    return [
        node("SRS-GEN-BATTERY-STATES", "Battery states by state of charge",
             f"A rechargeable cell reports FULL at or above {g['full_soc']:.0%} state of charge, RECHARGE_SOON below "
             f"{g['soon_soc']:.0%}, RECHARGE_NOW below {g['now_soc']:.0%} and CUTOFF (stimulation stopped) below "
             f"{g['cutoff_soc']:.0%}; stimulation resumes once charged to {g['resume_soc']:.0%}. A primary cell "
             f"reports ERI below {g['eri_soc']:.0%} and EOS below {g['eos_soc']:.0%}."),
        node("SRS-GEN-RECHARGE-SUPERVISION", "Recharge supervision",
             f"Charging runs constant current ({g['cc_current_a'] * 1000:g} mA) to {g['v_limit']} V, then constant "
             f"voltage until the current falls below C/{g['end_current_c_divisor']}; it pauses at {g['v_pause']} V "
             f"or {g['hard_limit_c']} degC and resumes below {g['v_resume']} V and {g['resume_c']} degC; the steady "
             f"rise above {g['body_c']} degC is throttled to {g['rise_limit_c']} degC."),
    ]


def render(cat: Catalog, defn: Definition) -> str:
    parts = [
        section("Result codes", _results(cat)), section("Roles", _roles(cat)),
        section("Limits", _limits(defn)), section("Faults", _faults(defn)),
        section("Sessions and modes", _sessions(defn)), section("Battery and recharge", _battery(defn))]
    head = ("[DOCUMENT]\nTITLE: Requirements generated from the device definition\n\n"
            "[TEXT]\nSTATEMENT: >>>\n"
            f"Generated from {SOURCES} by python -m hil.evidence.requirements. Do not edit:\n"
            "change the definition and regenerate (a test fails when this file is stale).\n<<<\n\n")
    return head + "\n".join(parts)


def generated_text() -> str:
    return render(load_catalog(), load_definition())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hil.evidence.requirements", description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the generated file is stale, write nothing")
    ap.add_argument("--out", type=Path, default=GENERATED)
    args = ap.parse_args(argv)
    text = generated_text()
    if args.check:
        if not args.out.is_file() or args.out.read_text(encoding="utf-8") != text:
            print(f"{args.out}: stale; run python -m hil.evidence.requirements", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
