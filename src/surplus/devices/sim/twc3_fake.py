"""A simulated Tesla Wall Connector gen3 over real HTTP: ``/api/1/vitals`` and ``/api/1/lifetime``.

Tests and the demo set ``vehicle_connected``, ``contactor_closed``, ``current`` (A on each of ``phases``), the
session's and the lifetime's energy; the Wall Connector takes no commands.
"""

from __future__ import annotations

from typing import Any

from surplus.devices.sim.native_http import JsonDeviceFake, NoRoute

VOLTAGE = 230.0


class Twc3Fake(JsonDeviceFake):
    def __init__(self) -> None:
        super().__init__()
        self.vehicle_connected = False
        self.contactor_closed = False
        self.current = 0.0
        self.phases = 3
        self.session_wh = 0.0
        self.lifetime_wh = 0.0

    def handle(self, path: str, query: dict[str, str]) -> Any:
        if path == "/api/1/vitals":
            return self._vitals()
        if path == "/api/1/lifetime":
            return {"contactor_cycles": 12, "alert_count": 0, "energy_wh": self.lifetime_wh, "uptime_s": 1000}
        raise NoRoute(path)

    def _vitals(self) -> dict[str, Any]:
        charging = self.vehicle_connected and self.contactor_closed
        currents = [self.current if charging and n < self.phases else 0.0 for n in range(3)]
        voltages = [VOLTAGE if charging and n < self.phases else 0.0 for n in range(3)]
        return {
            "contactor_closed": self.contactor_closed,
            "vehicle_connected": self.vehicle_connected,
            "session_s": 0,
            "grid_v": VOLTAGE,
            "grid_hz": 50.0,
            "vehicle_current_a": max(currents),
            **{f"current{phase}_a": value for phase, value in zip("ABC", currents, strict=True)},
            "currentN_a": 0.0,
            **{f"voltage{phase}_v": value for phase, value in zip("ABC", voltages, strict=True)},
            "session_energy_wh": self.session_wh,
            "evse_state": 11 if charging else 1,
            "current_alerts": [],
        }
