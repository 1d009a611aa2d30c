"""The replay file format (replay.md): validated with line-accurate errors, and turned into a configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from surplus.config.loader import LoadedConfig, describe, validate
from surplus.config.schema import Mode, Section
from surplus.config.source import SourceMap, read_yaml

DEFAULT_START = datetime(2026, 6, 1, tzinfo=UTC)
Seconds = Annotated[float, Field(ge=0)]
SiteMeter = Literal["grid", "pv", "battery"]


class ReplaySite(Section):
    voltage: float = Field(230.0, gt=0)
    residual_power: float = 0.0
    priority_soc: float = Field(0.0, ge=0, le=100)
    buffer_soc: float = Field(0.0, ge=0, le=100)
    buffer_start_soc: float = Field(0.0, ge=0, le=100)
    battery_discharge_control: bool = False
    meters: list[SiteMeter] = Field(default_factory=lambda: list[SiteMeter](["grid"]))
    battery_capacity: float | None = Field(None, gt=0)


class Slot(Section):
    start: float
    end: float
    value: float

    @model_validator(mode="after")
    def _ordered(self) -> Slot:
        if self.end <= self.start:
            raise ValueError(f"a slot must end after it starts (start {self.start:g}, end {self.end:g})")
        return self


class ReplayTariffs(Section):
    grid: list[Slot] = Field(default_factory=list)
    feedin: list[Slot] = Field(default_factory=list)
    co2: list[Slot] = Field(default_factory=list)
    planner: list[Slot] = Field(default_factory=list)


class EnableTimer(Section):
    threshold: float = 0.0
    delay: Seconds = 60.0


class DisableTimer(Section):
    threshold: float = 0.0
    delay: Seconds = 180.0


class ReplayCharger(Section):
    phases1p3p: bool = False
    coarse: bool = True
    phases: Literal[0, 1, 3] = 3
    enabled: bool = False
    current: float = Field(0.0, ge=0)


class ReplayVehicle(Section):
    title: str = "Car"
    capacity: float = Field(0.0, ge=0)
    phases: Literal[0, 1, 2, 3] = 0
    min_current: float = Field(0.0, ge=0)
    max_current: float = Field(0.0, ge=0)


class ReplayLoadpoint(Section):
    title: str = ""
    mode: Mode = "off"
    min_current: float = Field(6.0, gt=0)
    max_current: float = Field(16.0, gt=0)
    phases: Literal[0, 1, 3] = 3
    priority: int = Field(0, ge=0)
    enable: EnableTimer = EnableTimer()
    disable: DisableTimer = DisableTimer()
    limit_soc: int = Field(0, ge=0, le=100)
    limit_energy: float = Field(0.0, ge=0)
    min_soc: int = Field(0, ge=0, le=100)
    charger: ReplayCharger = ReplayCharger()
    vehicle: ReplayVehicle | None = None

    @model_validator(mode="after")
    def _automatic_phases_need_a_switch(self) -> ReplayLoadpoint:
        if self.phases == 0 and not self.charger.phases1p3p:
            raise ValueError("phases 0 (automatic) needs a charger with phases1p3p: true")
        return self


class LoadpointInput(Section):
    status: Literal["A", "B", "C"] | None = None
    charge_power: float | None = None
    currents: Annotated[list[float], Field(min_length=3, max_length=3)] | None = None
    vehicle_soc: float | None = Field(None, ge=0, le=100)
    charged_energy: float | None = Field(None, ge=0)


class ApiCall(Section):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    body: Any = None

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        if isinstance(data, list):
            if len(data) not in (2, 3):
                raise ValueError("an api call is [METHOD, PATH] or [METHOD, PATH, BODY]")
            return {"method": str(data[0]).upper(), "path": data[1], "body": data[2] if len(data) == 3 else None}
        return data

    @field_validator("path")
    @classmethod
    def _absolute(cls, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"'{path}' must start with /, e.g. /api/loadpoints/1/mode/now")
        return path


class Entry(Section):
    at: Seconds
    grid: float | None = None
    pv: float | None = None
    battery: float | None = None
    battery_soc: float | None = Field(None, ge=0, le=100)
    loadpoints: list[LoadpointInput] = Field(default_factory=list)
    api: list[ApiCall] = Field(default_factory=list)


class ReplayFile(Section):
    start: datetime = DEFAULT_START
    site: ReplaySite = ReplaySite()
    tariffs: ReplayTariffs = ReplayTariffs()
    loadpoints: list[ReplayLoadpoint] = Field(default_factory=list)
    timeline: list[Entry] = Field(default_factory=list)

    @field_validator("start")
    @classmethod
    def _aware(cls, start: datetime) -> datetime:
        if start.tzinfo is None:
            raise ValueError("start needs a time zone, e.g. 2026-06-01T08:00:00+02:00")
        return start


def check_timeline(replay: ReplayFile, source: SourceMap) -> None:
    """Times strictly increase and every loadpoint entry names a loadpoint that exists."""
    previous = -1.0
    for index, entry in enumerate(replay.timeline):
        if entry.at <= previous:
            raise source.error(
                ("timeline", index, "at"), f"{entry.at:g} does not come after {previous:g}; times must increase"
            )
        previous = entry.at
        if len(entry.loadpoints) > len(replay.loadpoints):
            raise source.error(
                ("timeline", index, "loadpoints", len(replay.loadpoints)),
                f"loadpoint {len(replay.loadpoints) + 1} does not exist; the file defines {len(replay.loadpoints)}",
            )


def load_replay(path: Path) -> tuple[ReplayFile, SourceMap]:
    data, source = read_yaml(path)
    if not isinstance(data, dict):
        raise source.error((), "a replay file is a mapping with start, site, tariffs, loadpoints and timeline")
    try:
        replay = ReplayFile.model_validate(data)
    except ValidationError as error:
        raise describe(error.errors()[0], source) from None
    check_timeline(replay, source)
    return replay, source


def _charger_entry(index: int, lp: ReplayLoadpoint, rater: bool) -> dict[str, Any]:
    charger = lp.charger
    return {
        "name": f"charger{index + 1}",
        "type": "scripted",
        "phases1p3p": charger.phases1p3p,
        "coarse": charger.coarse,
        "phases": charger.phases,
        "enabled": charger.enabled,
        "current": charger.current,
        "rater": rater,
    }


def to_config(replay: ReplayFile) -> LoadedConfig:
    """The configuration the replayed application runs: scripted devices in place of real ones."""
    site = replay.site
    meters: list[dict[str, Any]] = [
        {"name": usage, "type": "scripted", "usage": usage}
        | ({"capacity": site.battery_capacity} if usage == "battery" and site.battery_capacity else {})
        for usage in site.meters
    ]
    chargers = []
    vehicles = []
    loadpoints = []
    for index, lp in enumerate(replay.loadpoints):
        rater = any(
            len(entry.loadpoints) > index and entry.loadpoints[index].charged_energy is not None
            for entry in replay.timeline
        )
        chargers.append(_charger_entry(index, lp, rater))
        section: dict[str, Any] = {
            "title": lp.title or f"Loadpoint {index + 1}",
            "charger": f"charger{index + 1}",
            "mode": lp.mode,
            "priority": lp.priority,
            "phases": lp.phases,
            "mincurrent": lp.min_current,
            "maxcurrent": lp.max_current,
            "enable": {"threshold": lp.enable.threshold, "delay": lp.enable.delay},
            "disable": {"threshold": lp.disable.threshold, "delay": lp.disable.delay},
        }
        if lp.vehicle is not None:
            vehicle = lp.vehicle
            vehicles.append(
                {
                    "name": f"vehicle{index + 1}",
                    "type": "scripted",
                    "title": vehicle.title,
                    "capacity": vehicle.capacity,
                    "phases": vehicle.phases,
                    "onidentify": {"mincurrent": vehicle.min_current, "maxcurrent": vehicle.max_current},
                }
            )
            section["vehicle"] = f"vehicle{index + 1}"
        loadpoints.append(section)
    data = {
        "interval": "30s",
        "site": {
            "title": "Replay",
            "meters": {usage: usage for usage in site.meters},
            "residualpower": site.residual_power,
            "prioritysoc": site.priority_soc,
            "buffersoc": site.buffer_soc,
            "bufferstartsoc": site.buffer_start_soc,
            "batterydischargecontrol": site.battery_discharge_control,
            "voltage": site.voltage,
        },
        "meters": meters,
        "chargers": chargers,
        "vehicles": vehicles,
        "loadpoints": loadpoints,
    }
    source = SourceMap(file="(replay)")
    return LoadedConfig(validate(data, source), source, None)


def offset(replay: ReplayFile, seconds: float) -> datetime:
    return replay.start + timedelta(seconds=seconds)
