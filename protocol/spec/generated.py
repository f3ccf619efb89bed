"""GENERATED from protocol/spec/device.toml and protocol/spec/messages.toml by `python -m protocol.codegen`.

Do not edit: change the definition and regenerate (a test fails when this file is stale).
"""

from __future__ import annotations

import enum


class EventKind(enum.IntEnum):
    """Kind of an EVENT / EVENT_LOG_ENTRY."""

    FAULT = 0  # code: FaultCode; detail: fault specific (impedance: contact mask)
    BATTERY = 1  # code: BatteryState entered
    SECURITY = 2  # code: the result refused (or a summary code, below); detail: see Event log codes
    RESET = 3  # code: ResetCode
    MODE = 4  # code: ModeCode
    RECHARGE = 5  # code: RechargeState entered
    TIMING = 6  # code: TimingCode; detail: late pulses since power-on
    BOOT = 7  # code: ResetCause of this boot (RCC_CSR on a chip); detail: the fault record's PC, 0 when none


class ResetCause(enum.IntEnum):
    """Why the processor last reset (RCC_CSR on a board; in QEMU a retained word written by whoever launches the emulator)."""

    UNKNOWN = 0  # no flag set (or the model's first power-on)
    POWER_ON = 1  # power applied (PORRSTF)
    PIN = 2  # the NRST pin (PINRSTF alone): a reset button, a debugger, QEMU's system_reset
    WATCHDOG = 3  # the independent or window watchdog expired (IWDGRSTF, WWDGRSTF)
    SOFTWARE = 4  # SYSRESETREQ (SFTRSTF): the firmware reset itself, e.g. after saving a fault record
    BROWN_OUT = 5  # the supply fell below the BOR level (BORRSTF without PORRSTF)
    LOCKUP = 6  # a fault inside the fault handler: the core locked up until the watchdog reset it (a fault record started but not finished)


class FaultKind(enum.IntEnum):
    """FAULT_INJECT.kind (test builds only)."""

    HARD_FAULT = 0  # the firmware executes an undefined instruction: HardFault
    HANG = 1  # the main loop spins without kicking the watchdog: a watchdog reset
    STACK_OVERFLOW = 2  # unbounded recursion into the stack's MPU guard region: HardFault (MemManage escalated)
    BROWN_OUT = 3  # a brown-out reset as the BOR would do it: outputs safe, reset cause BROWN_OUT


class TimingCode(enum.IntEnum):
    """Codes of TIMING events (hardware-timed output)."""

    LATE_PULSES = 1  # a pulse edge fired after its due tick (at most one event a second)


class FaultCode(enum.IntEnum):
    """Fault codes; bit n of STATUS.fault_flags is code n."""

    IMPEDANCE_OPEN = 1  # a contact above the open-circuit impedance
    IMPEDANCE_SHORT = 2  # a contact below the short-circuit impedance
    WATCHDOG = 3  # the pulse scheduler stalled; stimulation stopped
    BATTERY_CUTOFF = 4  # the cell reached its cut-off charge; stimulation stopped
    OVER_TEMPERATURE = 5  # recharge paused: the implant is too warm
    NVM_CORRUPT = 6  # no valid settings image: safe defaults loaded


class ModeCode(enum.IntEnum):
    """Codes of MODE events."""

    STIM_ON = 1  # detail: program
    STIM_OFF = 2  # detail: the fault that stopped it, or 0
    MRI_ENTER = 3
    MRI_EXIT = 4
    PROGRAM_SELECTED = 5  # detail: program
    PROGRAM_STORED = 6  # detail: program
    POSTURE_APPLIED = 7  # detail: Posture
    AREA_STOPPED = 8  # detail: area on a faulted contact
    FAULT_CLEARED = 9  # detail: FaultCode


class ResetCode(enum.IntEnum):
    """Codes of RESET events."""

    SOFT = 0
    POWER_LOSS = 1
    DEFAULTS_LOADED = 2  # no valid settings image
    SLOT_FALLBACK = 3  # the newest slot was invalid; detail: the slot used
    FACTORY = 4


