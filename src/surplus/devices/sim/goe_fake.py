"""A simulated go-e charger speaking API v1 or v2 over real HTTP (facts from go-e's public API documentation).

Its state follows the commands it gets: ``frc``/``alw`` allow or stop the charge, ``amp``/``amx`` set the
current, ``psm`` the phases. A plugged-in car draws the offered current on the active phases while charging is
allowed; tests set ``plugged``, the energy counters and the RFID cards directly.
"""

from __future__ import annotations

from typing import Any, Literal

from surplus.devices.sim.native_http import JsonDeviceFake, NoRoute

V1_CARD_NAMES = ("rna", "rnm", "rne", "rn4", "rn5", "rn6", "rn7", "rn8", "rn9", "rn1")
#: frc (force state): 0 neutral, 1 off, 2 on; psm (phase switch mode): 0 auto, 1 one phase, 2 three phases
RANGES = {"frc": range(3), "psm": range(3), "amp": range(6, 33)}


class GoEFake(JsonDeviceFake):
    def __init__(self, api_version: Literal[1, 2] = 2) -> None:
        super().__init__()
        self.api_version = api_version
        self.plugged = False
        #: a car state reported whatever the simulation says (3 waiting for the car, 5 error, 0 unknown)
        self.car_override: int | None = None
        self.amp = 16
        self.frc = 0
        self.psm = 2
        self.voltage = 230.0
        self.energy_wh = 0.0
        self.session_wh = 0.0
        self.cards: list[str] = []
        #: API v2's transaction: None without one, 0 without a card, else the card's index + 1
        self.trx: int | None = None

    @property
    def allowed(self) -> bool:
        return self.frc != 1

    @property
    def phases(self) -> int:
        return 1 if self.psm == 1 else 3

    @property
    def car(self) -> int:
        """1 idle, 2 charging, 4 finished (connected, not allowed)."""
        if self.car_override is not None:
            return self.car_override
        if not self.plugged:
            return 1
        return 2 if self.allowed else 4

    def currents(self) -> list[float]:
        drawn = float(self.amp) if self.car == 2 else 0.0
        return [drawn if phase < self.phases else 0.0 for phase in range(3)]

    def nrg(self) -> list[float]:
        """U L1..L3, N; I L1..L3; P L1..L3, N, total; power factors — in v2 units (V, A, W)."""
        currents = self.currents()
        powers = [current * self.voltage for current in currents]
        return [self.voltage] * 3 + [0.0] + currents + powers + [0.0, sum(powers)] + [0.0] * 4

    def handle(self, path: str, query: dict[str, str]) -> Any:
        routes = {
            (2, "/api/status"): self._v2_status,
            (2, "/api/set"): self._v2_set,
            (1, "/status"): self._v1_status,
            (1, "/mqtt"): self._v1_command,
        }
        route = routes.get((self.api_version, path))
        if route is None:
            raise NoRoute(path)
        return route(query)

    def _v2_status(self, query: dict[str, str]) -> dict[str, Any]:
        status = {
            "car": self.car,
            "alw": self.allowed,
            "amp": self.amp,
            "frc": self.frc,
            "psm": self.psm,
            "nrg": self.nrg(),
            "eto": self.energy_wh,
            "wh": self.session_wh,
            "trx": self.trx,
            "cards": [{"name": name, "energy": 0, "cardId": True} for name in self.cards],
        }
        wanted = query.get("filter")
        return {key: status[key] for key in wanted.split(",") if key in status} if wanted else status

    def _v2_set(self, query: dict[str, str]) -> dict[str, Any]:
        answer: dict[str, Any] = {}
        for key, text in query.items():
            allowed = RANGES.get(key)
            if allowed is None:
                answer[key] = "unknown or read-only key"
            elif not text.isdigit() or int(text) not in allowed:
                answer[key] = f"value {text} out of range"
            else:
                setattr(self, key, int(text))
                answer[key] = True
        return answer

    def _v1_status(self, query: dict[str, str]) -> dict[str, Any]:
        nrg = self.nrg()
        currents, powers = [current * 10 for current in nrg[4:7]], [power / 100 for power in nrg[7:11]]
        scaled = [*nrg[:4], *currents, *powers, nrg[11] / 10, *nrg[12:]]
        status: dict[str, Any] = {
            "car": str(self.car),
            "alw": "1" if self.allowed else "0",
            "amp": str(self.amp),
            "eto": str(round(self.energy_wh / 100)),
            "dws": str(round(self.session_wh * 360)),
            "uby": str(self.trx or 0),
            "nrg": [round(value) for value in scaled],
        }
        status.update({key: (self.cards[n] if n < len(self.cards) else "") for n, key in enumerate(V1_CARD_NAMES)})
        return status

    def _v1_command(self, query: dict[str, str]) -> dict[str, Any]:
        """``payload=key=value``; a value out of range is ignored, as the device does, and shows unchanged."""
        key, _, text = query.get("payload", "").partition("=")
        if text.isdigit():
            value = int(text)
            if key == "alw" and value in (0, 1):
                self.frc = 0 if value else 1
            elif key in ("amp", "amx") and value in RANGES["amp"]:
                self.amp = value
        return self._v1_status({})
