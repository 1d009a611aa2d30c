"""``source: calc``: arithmetic over other sources: ``add``, ``mul``, ``div``, ``min``, ``max`` of a list, or
``abs`` and ``sign`` of one (battery power from charge and discharge registers, a phase sum…)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import model_validator

from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import PluginContext, PluginParams, Reader, Value, plugins, reader, to_float

Source = dict[str, Any]
LIST_OPERATIONS = ("add", "mul", "div", "min", "max")
UNARY_OPERATIONS = ("abs", "sign")


class CalcParams(PluginParams):
    add: list[Source] | None = None
    mul: list[Source] | None = None
    div: list[Source] | None = None
    min: list[Source] | None = None
    max: list[Source] | None = None
    abs: Source | None = None
    sign: Source | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> CalcParams:
        given = [name for name in (*LIST_OPERATIONS, *UNARY_OPERATIONS) if getattr(self, name) is not None]
        if len(given) != 1:
            allowed = ", ".join((*LIST_OPERATIONS, *UNARY_OPERATIONS))
            raise ValueError(f"calc needs exactly one operation, {len(given)} given; allowed: {allowed}")
        return self


def _divide(values: Sequence[float]) -> float:
    result = values[0]
    for divisor in values[1:]:
        if divisor == 0:
            raise DeviceError("calc: division by zero")
        result /= divisor
    return result


FOLDS: dict[str, Callable[[Sequence[float]], float]] = {
    "add": math.fsum,
    "mul": math.prod,
    "div": _divide,
    "min": min,
    "max": max,
    "abs": lambda values: abs(values[0]),
    "sign": lambda values: float((values[0] > 0) - (values[0] < 0)),
}


class Calc:
    def __init__(self, fold: Callable[[Sequence[float]], float], operands: Sequence[Reader[float]]) -> None:
        self._fold = fold
        self._operands = operands

    async def read(self) -> Value:
        return self._fold([await operand() for operand in self._operands])


@plugins.register("calc", CalcParams, "add, multiply, divide, min, max, abs or sign of other sources")
def build(params: CalcParams, context: PluginContext) -> Calc:
    name = next(n for n in (*LIST_OPERATIONS, *UNARY_OPERATIONS) if getattr(params, n) is not None)
    configured = getattr(params, name)
    configs: list[Source] = configured if isinstance(configured, list) else [configured]
    if not configs:
        raise ValueError(f"calc {name} needs at least one source")
    operands = [
        reader(context.plugin(config, name, index), to_float, (*context.loc, name, index))
        for index, config in enumerate(configs)
    ]
    return Calc(FOLDS[name], operands)
