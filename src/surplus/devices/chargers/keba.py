"""``type: keba``: KEBA KeContact P20/P30 over UDP (facts from KEBA's UDP programmer's guide).

``report 2`` tells the state (``Plug`` below 5: no car; ``State`` 3 charging, 4 error) and whether charging is
enabled (``Enable sys``); ``report 3`` the meter (``P`` in mW, ``I1..3`` in mA, ``U1..3`` in V, ``E pres`` and
``E total`` in 0.1 Wh); ``report 100`` the RFID tag of the session. ``ena 0|1``, ``curr <mA>``, ``start <tag>
<class>`` and ``x2 0|1`` (one or three phases, when the box lets UDP switch them) answer ``TCH-OK :done``.

Keys: ``uri`` (the box, ``host`` or ``host:port``), ``rfid`` (``tag`` and ``class``: authorised with ``start``
before each enable), ``phases1p3p: true`` for a box set up to switch phases over UDP, and ``listenport``: 7090,
where real boxes answer; only a simulated box answers elsewhere. Each reply is awaited ``timeout`` long, a
command is sent up to three times, and the reports are kept for ``cache`` on the device clock so a control
cycle asks each one once.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TypeVar

from pydantic import BaseModel, Field

from surplus.config.schema import Duration
from surplus.core.types import ChargeStatus
from surplus.devices.chargers.answers import validated
from surplus.devices.chargers.keba_udp import PORT, Address, KebaListener, Matcher, resolve
from surplus.devices.chargers.snapshot import Snapshot
from surplus.devices.errors import DeviceError
from surplus.devices.protocols import Triple
from surplus.devices.registry import BuildContext, DeviceParams, NestedParamsError, registry

ATTEMPTS = 3
SNIPPET = 60

M = TypeVar("M", bound=BaseModel)


class RfidParams(DeviceParams):
    tag: str = Field(min_length=1)
    class_: str = ""


class KebaParams(DeviceParams):
    uri: str
    rfid: RfidParams | None = None
    timeout: Duration = timedelta(seconds=2)
    cache: Duration = timedelta(seconds=1)
    #: the local port the box answers to: 7090 for real boxes, another one for a simulated box
    listen_port: int = Field(PORT, ge=0, le=65535)
    phases_1p3p: bool = False


class _State(BaseModel):
    """``report 2``."""

    state: int = Field(alias="State")
    plug: int = Field(alias="Plug")
    enabled: int = Field(alias="Enable sys")
    current: float = Field(alias="Curr user")
    error: int = Field(0, alias="Error1")
    x2: int = Field(0, alias="X2 phaseSwitch")


class _Meter(BaseModel):
    """``report 3``."""

    u1: float = Field(alias="U1")
    u2: float = Field(alias="U2")
    u3: float = Field(alias="U3")
    i1: float = Field(alias="I1")
    i2: float = Field(alias="I2")
    i3: float = Field(alias="I3")
    power: float = Field(alias="P")
    session: float = Field(alias="E pres")
    total: float = Field(alias="E total")


class _Session(BaseModel):
    """``report 100``."""

    tag: str = Field("", alias="RFID tag")


class Keba:
    def __init__(self, listener: KebaListener, params: KebaParams, host: str, port: int, context: BuildContext) -> None:
        self._listener = listener
        self._host, self._port = host, port
        self._where = f"KEBA at {params.uri}"
        self._timeout = params.timeout.total_seconds()
        self._rfid = params.rfid
        self._box: Address | None = None
        clock, cache = context.clock, params.cache
        self._state = Snapshot(lambda: self._report(2, _State), clock, cache)
        self._meter = Snapshot(lambda: self._report(3, _Meter), clock, cache)
        self._session = Snapshot(lambda: self._report(100, _Session), clock, cache)

    async def _roundtrip(self, command: str, match: Matcher) -> str:
        if self._box is None:
            self._box = await resolve(self._host, self._port)
        for _ in range(ATTEMPTS):
            try:
                return await self._listener.request(self._box, command, match, self._timeout)
            except TimeoutError:
                continue
        word = command.split()[0]  # never the RFID tag of a start
        raise DeviceError(f"{self._where}: no answer to '{word}' in {ATTEMPTS} tries of {self._timeout:g}s")

    def _garbage(self, word: str, text: str) -> DeviceError:
        shown = text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"
        return DeviceError(f"{self._where} answered '{word}' with garbage: {shown!r}")

    async def _report(self, number: int, model: type[M]) -> M:
        def match(text: str) -> str | None:
            try:
                data = json.loads(text)
            except ValueError:
                raise self._garbage(f"report {number}", text) from None
            if not isinstance(data, dict):
                raise self._garbage(f"report {number}", text)
            return text if str(data.get("ID")) == str(number) else None

        answer = await self._roundtrip(f"report {number}", match)
        return validated(model, json.loads(answer), f"{self._where} (report {number})")

    async def _command(self, command: str) -> None:
        word = command.split()[0]

        def match(text: str) -> str | None:
            if text.startswith("TCH-OK"):
                return text
            if text.startswith("TCH-ERR"):
                raise DeviceError(f"{self._where} refused '{word}': {text}")
            if text.startswith("{"):
                return None  # a broadcast
            raise self._garbage(word, text)

        await self._roundtrip(command, match)
        self._state.invalidate()
        self._meter.invalidate()

    async def status(self) -> ChargeStatus:
        state = await self._state.get()
        if state.state == 4:
            raise DeviceError(f"{self._where} reports an error (State 4, Error1 {state.error})")
        if state.plug < 5:
            return ChargeStatus.A
        return ChargeStatus.C if state.state == 3 else ChargeStatus.B

    async def enabled(self) -> bool:
        return (await self._state.get()).enabled == 1

    async def enable(self, enable: bool) -> None:
        if enable and self._rfid is not None:
            await self._command(f"start {self._rfid.tag} {self._rfid.class_}".rstrip())
        await self._command(f"ena {int(enable)}")

    async def max_current(self, current: int) -> None:
        await self._command(f"curr {current * 1000}")

    async def max_current_millis(self, current: float) -> None:
        await self._command(f"curr {round(current * 1000)}")

    async def get_max_current(self) -> float:
        return (await self._state.get()).current / 1000

    async def current_power(self) -> float:
        return (await self._meter.get()).power / 1000

    async def total_energy(self) -> float:
        return (await self._meter.get()).total / 10_000

    async def charged_energy(self) -> float:
        return (await self._meter.get()).session / 10_000

    async def currents(self) -> Triple:
        meter = await self._meter.get()
        return (meter.i1 / 1000, meter.i2 / 1000, meter.i3 / 1000)

    async def voltages(self) -> Triple:
        meter = await self._meter.get()
        return (meter.u1, meter.u2, meter.u3)

    async def identify(self) -> str:
        tag = (await self._session.get()).tag.strip()
        return "" if not tag.strip("0") else tag

    async def close(self) -> None:
        self._listener.release()


class SwitchingKeba(Keba):
    """A box whose phases UDP may switch (``x2``: 0 one phase, 1 three phases)."""

    async def phases_1p3p(self, phases: int) -> None:
        await self._command(f"x2 {0 if phases == 1 else 1}")

    async def get_phases(self) -> int:
        return 3 if (await self._state.get()).x2 else 1


def _host_and_port(uri: str) -> tuple[str, int]:
    text = uri.strip().removeprefix("udp://")
    host, colon, port = text.rpartition(":")
    if not colon:
        return text, PORT
    if not port.isdigit() or not 0 < int(port) < 65536 or not host:
        raise NestedParamsError(("uri",), f"'{uri}' is not a host or host:port")
    return host, int(port)


@registry.register("charger", "keba", KebaParams, "KEBA KeContact P20/P30 over UDP")
def build(params: KebaParams, context: BuildContext) -> Keba:
    host, port = _host_and_port(params.uri)
    listener = context.shared(f"keba-udp:{params.listen_port}", lambda: KebaListener(params.listen_port))
    listener.users += 1
    kind = SwitchingKeba if params.phases_1p3p else Keba
    return kind(listener, params, host, port, context)
