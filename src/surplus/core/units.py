"""Power ↔ current on a number of phases, at the site's phase voltage (core.md §0)."""

from __future__ import annotations

DEFAULT_VOLTAGE = 230.0
#: a phase counts as active when it carries more than this (A)
MIN_ACTIVE_CURRENT = 1.0
#: a phase counts as connected at this voltage or more (V)
MIN_ACTIVE_VOLTAGE = 207.0
#: soc ↔ energy conversions assume this charge efficiency
CHARGE_EFFICIENCY = 0.85


def current_to_power(current: float, phases: int, voltage: float = DEFAULT_VOLTAGE) -> float:
    return current * phases * voltage


def power_to_current(power: float, phases: int, voltage: float = DEFAULT_VOLTAGE) -> float:
    return power / (phases * voltage)


def expect_phases(phases: int) -> int:
    """Unknown (0) phases are assumed to be 3."""
    return phases if phases > 0 else 3
