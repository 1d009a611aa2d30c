"""The two local HTTP APIs of go-e chargers, from go-e's public API documentation.

API v2 (go-e Charger V3 and later, Gemini): ``GET /api/status?filter=…`` answers typed JSON (``car`` 1 idle,
2 charging, 3 waiting for the car, 4 finished; ``alw`` bool; ``nrg`` with volts, amperes and watts; ``eto`` and
``wh`` in Wh; ``trx`` the card index + 1), ``GET /api/set?key=value`` writes and answers ``{key: true}`` or the
reason it refused. The charge is switched with ``frc`` (1 off, 2 on), the current with ``amp`` and the phases
with ``psm`` (1 one phase, 2 three phases).

API v1 (older hardware): ``GET /status`` answers every value as text (``nrg`` currents in 0.1 A, total power
in 0.01 kW, ``eto`` in 0.1 kWh, the session's energy ``dws`` in deca-watt-seconds, ``uby`` the card number 1–10
with the names in ``rna``, ``rnm``, ``rne``, ``rn4``…``rn9``, ``rn1``); ``GET /mqtt?payload=key=value`` writes
and answers the whole status, where a refused value shows as unchanged. ``alw`` switches the charge and
``amx`` sets the current without wearing the flash (it shows as ``amp``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, Field

from surplus.devices.chargers.answers import validated
from surplus.devices.errors import DeviceError, NotAvailable
from surplus.devices.protocols import Triple

V2_KEYS = "alw,car,amp,eto,nrg,wh,trx,cards,psm"
V1_CARD_NAMES = ("rna", "rnm", "rne", "rn4", "rn5", "rn6", "rn7", "rn8", "rn9", "rn1")
#: the per-phase values in ``nrg``: voltages L1..L3 at 0..2, currents L1..L3 at 4..6, total power at 11
VOLTAGES, CURRENTS, POWER = slice(0, 3), slice(4, 7), 11


@dataclass(frozen=True)
class GoeState:
    """One status answer in the units the application uses."""

    car: int | None
    allowed: bool
    current: float
    power: float
    currents: Triple
    voltages: Triple
    energy: float
    """kWh"""
    session: float
    """kWh"""
    card: str
    phase_mode: int | None
    """``psm``: 0 automatic, 1 one phase, 2 three phases; None when the API cannot tell"""


@dataclass(frozen=True)
class Write:
    """A command as a request: the path, its query, and the key the answer confirms it by."""

    path: str
    params: dict[str, str]
    key: str
    value: int


class Dialect(Protocol):
    status_path: ClassVar[str]
    status_params: ClassVar[Mapping[str, str]]

    def state(self, data: Any, where: str) -> GoeState: ...

    def enable(self, enable: bool) -> Write: ...

    def current(self, amperes: int) -> Write: ...

    def phases(self, phases: int) -> Write: ...

    def confirm(self, write: Write, answer: Any, where: str) -> None: ...


def _triple(values: list[float], scale: float = 1.0) -> Triple:
    first, second, third = values
    return (first * scale, second * scale, third * scale)


class _Card(BaseModel):
    name: str = ""


class _V2Status(BaseModel):
    car: int | None
    alw: bool
    amp: float
    nrg: list[float] = Field(min_length=12)
    eto: float
    wh: float
    trx: int | None = None
    cards: list[_Card] = Field(default_factory=list)
    psm: int | None = None


class V2:
    status_path: ClassVar[str] = "/api/status"
    status_params: ClassVar[Mapping[str, str]] = {"filter": V2_KEYS}

    def state(self, data: Any, where: str) -> GoeState:
        status = validated(_V2Status, data, where)
        card = ""
        if status.trx and status.trx <= len(status.cards):
            card = status.cards[status.trx - 1].name
        return GoeState(
            car=status.car,
            allowed=status.alw,
            current=status.amp,
            power=status.nrg[POWER],
            currents=_triple(status.nrg[CURRENTS]),
            voltages=_triple(status.nrg[VOLTAGES]),
            energy=status.eto / 1000,
            session=status.wh / 1000,
            card=card,
            phase_mode=status.psm,
        )

    def _set(self, key: str, value: int) -> Write:
        return Write("/api/set", {key: str(value)}, key, value)

    def enable(self, enable: bool) -> Write:
        return self._set("frc", 2 if enable else 1)

    def current(self, amperes: int) -> Write:
        return self._set("amp", amperes)

    def phases(self, phases: int) -> Write:
        return self._set("psm", 1 if phases == 1 else 2)

    def confirm(self, write: Write, answer: Any, where: str) -> None:
        """v2 answers each key with true or the reason it was refused."""
        outcome = answer.get(write.key, True) if isinstance(answer, dict) else True
        if outcome is not True:
            raise DeviceError(f"{where} refused {write.key}={write.value}: {outcome}")


class _V1Status(BaseModel):
    car: int
    alw: bool
    amp: float
    nrg: list[float] = Field(min_length=12)
    eto: float
    dws: float = 0.0
    uby: int = 0


class V1:
    status_path: ClassVar[str] = "/status"
    status_params: ClassVar[Mapping[str, str]] = {}

    def state(self, data: Any, where: str) -> GoeState:
        status = validated(_V1Status, data, where)
        card = ""
        if 1 <= status.uby <= len(V1_CARD_NAMES):
            card = str(data.get(V1_CARD_NAMES[status.uby - 1], ""))
        return GoeState(
            car=status.car,
            allowed=status.alw,
            current=status.amp,
            power=status.nrg[POWER] * 10,
            currents=_triple(status.nrg[CURRENTS], 0.1),
            voltages=_triple(status.nrg[VOLTAGES]),
            energy=status.eto / 10,
            session=status.dws * 10 / 3600 / 1000,
            card=card,
            phase_mode=None,
        )

    def _set(self, key: str, value: int, shown_as: str) -> Write:
        return Write("/mqtt", {"payload": f"{key}={value}"}, shown_as, value)

    def enable(self, enable: bool) -> Write:
        return self._set("alw", 1 if enable else 0, "alw")

    def current(self, amperes: int) -> Write:
        return self._set("amx", amperes, "amp")

    def phases(self, phases: int) -> Write:
        raise NotAvailable("go-e API v1 cannot switch phases; that needs API v2")

    def confirm(self, write: Write, answer: Any, where: str) -> None:
        """v1 answers the whole status: a refused value is still the old one."""
        shown = answer.get(write.key) if isinstance(answer, dict) else None
        if str(shown) != str(write.value):
            raise DeviceError(f"{where} did not take {write.params['payload']} (it shows {write.key}={shown})")
