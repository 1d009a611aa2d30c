"""``source: js``: a value computed by a JavaScript snippet (QuickJS), or a snippet run to write one.

    power:
      source: js
      vm: house                    # sources naming the same vm share its variables
      script: |
        var grid = (typeof grid === "undefined" ? 0 : grid) + 100;
        grid
    maxcurrent:
      source: js
      vm: house
      script: wallbox = maxcurrent     # a write sees the value as a variable named after the attribute

A read's value is the script's last expression. Each run is limited in time and the vm in memory, so an
endless loop or a runaway allocation is a DeviceError and not a hang. evcc's ``in``/``out`` (values of other
sources passed in and out) are not supported.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import quickjs
from pydantic import field_validator

from surplus.config.schema import Duration
from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import PluginContext, PluginParams, Value, plugins

MEMORY_LIMIT = 32 * 1024 * 1024


class JsParams(PluginParams):
    script: str
    vm: str = ""
    timeout: Duration = timedelta(seconds=1)

    @field_validator("script")
    @classmethod
    def _parses(cls, script: str) -> str:
        checker = quickjs.Context()
        checker.set("source", script)
        try:
            checker.eval("new Function(source)")  # compiles the script without running it
        except quickjs.JSException as error:
            raise ValueError(f"the script does not parse: {_first_line(error)}") from None
        return script


class Js:
    def __init__(self, vm: Any, script: str, timeout: timedelta) -> None:
        self._vm = vm
        self._script = script
        self._seconds = timeout.total_seconds()

    async def read(self) -> Value:
        result = self._run()
        if result is None:
            raise DeviceError("js: the script gave no value (null or undefined)")
        if isinstance(result, bool | int | float | str):
            return result
        return str(result.json())

    async def write(self, param: str, value: Value) -> None:
        self._vm.set(param, value)
        self._run()

    def _run(self) -> Any:
        # QuickJS runs on this thread: the time limit is what keeps the event loop from waiting long
        self._vm.set_time_limit(self._seconds)
        try:
            return self._vm.eval(self._script)
        except quickjs.JSException as error:
            problem = _first_line(error)
            if problem == "InternalError: interrupted":
                raise DeviceError(f"js: the script ran longer than {self._seconds:g}s; stopped") from None
            if problem == "InternalError: out of memory":
                raise DeviceError(f"js: the script needs more than {MEMORY_LIMIT >> 20} MB; stopped") from None
            raise DeviceError(f"js: {problem}") from None


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def _vm() -> Any:
    vm = quickjs.Context()
    vm.set_memory_limit(MEMORY_LIMIT)
    return vm


@plugins.register("js", JsParams, "a value computed by JavaScript, or JavaScript run to write one")
def build(params: JsParams, context: PluginContext) -> Js:
    vm = context.device.shared(f"js-vm:{params.vm}", _vm) if params.vm else _vm()
    return Js(vm, params.script, params.timeout)
