"""``source: script``: a value from a command's output, or a command that writes one.

    soc:
      source: script
      cmd: /usr/local/bin/car-soc --vin ${vin}
      jq: .soc
    enable:
      source: script
      cmd: /usr/local/bin/relay ${enable}

The command is split like a shell would split it but runs without a shell, so a written value is one argument
and never shell syntax. It runs for at most ``timeout`` and is killed after that.
"""

from __future__ import annotations

import asyncio
import shlex
from datetime import timedelta

from pydantic import field_validator

from surplus.config.schema import Duration
from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import PluginContext, PluginParams, Value, plugins
from surplus.devices.plugins.pipeline import Pipeline, PipelineParams, pipeline, scaled
from surplus.devices.plugins.placeholders import render

#: how much of the error output a message quotes
STDERR_SNIPPET = 200


class ScriptParams(PluginParams, PipelineParams):
    cmd: str
    timeout: Duration = timedelta(seconds=10)
    scale: float = 1.0

    @field_validator("cmd")
    @classmethod
    def _splits(cls, cmd: str) -> str:
        try:
            words = shlex.split(cmd)
        except ValueError as error:
            raise ValueError(f"cmd does not split into words: {error}") from None
        if not words:
            raise ValueError("cmd is empty; write the program and its arguments")
        return cmd


class Script:
    def __init__(self, words: list[str], timeout: timedelta, values: Pipeline, scale: float) -> None:
        self._words = words
        self._timeout = timeout
        self._pipeline = values
        self._scale = scale

    async def read(self) -> Value:
        return scaled(self._pipeline.process(await self._run(self._words)), self._scale)

    async def write(self, param: str, value: Value) -> None:
        await self._run([render(word, {param: value}) for word in self._words])

    async def _run(self, words: list[str]) -> bytes:
        # messages name the program only: its arguments may carry a password
        program = words[0]
        try:
            process = await asyncio.create_subprocess_exec(
                *words, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
        except OSError as error:
            raise DeviceError(f"script '{program}' cannot start: {error.strerror or error}") from None
        seconds = self._timeout.total_seconds()
        try:
            async with asyncio.timeout(seconds):
                output, errors = await process.communicate()
        except TimeoutError:
            raise DeviceError(f"script '{program}' ran longer than {seconds:g}s; stopped") from None
        finally:
            if process.returncode is None:  # timed out, or the read was cancelled: no process is left behind
                process.kill()
                await asyncio.shield(process.wait())
        if process.returncode != 0:
            detail = errors.decode(errors="replace").strip()[-STDERR_SNIPPET:]
            failed = f"script '{program}' failed with exit status {process.returncode}"
            raise DeviceError(f"{failed}: {detail}" if detail else failed)
        return output


@plugins.register("script", ScriptParams, "a value from a command's output, or a command that writes one")
def build(params: ScriptParams, context: PluginContext) -> Script:
    return Script(shlex.split(params.cmd), params.timeout, pipeline(params), params.scale)
