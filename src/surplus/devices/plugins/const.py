"""``source: const``: a fixed value; as a setter, writes that value to the ``set`` source instead of the one given."""

from __future__ import annotations

from typing import Any

from surplus.devices.plugins.base import PluginContext, PluginParams, Value, Writable, plugins, writable


class ConstParams(PluginParams):
    value: Value
    set: dict[str, Any] | None = None


class Const:
    def __init__(self, value: Value) -> None:
        self._value = value

    async def read(self) -> Value:
        return self._value


class ConstSetter(Const):
    """Writes its own value whatever it is asked to write (a fixed register value that means "on")."""

    def __init__(self, value: Value, target: Writable) -> None:
        super().__init__(value)
        self._target = target

    async def write(self, param: str, value: Value) -> None:
        await self._target.write(param, self._value)


@plugins.register("const", ConstParams, "a fixed value")
def build(params: ConstParams, context: PluginContext) -> Const:
    if params.set is None:
        return Const(params.value)
    return ConstSetter(params.value, writable(context.plugin(params.set, "set"), (*context.loc, "set")))
