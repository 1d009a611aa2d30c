"""Phase bookkeeping: how many phases a loadpoint uses, may use, and has been measured using (core.md §3.7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surplus.core.units import MIN_ACTIVE_CURRENT, MIN_ACTIVE_VOLTAGE, expect_phases


@dataclass
class Phases:
    """``switched`` is what the charger was last set to (0 unknown); ``measured`` comes from phase currents."""

    switchable: bool
    charger_physical: int = 0
    switched: int = 0
    measured: int = 0

    def active(self, vehicle: int) -> int:
        """The phases expected to carry current now."""
        return min(
            expect_phases(vehicle),
            expect_phases(self.switched),
            expect_phases(self.measured),
            expect_phases(self.charger_physical),
        )

    def max_active(self, vehicle: int, configured: int) -> int:
        """The most phases the loadpoint could use (a switchable charger may still scale up)."""
        measured = self.measured
        if self.switched <= 1 or vehicle == 1 or self.charger_physical == 1:
            measured = 0  # 1p measured on a 1p setting says nothing about what 3p would give
        physical = configured if self.switchable else self.switched
        return min(
            expect_phases(vehicle),
            expect_phases(physical),
            expect_phases(measured),
            expect_phases(self.charger_physical),
        )

    def min_active(self, vehicle: int, configured: int) -> int:
        """Only automatic switching scales down to one phase; a fixed setting is both minimum and maximum."""
        if self.switchable and configured == 0:
            return 1
        return self.max_active(vehicle, configured)

    def switch(self, phases: int) -> bool:
        """Record a switch; measurements start afresh. Returns whether anything changed."""
        if phases == self.switched:
            return False
        self.switched = phases
        self.measured = 0
        return True

    def measure(self, currents: Sequence[float] | None) -> None:
        """Count phases carrying more than 1 A (call only while charging and after a switch has settled)."""
        if currents is None:
            return
        count = sum(1 for current in currents if current > MIN_ACTIVE_CURRENT)
        if count >= 1:
            self.measured = count

    def detect_wiring(self, voltages: Sequence[float] | None) -> str | None:
        """On a fixed charger, derive 1p or 3p from the phases with voltage; returns a warning for odd wiring."""
        if self.switchable or voltages is None:
            return None
        live = [voltage >= MIN_ACTIVE_VOLTAGE for voltage in voltages]
        if live == [True, False, False]:
            self.switched = 1
        elif any(live[1:]):
            if not live[0]:
                return f"phase voltages {list(voltages)} look wrongly wired: L1 has no voltage"
            self.switched = 3
        return None
