"""Maps a configuration ``type:`` to a device factory.

A device module registers itself::

    class Params(DeviceParams):
        host: str

    @registry.register("charger", "go-e", Params, "go-e charger over its local HTTP API")
    def build(params: Params, context: BuildContext) -> GoE:
        return GoE(params.host, context)

Modules under ``surplus.devices`` are discovered on first use, so adding a device is adding one module.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, cast

from pydantic import Field, ValidationError
from pydantic_core import ErrorDetails

from surplus.clock import Clock
from surplus.config.errors import ConfigError
from surplus.config.loader import describe
from surplus.config.schema import DeviceEntry, Mode, Section
from surplus.config.source import SourceMap
from surplus.core.types import Feature
from surplus.devices.protocols import Charger, Closable, Meter, Vehicle
from surplus.logs import get_logger

Kind = Literal["meter", "charger", "vehicle", "tariff"]
#: the protocol a built device of each kind must satisfy (tariffs add theirs when their package loads)
REQUIRED: dict[str, type] = {"meter": Meter, "charger": Charger, "vehicle": Vehicle}

P = TypeVar("P", bound="DeviceParams")
T = TypeVar("T")


class NestedParamsError(Exception):
    """A problem with keys nested in a device's params (a plugin source's), located relative to the entry."""

    def __init__(self, loc: Sequence[str | int], message: str = "", details: ErrorDetails | None = None) -> None:
        super().__init__(message or (details["msg"] if details is not None else "invalid"))
        self.loc = tuple(loc)
        self.message = message
        self.details = details

    def located(self, source: SourceMap, prefix: Sequence[str | int]) -> ConfigError:
        """The error as a ConfigError pointing at the file, the line and the key."""
        if self.details is not None:
            return describe(self.details, source, (*prefix, *self.loc))
        return source.error((*prefix, *self.loc), self.message)


class DeviceParams(Section):
    """Base for a device type's keys: lower-cased aliases, unknown keys rejected with the allowed list."""


class OnIdentifyParams(Section):
    mode: Mode | None = None
    priority: int = Field(0, ge=0)
    min_current: float = Field(0.0, ge=0)
    max_current: float = Field(0.0, ge=0)
    max_power: float = Field(0.0, ge=0)


class VehicleParams(DeviceParams):
    """Keys every vehicle type accepts (evcc's common vehicle configuration)."""

    title: str = ""
    icon: str = ""
    capacity: float = Field(0.0, ge=0)
    phases: Literal[0, 1, 2, 3] = 0
    identifiers: list[str] = Field(default_factory=list)
    features: list[Feature] = Field(default_factory=list)
    on_identify: OnIdentifyParams = OnIdentifyParams()
    mode: Mode | None = None


@dataclass(frozen=True)
class Built:
    device: object
    params: DeviceParams


@dataclass
class BuildContext:
    """What a factory may use: the clock, a logger for the device, and resources shared between devices.

    ``parts`` collects what was built for this one device and must be closed with it (its plugin sources).
    """

    clock: Clock
    shared_resources: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    parts: list[Closable] = field(default_factory=list)

    @property
    def log(self) -> logging.Logger:
        return get_logger(self.name or "device")

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """One instance per key for all devices of an application (a connection, a simulated home)."""
        if key not in self.shared_resources:
            self.shared_resources[key] = factory()
        return cast(T, self.shared_resources[key])

    def for_device(self, name: str) -> BuildContext:
        return BuildContext(self.clock, self.shared_resources, name)


@dataclass(frozen=True)
class DeviceType(Generic[P]):
    kind: str
    name: str
    params: type[P]
    factory: Callable[[P, BuildContext], object]
    summary: str


class Registry:
    def __init__(self, packages: Sequence[str] = ()) -> None:
        self._types: dict[tuple[str, str], DeviceType[Any]] = {}
        self._packages = list(packages)
        self._discovered = not self._packages

    def register(
        self, kind: Kind, type_name: str, params: type[P], summary: str
    ) -> Callable[[Callable[[P, BuildContext], T]], Callable[[P, BuildContext], T]]:
        def decorate(factory: Callable[[P, BuildContext], T]) -> Callable[[P, BuildContext], T]:
            key = (kind, type_name.lower())
            if key in self._types:
                raise ValueError(f"{kind} type '{type_name}' is registered twice")
            self._types[key] = DeviceType(kind, type_name.lower(), params, factory, summary)
            return factory

        return decorate

    def _discover(self) -> None:
        if self._discovered:
            return
        self._discovered = True
        for package_name in self._packages:
            package = importlib.import_module(package_name)
            for module in pkgutil.walk_packages(package.__path__, package_name + "."):
                importlib.import_module(module.name)

    def types(self, kind: Kind) -> list[DeviceType[Any]]:
        self._discover()
        return sorted((t for (k, _), t in self._types.items() if k == kind), key=lambda t: t.name)

    def build(
        self,
        kind: Kind,
        entry: DeviceEntry,
        path: Sequence[str | int],
        source: SourceMap,
        context: BuildContext,
    ) -> Built:
        """Validate an entry's keys against its type and build the device; errors point into the file."""
        self._discover()
        device_type = self._types.get((kind, entry.type.lower()))
        if device_type is None:
            allowed = ", ".join(t.name for t in self.types(kind)) or "none"
            raise source.error((*path, "type"), f"unknown {kind} type '{entry.type}'; allowed types: {allowed}")
        try:
            params = device_type.params.model_validate(entry.params)
        except ValidationError as error:
            raise describe(error.errors()[0], source, path) from None
        try:
            device = device_type.factory(params, context.for_device(entry.name))
        except NestedParamsError as error:
            raise error.located(source, path) from None
        if isinstance(device, Built):  # a factory that delegates (templates) hands on what it built
            return device
        required = REQUIRED.get(kind, object)
        if not isinstance(device, required):
            raise TypeError(f"{kind} type '{device_type.name}' built a {type(device).__name__}, not a {kind}")
        return Built(device, params)

    def build_rendered(self, kind: Kind, config: dict[str, Any], context: BuildContext, what: str) -> Built:
        """Build from a configuration made by code (a rendered template); its errors are reported as ``what``'s."""
        try:
            entry = DeviceEntry.model_validate({**config, "name": context.name})
            return self.build(kind, entry, (), SourceMap(), context)
        except (ConfigError, ValidationError) as error:
            where = f" at '{error.key}'" if isinstance(error, ConfigError) and error.key else ""
            reason = error.message if isinstance(error, ConfigError) else str(error.errors()[0]["msg"])
            raise NestedParamsError((), f"{what} rendered an invalid {kind}{where}: {reason}") from None


registry = Registry(["surplus.devices", "surplus.tariffs.providers"])
