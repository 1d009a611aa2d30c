"""``source: sequence``: writes a value to several setters in order (a mode register, then a limit…)."""

from __future__ import annotations

from collections.abc import Sequence as Ordered
from typing import Any

from pydantic import Field

from surplus.devices.plugins.base import PluginContext, PluginParams, Value, Writable, plugins, writable


class SequenceParams(PluginParams):
    set: list[dict[str, Any]] = Field(min_length=1)


class Sequence:
    def __init__(self, targets: Ordered[Writable]) -> None:
        self._targets = targets

    async def write(self, param: str, value: Value) -> None:
        for target in self._targets:
            await target.write(param, value)


@plugins.register("sequence", SequenceParams, "writes a value to several setters, one after the other")
def build(params: SequenceParams, context: PluginContext) -> Sequence:
    targets = [
        writable(context.plugin(config, "set", index), (*context.loc, "set", index))
        for index, config in enumerate(params.set)
    ]
    return Sequence(targets)
