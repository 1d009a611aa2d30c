"""Vocabulary shared by the core, the devices and the API."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class ChargeStatus(StrEnum):
    """IEC 61851 states as evcc uses them."""

    A = "A"  # no vehicle
    B = "B"  # vehicle connected, not charging
    C = "C"  # charging

    @classmethod
    def parse(cls, text: str) -> ChargeStatus:
        """Map a charger's status letter: C1/D1 → B, other C*/D* → C; E, F and the rest are errors."""
        code = text.strip().upper()
        if code in ("C1", "D1"):
            return cls.B
        if code[:1] in ("C", "D"):
            return cls.C
        if code in ("A", "B"):
            return cls(code)
        raise ValueError(f"charger status '{text}' is an error state or unknown; expected A, B or C")


class ChargeMode(StrEnum):
    OFF = "off"
    NOW = "now"
    MINPV = "minpv"
    PV = "pv"


class BatteryMode(IntEnum):
    """Numbers as evcc's REST API answers them; the state shows the names."""

    UNKNOWN = 0
    NORMAL = 1
    HOLD = 2
    CHARGE = 3
    HOLDCHARGE = 4

    def __str__(self) -> str:
        return self.name.lower()


class Feature(StrEnum):
    """Charger and vehicle features as evcc names them."""

    AVERAGE = "average"
    CACHEABLE = "cacheable"
    COARSE_CURRENT = "coarsecurrent"
    INTEGRATED_DEVICE = "integrateddevice"
    SWITCH_DEVICE = "switchdevice"
    HEATING = "heating"
    CONTINUOUS = "continuous"
    WELCOME_CHARGE = "welcomecharge"
    OFFLINE = "offline"
    STREAMING = "streaming"
    RETRYABLE = "retryable"
    CLIMATER_DISABLED = "climaterdisabled"
    AUTODETECT_DISABLED = "autodetectdisabled"
    WAKEUP_DISABLED = "wakeupdisabled"
