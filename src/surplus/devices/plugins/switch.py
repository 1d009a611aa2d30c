"""``source: switch``: routes a written integer to the setter of its case (battery mode 1/2/3, phases 1/3).

phases1p3p:
  source: switch
  switch:
    - case: 1
      set: {source: http, uri: "http://wallbox/api/set?psm=1"}
    - case: 3
      set: {source: http, uri: "http://wallbox/api/set?psm=2"}
  default: {source: const, value: 0, set: …}     # optional: values without a case
"""

from __future__ import annotations

from typing import Any

from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import PluginContext, PluginParams, Value, Writable, plugins, to_int, writable
from surplus.devices.registry import DeviceParams


class CaseParams(DeviceParams):
    case: int
    set: dict[str, Any]


class SwitchParams(PluginParams):
    switch: list[CaseParams]
    default: dict[str, Any] | None = None


class Switch:
    def __init__(self, cases: dict[int, Writable], default: Writable | None) -> None:
        self._cases = cases
        self._default = default

    async def write(self, param: str, value: Value) -> None:
        target = self._cases.get(to_int(value), self._default)
        if target is None:
            known = ", ".join(map(str, self._cases))
            raise DeviceError(f"switch: no case for {value!r} and no default; cases: {known}")
        await target.write(param, value)


@plugins.register("switch", SwitchParams, "writes a value to the setter of its case")
def build(params: SwitchParams, context: PluginContext) -> Switch:
    cases: dict[int, Writable] = {}
    for index, case in enumerate(params.switch):
        if case.case in cases:
            raise ValueError(f"switch has case {case.case} twice")
        loc = ("switch", index, "set")
        cases[case.case] = writable(context.plugin(case.set, *loc), (*context.loc, *loc))
    default = None
    if params.default is not None:
        default = writable(context.plugin(params.default, "default"), (*context.loc, "default"))
    return Switch(cases, default)
