"""``source: script``: a command's output through the pipeline; writes as arguments; hanging commands killed."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from surplus.clock import VirtualClock
from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import plugins
from surplus.devices.registry import BuildContext, NestedParamsError

NOW = datetime(2026, 6, 1, 10, tzinfo=UTC)


def script(**config: Any) -> Any:
    return plugins.build({"source": "script", **config}, BuildContext(VirtualClock(NOW)))


async def test_the_output_is_the_value() -> None:
    assert await script(cmd="echo 1500").read() == "1500"
    assert await script(cmd="""echo '{"soc": 71.5, "range": 312}'""", jq=".soc").read() == 71.5
    assert await script(cmd="echo 1500", scale=0.001).read() == 1.5


async def test_a_write_passes_the_value_as_one_argument_without_a_shell(tmp_path: Path) -> None:
    target = tmp_path / "current"
    setter = script(cmd=f"sh -c 'printf %s \"$1\" > {target}' sh '${{maxcurrent}}; rm -rf /'")
    await setter.write("maxcurrent", 16)
    assert target.read_text() == "16; rm -rf /"


async def test_a_command_that_hangs_is_killed_at_the_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(DeviceError, match=r"^script 'sleep' ran longer than 0\.2s; stopped$"):
        await script(cmd="sleep 30", timeout="200ms").read()
    assert time.monotonic() - started < 2


async def test_a_read_given_up_by_its_caller_leaves_no_process_behind(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    reading = asyncio.create_task(script(cmd=f"sh -c 'echo $$ > {pid_file}; exec sleep 30'", timeout="1m").read())
    async with asyncio.timeout(5):  # bounds the wait for the command to start
        while not pid_file.exists() or not pid_file.read_text().strip():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(int(pid_file.read_text()), 0)


@pytest.mark.parametrize(
    ("cmd", "message"),
    [
        ("sh -c 'echo no battery >&2; exit 3'", "script 'sh' failed with exit status 3: no battery"),
        ("false", "script 'false' failed with exit status 1"),
        ("/nonexistent/soc --password hunter2", "script '/nonexistent/soc' cannot start: No such file"),
    ],
)
async def test_failures_name_the_program_only(cmd: str, message: str) -> None:
    with pytest.raises(DeviceError) as raised:
        await script(cmd=cmd).read()
    assert str(raised.value).startswith(message)
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(("cmd", "message"), [("echo 'unclosed", "does not split"), ("  ", "cmd is empty")])
def test_commands_that_cannot_run_are_config_errors(cmd: str, message: str) -> None:
    with pytest.raises(NestedParamsError) as raised:
        script(cmd=cmd)
    assert raised.value.details is not None and message in raised.value.details["msg"]
