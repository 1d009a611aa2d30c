"""MeterValues payloads as plain numbers keyed by measurand and phase (``Current.Import.L1``).

Values are kept in base units (W, Wh, A, V, %): a ``k`` unit prefix multiplies by 1000 and an ``m`` prefix
divides by 1000, so the charger never cares how a station chose to report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: OCPP 1.6 §7.31: a sampled value without a measurand is the imported energy register
DEFAULT_MEASURAND = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
ENERGY = "Energy.Active.Import.Register"
CURRENT = "Current.Import"
VOLTAGE = "Voltage"
CURRENT_OFFERED = "Current.Offered"
SOC = "SoC"
#: what the central system asks a station to sample, in this order
DESIRED = (POWER, ENERGY, CURRENT, VOLTAGE, CURRENT_OFFERED, SOC)
PHASES = ("L1", "L2", "L3")
#: prefixes of units such as kW or kWh; OCPP names no milli units, but some stations send them
PREFIXES = {"k": 1000.0, "m": 0.001}


@dataclass(frozen=True)
class Reading:
    """One ``meterValue`` entry: when it was taken (None: not said) and its values by key."""

    taken: datetime | None
    values: dict[str, float]


def key(measurand: str, phase: str | None = None) -> str:
    return f"{measurand}.{phase}" if phase else measurand


def scaled(value: str | float, unit: str | None) -> float:
    """The value in its base unit; raises ValueError for text that is not a number."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    if unit and len(unit) > 1 and unit[0] in PREFIXES:
        return number * PREFIXES[unit[0]]
    return number


def parse_time(text: object) -> datetime | None:
    """An OCPP date-time; one without an offset is UTC (the protocol's time zone), None when unreadable."""
    if not isinstance(text, str):
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def readings(meter_value: Sequence[Mapping[str, Any]]) -> list[Reading]:
    """The entries of a MeterValues or StopTransaction payload; values that are not numbers are skipped."""
    parsed: list[Reading] = []
    for entry in meter_value:
        values: dict[str, float] = {}
        for sample in entry.get("sampled_value", ()):
            try:
                number = scaled(sample["value"], sample.get("unit"))
            except (KeyError, TypeError, ValueError):
                continue
            values[key(sample.get("measurand") or DEFAULT_MEASURAND, sample.get("phase"))] = number
        parsed.append(Reading(parse_time(entry.get("timestamp")), values))
    return parsed


def phase_value(values: Mapping[str, float], measurand: str, phase: str) -> float | None:
    """A per-phase value, whether the station names the phase ``L1`` or ``L1-N``."""
    for name in (key(measurand, phase), key(measurand, f"{phase}-N")):
        if name in values:
            return values[name]
    return None
