"""Charging profiles: how the central system tells a station how much it may charge (OCPP 1.6 §3.13)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from surplus.devices.ocpp.library import timestamp

#: nominal phase voltage for stations that take their limit in watts
VOLTAGE = 230.0
TX_DEFAULT = "TxDefaultProfile"
TX = "TxProfile"
#: profile ids per connector, distinct per purpose so the fallback does not replace the default profile
PROFILE_IDS = {TX_DEFAULT: 0, TX: 100}


def truncated(value: float) -> float:
    """Down to 0.1: stations accept one decimal, and rounding up would offer more than allowed."""
    return int(value * 10 + 1e-9) / 10


def limit(current: float, watts: bool, phases: int | None) -> tuple[float, str]:
    """The profile's limit and unit for ``current`` A per phase."""
    if watts:
        return truncated(VOLTAGE * current * (phases or 3)), "W"
    return truncated(current), "A"


def charging_profile(
    purpose: str,
    connector: int,
    stack_level: int,
    start: datetime,
    current: float,
    watts: bool,
    phases: int | None,
    transaction_id: int | None = None,
) -> dict[str, Any]:
    """An absolute profile of one period from ``start`` on, ``numberPhases`` only after a phase switch."""
    amount, unit = limit(current, watts, phases)
    return {
        "charging_profile_id": PROFILE_IDS[purpose] + connector,
        "transaction_id": transaction_id,
        "stack_level": stack_level,
        "charging_profile_purpose": purpose,
        "charging_profile_kind": "Absolute",
        "charging_schedule": {
            "charging_rate_unit": unit,
            "start_schedule": timestamp(start),
            "charging_schedule_period": [{"start_period": 0, "limit": amount, "number_phases": phases}],
        },
    }
