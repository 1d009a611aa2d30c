"""Building a device with exactly the capabilities its configuration gives it.

The application tells a device's capabilities by the protocols it implements (``isinstance`` against
:mod:`surplus.devices.protocols`), so a custom meter without ``energy`` must not have ``total_energy``. Each
capability is a small mixin that calls a reader or writer stored on the instance; :func:`assemble` makes a class
of the base and the mixins the configuration asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from surplus.devices.custom.capabilities import METER_VALUES, PHASE_VALUES, Triple
from surplus.devices.plugins.base import Reader, Value, Writer, plugins, reader, to_float, writer
from surplus.devices.protocols import Closable
from surplus.devices.registry import BuildContext, NestedParamsError

T = TypeVar("T")


class _Parts:
    """Closes the sources built for the device (a Modbus connection's share, a watchdog's task), last built first."""

    _parts: list[Closable]

    async def close(self) -> None:
        for part in reversed(self._parts):
            await part.close()


def assemble(base: type[T], mixins: Iterable[type], attributes: Mapping[str, Any], context: BuildContext) -> T:
    """An instance of ``base`` plus ``mixins``, with ``attributes`` set on it; closable when its sources are."""
    if context.parts:
        mixins, attributes = [*mixins, _Parts], {**attributes, "_parts": list(context.parts)}
    bases = (base, *mixins)
    kind = type(base.__name__, bases, {}) if len(bases) > 1 else base
    device: T = object.__new__(kind)
    for name, value in attributes.items():
        setattr(device, name, value)
    return device


def read(config: Any, context: BuildContext, convert: Callable[[Value], T], *loc: str | int) -> Reader[T]:
    """A typed reader of the source configured at ``loc`` (relative to the device entry)."""
    return reader(plugins.build(config, context, loc), convert, loc)


def write(config: Any, context: BuildContext, param: str, *loc: str | int) -> Writer[Value]:
    """A writer of ``param`` to the source configured at ``loc``."""
    return writer(plugins.build(config, context, loc), param, loc)


def read_triple(configs: list[Any], context: BuildContext, key: str) -> Reader[Triple]:
    """Three float sources (L1, L2, L3) read as one value."""
    if len(configs) != 3:
        raise NestedParamsError((key,), f"{len(configs)} sources given; {key} needs exactly three (L1, L2, L3)")
    l1, l2, l3 = (read(config, context, to_float, key, index) for index, config in enumerate(configs))

    async def triple() -> Triple:
        return (await l1(), await l2(), await l3())

    return triple


def meter_values(
    configs: Mapping[str, Any], context: BuildContext, mixins: list[type], attributes: dict[str, Any]
) -> None:
    """Add the meter values that are configured (``power``, ``energy``, ``currents``…) to a device's parts."""
    for key, config in configs.items():
        if config is None:
            continue
        if key in PHASE_VALUES:
            mixins.append(PHASE_VALUES[key])
            attributes[f"_{key}"] = read_triple(config, context, key)
        else:
            mixin, attribute = METER_VALUES[key]
            mixins.append(mixin)
            attributes[attribute] = read(config, context, to_float, key)