class ResetKind(enum.IntEnum):
    """RESET.kind: what the host asks for."""

    SOFT = 0
    POWER_LOSS = 1  # simulated power loss
    FACTORY = 2  # settings erased, simulated inputs cleared; the handshake back-off and failure count survive


class Posture(enum.IntEnum):
    """Sensed posture (AdaptiveStim)."""

    UPRIGHT = 0
    LYING_BACK = 1
    LYING_FRONT = 2
    LYING_LEFT = 3
    LYING_RIGHT = 4
    RECLINING = 5
    MOVING = 6


class WaveformCode(enum.IntEnum):
    """AREA_WRITE.waveform."""

    TONIC = 0
    BURST = 1
    HIGH_FREQUENCY = 2


class RechargeCode(enum.IntEnum):
    """AREA_WRITE.recharge: how the charge of each pulse is balanced."""

    ACTIVE = 0  # anodic phase driven by the current source
    PASSIVE = 1  # output shorted through the coupling capacitor for a window


class BatteryState(enum.IntEnum):
    """STATUS.battery_state."""

    FULL = 0
    OK = 1
    RECHARGE_SOON = 2
    RECHARGE_NOW = 3
    CUTOFF = 4
    ERI = 5  # elective replacement indicator
    EOS = 6  # end of service


class RechargeState(enum.IntEnum):
    """STATUS.recharge_state, CHARGING_STATUS.recharge_state."""

    IDLE = 0
    CONSTANT_CURRENT = 1
    CONSTANT_VOLTAGE = 2
    PAUSED_HOT = 3
    PAUSED_OVERVOLTAGE = 4
    COMPLETE = 5


class Capability(enum.IntFlag):
    """DEVICE_INFO.capabilities."""

    VIRTUAL_CLOCK = 1  # only CLOCK_ADVANCE moves the clock
    INPUTS = 2  # posture, impedance, recharge coupling
    TRACE = 4
    RECHARGEABLE = 8
    TRIAL = 16  # a trial stimulator (primary battery)
    HARDWARE_TIMED = 32  # a timer interrupt drives the output pins
    TEST_BUILD = 64  # the test role and its requests exist (clear: a production build)
    DEVELOPMENT_KEYS = 128  # keys made at random for this build or run
    ENTROPY = 256  # entropy is mixed into nonces (RNG peripheral, QEMU launch seed, OS entropy)


CAPABILITY_LABELS = {
    Capability.VIRTUAL_CLOCK: 'virtual clock',
    Capability.INPUTS: 'simulated inputs',
    Capability.TRACE: 'pulse trace',
    Capability.RECHARGEABLE: 'rechargeable',
    Capability.TRIAL: 'trial',
    Capability.HARDWARE_TIMED: 'hardware-timed pulses',
    Capability.TEST_BUILD: 'test build',
    Capability.DEVELOPMENT_KEYS: 'development keys',
    Capability.ENTROPY: 'entropy source',
}


class SecuritySummary(enum.IntEnum):
    """Codes of SECURITY events that are not one refused result."""

    UNAUTHENTICATED = 32  # refused frames that did not authenticate; detail: count << 16 | result << 8 | message id
    NO_NONCE_SOURCE = 33  # at boot: no entropy and no valid security record; every HELLO refused


