"""Talking to one Shelly channel, gen1 or gen2+ alike (facts from Shelly's public API docs).

``GET /shelly`` answers without credentials in both generations and tells them apart: gen2 and later say
``"gen": 2`` (or 3, 4), gen1 says nothing of it but names its ``type`` (``SHEM-3`` is the 3EM). Gen1 checks
credentials with basic auth, gen2 with digest auth (user ``admin``). Gen1 reads ``/status`` and switches with
``/relay/<n>?turn=on|off``; gen2 reads ``/rpc/Switch.GetStatus?id=<n>`` (a relay) or ``/rpc/Shelly.GetStatus``
(any meter) and switches with ``/rpc/Switch.Set?id=<n>&on=true|false``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import httpx
from pydantic import Field, SecretStr

from surplus.config.schema import Duration
from surplus.devices.chargers.local_http import LocalHttp, device_url
from surplus.devices.chargers.shelly_readings import ShellyReading, gen1, gen2_meter, gen2_switch
from surplus.devices.chargers.snapshot import Snapshot
from surplus.devices.errors import DeviceError
from surplus.devices.registry import BuildContext, DeviceParams

GEN1_THREE_PHASE = "SHEM-3"
GEN2_USER = "admin"


class ShellyParams(DeviceParams):
    """The keys of a Shelly charger and a Shelly meter."""

    uri: str
    user: str = ""
    password: SecretStr = SecretStr("")
    channel: int = Field(0, ge=0)
    timeout: Duration = timedelta(seconds=5)
    cache: Duration = timedelta(seconds=1)


class Shelly:
    """One channel of a Shelly, read as a relay (``switch``) or as a meter (``meter``)."""

    def __init__(
        self,
        http: LocalHttp,
        context: BuildContext,
        *,
        channel: int,
        user: str,
        password: str,
        cache: timedelta,
        reads: Literal["switch", "meter"],
    ) -> None:
        self._http = http
        self._channel = channel
        self._user, self._password = user, password
        self._reads = reads
        self._generation = 0
        self._model = ""
        self._snapshot = Snapshot(self._fetch, context.clock, cache)

    async def reading(self) -> ShellyReading:
        return await self._snapshot.get()

    async def _identify(self) -> None:
        """The generation, the model, and the kind of auth that goes with them (once, on first use)."""
        if self._generation:
            return
        info = await self._http.get_json("/shelly")
        if not isinstance(info, dict):
            raise DeviceError(f"{self._http.where} answered /shelly with {type(info).__name__}, not an object")
        generation = info.get("gen", 1)
        if not isinstance(generation, int):
            raise DeviceError(f"{self._http.where} answered /shelly with generation {generation!r}")
        if self._password:
            if generation >= 2:
                self._http.auth = httpx.DigestAuth(self._user or GEN2_USER, self._password)
            else:
                self._http.auth = httpx.BasicAuth(self._user, self._password)
        self._generation, self._model = generation, str(info.get("model") or info.get("type") or "")

    async def _fetch(self) -> ShellyReading:
        await self._identify()
        where = self._http.where
        if self._generation == 1:
            status = await self._http.get_json("/status")
            return gen1(status, self._channel, self._model == GEN1_THREE_PHASE, where)
        if self._reads == "switch":
            data = await self._http.get_json("/rpc/Switch.GetStatus", {"id": str(self._channel)})
            return gen2_switch(data, where)
        return gen2_meter(await self._http.get_json("/rpc/Shelly.GetStatus"), self._channel, where)

    async def switch(self, on: bool) -> None:
        await self._identify()
        channel = self._channel
        if self._generation == 1:
            answer = await self._http.get_json(f"/relay/{channel}", {"turn": "on" if on else "off"})
            switched = isinstance(answer, dict) and answer.get("ison") is on
        else:
            answer = await self._http.get_json("/rpc/Switch.Set", {"id": str(channel), "on": str(on).lower()})
            switched = isinstance(answer, dict) and "was_on" in answer
        self._snapshot.invalidate()
        if not switched:
            raise DeviceError(f"{self._http.where} did not switch relay {channel} {'on' if on else 'off'}")

    async def close(self) -> None:
        await self._http.close()


def connect(params: ShellyParams, context: BuildContext, reads: Literal["switch", "meter"]) -> Shelly:
    password = params.password.get_secret_value()
    http = LocalHttp("Shelly", device_url(params.uri), params.timeout, secrets=[password])
    return Shelly(
        http, context, channel=params.channel, user=params.user, password=password, cache=params.cache, reads=reads
    )
