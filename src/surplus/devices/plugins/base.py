"""Plugin sources: the building blocks of ``type: custom`` devices (evcc's plugins, devices.md §2.1).

A device attribute such as a meter's ``power`` is a mapping with a ``source`` key and the source's own keys::

    power:
      source: http
      uri: http://192.168.1.5/status
      jq: .power

A source module registers a params model and a factory::

    class ConstParams(PluginParams):
        value: str

    @plugins.register("const", ConstParams, "a fixed value")
    def build(params: ConstParams, context: PluginContext) -> Const:
        return Const(params.value)

The built object reads when it implements :class:`Readable` and writes when it implements :class:`Writable`.
A source reads raw values (text, numbers, booleans); the typed adapters below turn them into what a device
attribute needs and map evcc's error strings (``ErrAsleep``…) to the errors the control loop understands.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from pydantic import ValidationError

from surplus.devices.errors import Asleep, DeviceError, MustRetry, NotAvailable
from surplus.devices.protocols import Closable
from surplus.devices.registry import BuildContext, DeviceParams, NestedParamsError

Value = str | float | int | bool
Loc = tuple[str | int, ...]

P = TypeVar("P", bound="PluginParams")
T = TypeVar("T")

#: evcc's error strings: a source that answers one of these means the error, not the text
ERROR_STRINGS: dict[str, type[DeviceError]] = {
    "errasleep": Asleep,
    "errmustretry": MustRetry,
    "errnotavailable": NotAvailable,
}
TRUE_WORDS = frozenset({"true", "on", "1", "yes"})
FALSE_WORDS = frozenset({"false", "off", "0", "no", ""})


class PluginParams(DeviceParams):
    """Keys every source accepts besides its own."""

    source: str


@runtime_checkable
class Readable(Protocol):
    async def read(self) -> Value: ...


@runtime_checkable
class Writable(Protocol):
    async def write(self, param: str, value: Value) -> None:
        """Write ``value``; ``param`` names it for templates (``${maxcurrent}`` in a URI or payload)."""
        ...


@dataclass
class PluginContext:
    """What a source factory may use: the device's build context, and a way to build nested sources."""

    device: BuildContext
    loc: Loc = ()

    def plugin(self, config: Any, *loc: str | int) -> object:
        """A nested source (``calc``'s operands, ``switch``'s cases), its errors located below this one."""
        return plugins.build(config, self.device, (*self.loc, *loc))


@dataclass(frozen=True)
class SourceType(Generic[P]):
    name: str
    params: type[P]
    factory: Callable[[P, PluginContext], object]
    summary: str


class PluginRegistry:
    """Maps ``source:`` to a factory; source modules in this package are discovered on first use."""

    def __init__(self, package: str) -> None:
        self._types: dict[str, SourceType[Any]] = {}
        self._package = package
        self._discovered = False

    def register(
        self, name: str, params: type[P], summary: str, aliases: Sequence[str] = ()
    ) -> Callable[[Callable[[P, PluginContext], T]], Callable[[P, PluginContext], T]]:
        def decorate(factory: Callable[[P, PluginContext], T]) -> Callable[[P, PluginContext], T]:
            for key in (name, *aliases):
                if key in self._types:
                    raise ValueError(f"source '{key}' is registered twice")
                self._types[key] = SourceType(name, params, factory, summary)
            return factory

        return decorate

    def names(self) -> list[str]:
        self._discover()
        return sorted(self._types)

    def build(self, config: Any, device: BuildContext, loc: Loc = ()) -> object:
        """Validate one source mapping and build it; errors carry ``loc`` so they point into the file."""
        self._discover()
        if not isinstance(config, Mapping):
            raise NestedParamsError(loc, f"{config!r} is not a source; write a mapping with 'source: …' here")
        name = config.get("source")
        if not isinstance(name, str) or not name:
            raise NestedParamsError((*loc, "source"), f"a source is required; allowed sources: {self._allowed()}")
        source_type = self._types.get(name.lower())
        if source_type is None:
            raise NestedParamsError((*loc, "source"), f"unknown source '{name}'; allowed sources: {self._allowed()}")
        try:
            params = source_type.params.model_validate(dict(config))
        except ValidationError as error:
            raise NestedParamsError(loc, details=error.errors()[0]) from None
        try:
            source = source_type.factory(params, PluginContext(device, loc))
        except ValueError as error:  # a factory's own check of its keys
            raise NestedParamsError(loc, str(error)) from None
        if isinstance(source, Closable):  # closed with the device (nested sources come before their parent)
            device.parts.append(source)
        return source

    def _allowed(self) -> str:
        return ", ".join(self.names())

    def _discover(self) -> None:
        if self._discovered:
            return
        self._discovered = True
        package = importlib.import_module(self._package)
        for module in pkgutil.iter_modules(package.__path__, self._package + "."):
            importlib.import_module(module.name)


plugins = PluginRegistry("surplus.devices.plugins")


# --- typed reads and writes ---------------------------------------------------------------------------------


def _raise_for_error_string(value: Value) -> None:
    if isinstance(value, str):
        error = ERROR_STRINGS.get(value.strip().lower())
        if error is not None:
            raise error(value.strip())


def to_float(value: Value) -> float:
    _raise_for_error_string(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(value.strip())
        except ValueError:
            raise DeviceError(f"{_shown(value)} is not a number") from None
    if not math.isfinite(number):
        raise DeviceError(f"{_shown(value)} is not a finite number")
    return number


def to_int(value: Value) -> int:
    if isinstance(value, str):
        _raise_for_error_string(value)
        try:
            return int(value.strip(), 0)
        except ValueError:
            pass
    return round(to_float(value))


def to_bool(value: Value) -> bool:
    _raise_for_error_string(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    try:
        return float(word) != 0
    except ValueError:
        raise DeviceError(f"{_shown(value)} is not a boolean (true/false, on/off, 1/0)") from None


def to_str(value: Value) -> str:
    _raise_for_error_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shown(value: Value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


Reader = Callable[[], Awaitable[T]]
Writer = Callable[[T], Awaitable[None]]


def readable(source: object, loc: Loc) -> Readable:
    """``source`` as a Readable; a source that cannot read is a config error at ``loc``."""
    if not isinstance(source, Readable):
        raise NestedParamsError(loc, "this source cannot be read; use one that reads values")
    return source


def writable(source: object, loc: Loc) -> Writable:
    """``source`` as a Writable; a source that cannot write is a config error at ``loc``."""
    if not isinstance(source, Writable):
        raise NestedParamsError(loc, "this source cannot be written; use one that writes values")
    return source


def reader(source: object, convert: Callable[[Value], T], loc: Loc) -> Reader[T]:
    """A typed read of ``source``."""
    read = readable(source, loc).read

    async def typed() -> T:
        return convert(await read())

    return typed


def writer(source: object, param: str, loc: Loc) -> Writer[Value]:
    """A write of ``param`` to ``source``."""
    write = writable(source, loc).write

    async def typed(value: Value) -> None:
        await write(param, value)

    return typed