# device limits
NO_FIELD = 255
ALL_AREAS = 255
FIRMWARE_VERSION = 256
TICK_NS = 1000
CONTACT_COUNT = 16
MAX_AREAS = 4
MAX_PROGRAMS = 8
MAX_AMPLITUDE_UA = 25500
DAC_CODE_MAX = 4095
AMPLITUDE_STEP_UA = 50
MIN_PULSE_WIDTH_US = 20
MAX_PULSE_WIDTH_US = 1000
MAX_INTERPHASE_GAP_US = 100
MIN_RATE_MHZ = 2000
MAX_RATE_MHZ = 1200000
MIN_HF_RATE_MHZ = 1000000
MAX_HF_RATE_MHZ = 10000000
MIN_BURST_RATE_MHZ = 1000
MAX_BURST_RATE_MHZ = 100000
MIN_INTRA_BURST_RATE_MHZ = 200000
MAX_INTRA_BURST_RATE_MHZ = 1200000
MAX_PULSES_PER_BURST = 16
MAX_PASSIVE_WINDOW_US = 20000
RECHARGE_RATIOS = (1, 2, 5, 10)
MAX_SOFT_START_MS = 60000
MAX_CYCLE_MS = 86400000
MAX_DISPLACEMENT_TICKS = 2000
CONTACT_AREA_MM2 = 12.0
CHARGE_DENSITY_LIMIT_UC_CM2 = 30.0
SHANNON_K = 1.85
COMPLIANCE_MV = 12000
SUPPLY_HEADROOM_MV = 1000
CONVERTER_EFFICIENCY = 0.8
IMPEDANCE_SHORT_OHM = 250
IMPEDANCE_OPEN_OHM = 4000
CASE_IMPEDANCE_OHM = 100
PASSIVE_RECHARGE_TAU_US = 2000
DEFAULT_DWELL_MS = 5000
DEFAULT_RAMP_UA_PER_S = 1000
IMPEDANCE_CHECK_TICKS = 10000000
DEFAULT_LEAD_OHMS = 1000
START_LEAD_TICKS = 500
BODY_TEMPERATURE_MC = 37000
GAUGE_TOLERANCE_MV = 1
RECHARGE_TOLERANCE_MV = 50
RECHARGE_TOLERANCE_MIN = 10
BOR_LEVEL = 3
BOR_MV = 2700
REGULATOR_MV = 3000
REGULATOR_DROPOUT_MV = 200
BOR_MARGIN_MV = 300
IWDG_LSI_HZ = 32000
IWDG_PRESCALER = 32
IWDG_RELOAD = 1000
FAULT_SAFE_PIN_INSNS = 3
FAULT_SAFE_DAC_INSNS = 8
EVENT_LOG_CAPACITY = 128
EVENT_LOG_SUMMARIES = 8
EVENT_LOG_PER_ROLE = 16
MAX_CATHODE_CHARGE_PC = 2914678

# fuel gauge
CAPACITY_MAH = 200.0
INITIAL_SOC = 0.8
OCV = (
    (0.0, 3.2),
    (0.01, 3.2878),
    (0.02, 3.3538),
    (0.03, 3.3997),
    (0.04, 3.4292),
    (0.05, 3.4474),
    (0.16, 3.5441),
    (0.23, 3.5951),
    (0.35, 3.6425),
    (0.45, 3.6696),
    (0.56, 3.7345),
    (0.73, 3.8778),
    (0.8, 3.9369),
    (0.93, 4.0797),
    (0.97, 4.1333),
    (1.0, 4.187),
)
CELL_RESISTANCE_OHM = 0.5
CC_CURRENT_A = 0.1
V_LIMIT = 4.187
END_CURRENT_C_DIVISOR = 20
CHARGER_EFFICIENCY = 0.85
QUIESCENT_CURRENT_A = 1e-05
FULL_SOC = 0.95
SOON_SOC = 0.3
NOW_SOC = 0.1
CUTOFF_SOC = 0.02
RESUME_SOC = 0.05
V_PAUSE = 4.277
V_RESUME = 4.1
HARD_LIMIT_C = 42.0
RESUME_C = 39.5
BODY_C = 37.0
RISE_LIMIT_C = 2.0
THERMAL_R_C_PER_W = 20.0
THERMAL_TAU_S = 600.0
LINK_ETA_MAX = 0.6
LINK_D0_MM = 15.0
LINK_M0_MM = 20.0
CAN_LOSS = 0.02
ERI_SOC = 0.1
EOS_SOC = 0.02
PRIMARY_CAPACITY_MAH = 6000.0
PRIMARY_OCV = ((0.0, 2.6), (0.05, 2.75), (0.15, 2.95), (0.3, 3.05), (1.0, 3.2))

