"""``type: scripted`` devices: they report what a script tells them, and remember the commands they got.

``surplus replay`` drives them from its timeline. A scripted charger reports back what it was last told
(enabled, offered current, phases), like a well-behaved wallbox; what it draws is the script's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import Field

from surplus.core.types import BatteryMode, ChargeStatus
from surplus.devices.errors import NotAvailable
from surplus.devices.protocols import Triple
from surplus.devices.registry import BuildContext, DeviceParams, VehicleParams, registry

SCRIPT_KEY = "script"


@dataclass
class MeterScript:
    power: float = 0.0
    soc: float | None = None
    #: the modes a battery was told, in order
    modes: list[BatteryMode] = field(default_factory=list)


@dataclass
class ChargerScript:
    status: ChargeStatus = ChargeStatus.A
    power: float = 0.0
    currents: Triple | None = None
    charged_energy: float | None = None
    enabled: bool = False
    current: float = 0.0
    phases: int = 0
    #: every command received, in order, as replay prints them
    commands: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class VehicleScript:
    soc: float | None = None


@dataclass
class Script:
    """The values every scripted device reports, by device name."""

    meters: dict[str, MeterScript] = field(default_factory=dict)
    chargers: dict[str, ChargerScript] = field(default_factory=dict)
    vehicles: dict[str, VehicleScript] = field(default_factory=dict)


def shared_script(context: BuildContext) -> Script:
    return context.shared(SCRIPT_KEY, Script)


class MeterParams(DeviceParams):
    usage: Literal["grid", "pv", "battery", "aux", "ext"] = "grid"
    power: float = 0.0
    soc: float | None = None
    capacity: float | None = Field(None, gt=0)


class ScriptedMeter:
    def __init__(self, script: MeterScript) -> None:
        self._script = script

    async def current_power(self) -> float:
        return self._script.power


class ScriptedBattery(ScriptedMeter):
    def __init__(self, script: MeterScript, capacity: float | None) -> None:
        super().__init__(script)
        self._capacity = capacity or 0.0

    async def soc(self) -> float:
        return self._script.soc or 0.0

    def capacity(self) -> float:
        return self._capacity

    async def set_battery_mode(self, mode: BatteryMode) -> None:
        self._script.modes.append(mode)


@registry.register("meter", "scripted", MeterParams, "reports the power (and soc) a script sets; for replays")
def build_meter(params: MeterParams, context: BuildContext) -> ScriptedMeter:
    script = shared_script(context).meters.setdefault(context.name, MeterScript(params.power, params.soc))
    if params.usage == "battery":
        return ScriptedBattery(script, params.capacity)
    return ScriptedMeter(script)


class ChargerParams(DeviceParams):
    phases1p3p: bool = False
    coarse: bool = True
    phases: Literal[0, 1, 3] = 3
    enabled: bool = False
    current: float = Field(0.0, ge=0)
    status: Literal["A", "B", "C"] = "A"
    #: the charger counts the session's energy itself (ChargeRater)
    rater: bool = False


class ScriptedCharger:
    def __init__(self, script: ChargerScript, physical_phases: int) -> None:
        self._script = script
        self._physical = physical_phases

    async def status(self) -> ChargeStatus:
        return self._script.status

    async def enabled(self) -> bool:
        return self._script.enabled

    async def enable(self, enable: bool) -> None:
        self._script.enabled = enable
        self._script.commands.append({"enable": enable})

    async def max_current(self, current: int) -> None:
        self._script.current = current
        self._script.commands.append({"maxCurrent": current})

    async def get_max_current(self) -> float:
        return self._script.current

    async def current_power(self) -> float:
        return self._script.power

    async def currents(self) -> Triple:
        if self._script.currents is None:
            raise NotAvailable("no phase currents in the script")
        return self._script.currents

    def phases(self) -> int:
        return self._physical


class FineCurrent(ScriptedCharger):
    """Takes fractions of an ampere."""

    async def max_current_millis(self, current: float) -> None:
        self._script.current = current
        self._script.commands.append({"maxCurrent": current})


class Switching(ScriptedCharger):
    async def phases_1p3p(self, phases: int) -> None:
        self._script.phases = phases
        self._script.commands.append({"phases1p3p": phases})

    async def get_phases(self) -> int:
        return self._script.phases


class Rating(ScriptedCharger):
    async def charged_energy(self) -> float:
        if self._script.charged_energy is None:
            raise NotAvailable("no charged energy in the script yet")
        return self._script.charged_energy


@cache
def charger_class(fine: bool, switching: bool, rating: bool) -> type[ScriptedCharger]:
    """One class per combination, so capability checks (isinstance on protocols) see exactly what was configured."""
    chosen = [kind for kind, wanted in ((FineCurrent, fine), (Switching, switching), (Rating, rating)) if wanted]
    return type("ScriptedCharger", (*chosen, ScriptedCharger), {}) if chosen else ScriptedCharger


@registry.register("charger", "scripted", ChargerParams, "reports what a script sets and what it was told; for replays")
def build_charger(params: ChargerParams, context: BuildContext) -> ScriptedCharger:
    script = shared_script(context).chargers.setdefault(
        context.name,
        ChargerScript(
            status=ChargeStatus(params.status),
            enabled=params.enabled,
            current=params.current,
            phases=params.phases if params.phases1p3p else 0,
        ),
    )
    return charger_class(not params.coarse, params.phases1p3p, params.rater)(script, params.phases)


class ScriptedVehicleParams(VehicleParams):
    soc: float | None = Field(None, ge=0, le=100)


class ScriptedVehicle:
    def __init__(self, script: VehicleScript, title: str, capacity: float) -> None:
        self._script = script
        self._title = title
        self._capacity = capacity

    def title(self) -> str:
        return self._title

    def capacity(self) -> float:
        return self._capacity

    async def soc(self) -> float:
        if self._script.soc is None:
            raise NotAvailable("no soc in the script yet")
        return self._script.soc


@registry.register("vehicle", "scripted", ScriptedVehicleParams, "reports the soc a script sets; for replays")
def build_vehicle(params: ScriptedVehicleParams, context: BuildContext) -> ScriptedVehicle:
    script = shared_script(context).vehicles.setdefault(context.name, VehicleScript(params.soc))
    return ScriptedVehicle(script, params.title or context.name, params.capacity)