# sessions and handshakes
BACKOFF_BASE_TICKS = 1000000
BACKOFF_MAX_TICKS = 64000000
MAX_FAILED_TRIES = 3
HANDSHAKES_KEPT = 8
CACHE_ENTRIES = 8
SECURITY_RECORD_MAGIC = 1263747923

# settings image
SETTINGS_VERSION = 2
SETTINGS_MAGIC = 0x31534353
SETTINGS_SLOT_SIZE = 2048
SETTINGS_PAGE_SIZE = 256
SETTINGS_SIZE = 2002
MEMORY_KEYS = 8

# security record: header | role record x keyed roles | CRC-32, in a slot of 32-bit words
SECURITY_RECORD_WORDS = 9
SECURITY_RECORD_KEYED_ROLES = 3
SECURITY_RECORD_HEADER_SIZE = 12
SECURITY_RECORD_ROLE_SIZE = 6
SECURITY_RECORD_BODY_SIZE = 30  # what the CRC-32 covers
SECURITY_RECORD_SIZE = 34  # CRC-32 included
SECURITY_RECORD_FORMAT = '<IIIHIHIHI'  # struct: the body, header then role records
SECURITY_RECORD_HEADER: tuple[str, ...] = ('magic', 'sequence', 'epoch')
SECURITY_RECORD_ROLE: tuple[str, ...] = ('failures', 'remaining')

# per-message attributes
#: requests accepted in MRI mode (STIM_SET also, to turn stimulation off)
MRI_ALLOWED: frozenset[str] = frozenset({
    'AREA_READ',
    'AUTH',
    'CHARGING_STATUS_GET',
    'CLOCK_ADVANCE',
    'CLOCK_GET',
    'DEVICE_INFO_GET',
    'EVENT_LOG_READ',
    'FAULT_RECORD_GET',
    'HELLO',
    'IMPEDANCE_GET',
    'IMPEDANCE_INPUT',
    'LIMITS_READ',
    'MRI_MODE_SET',
    'POSTURE_INPUT',
    'RECHARGE_COUPLING_INPUT',
    'RESET',
    'SESSION_END',
    'STATUS_GET',
    'TIMING_GET',
    'TRACE_DUMP',
    'TRACE_STOP',
})
MRI_STOP_ONLY: frozenset[str] = frozenset({'STIM_SET'})
TEST_ONLY: frozenset[str] = frozenset({
    'CLOCK_ADVANCE',
    'FAULT_INJECT',
    'IMPEDANCE_INPUT',
    'POSTURE_INPUT',
    'RECHARGE_COUPLING_INPUT',
    'TRACE_DUMP',
    'TRACE_START',
    'TRACE_STOP',
})
SESSION: frozenset[str] = frozenset({'AUTH', 'HELLO', 'SESSION_END'})
REQUESTS: tuple[str, ...] = (
    'DEVICE_INFO_GET',
    'STATUS_GET',
    'STIM_SET',
    'PROGRAM_SELECT',
    'AMPLITUDE_STEP',
    'AREA_WRITE',
    'PROGRAM_COMMIT',
    'AREA_READ',
    'LIMITS_WRITE',
    'LIMITS_READ',
    'IMPEDANCE_GET',
    'POSTURE_INPUT',
    'ADAPTIVE_SET',
    'MRI_MODE_SET',
    'RECHARGE_COUPLING_INPUT',
    'CHARGING_STATUS_GET',
    'TRACE_START',
    'TRACE_STOP',
    'TRACE_DUMP',
    'EVENT_LOG_READ',
    'CLOCK_GET',
    'CLOCK_ADVANCE',
    'IMPEDANCE_INPUT',
    'RESET',
    'TIMING_GET',
    'FAULT_INJECT',
    'FAULT_RECORD_GET',
    'HELLO',
    'AUTH',
    'SESSION_END',
)
