"""``type: go-e``: go-e chargers over their local HTTP API (v1 or v2, detected unless configured).

With a ``token`` the same v2 API is reached through go-e's cloud (``uri: https://<serial>.api.v3.go-e.io``);
the token travels as a bearer header, never in the URL, so it shows in no log or message.

Phase switching needs API v2. With the version detected rather than configured, the charger offers it, and a
v1 device answers a switch with NotAvailable; configure ``apiversion: 1`` to leave it out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from pydantic import SecretStr

from surplus.config.schema import Duration
from surplus.core.types import ChargeStatus
from surplus.devices.chargers.goe_api import V1, V2, Dialect, GoeState, Write
from surplus.devices.chargers.local_http import HttpStatusError, LocalHttp, device_url
from surplus.devices.chargers.snapshot import Snapshot
from surplus.devices.errors import DeviceError, NotAvailable
from surplus.devices.protocols import Triple
from surplus.devices.registry import BuildContext, DeviceParams, NestedParamsError, registry

#: ``car``: 1 idle, 2 charging, 3 waiting for the car, 4 charge finished
STATUS = {1: ChargeStatus.A, 2: ChargeStatus.C, 3: ChargeStatus.B, 4: ChargeStatus.B}
#: ``psm`` → phases
PHASES = {1: 1, 2: 3}


class GoEParams(DeviceParams):
    uri: str | None = None
    host: str | None = None
    token: SecretStr | None = None
    api_version: Literal[1, 2] | None = None
    timeout: Duration = timedelta(seconds=5)
    cache: Duration = timedelta(seconds=1)


class GoE:
    def __init__(self, http: LocalHttp, context: BuildContext, dialect: Dialect | None, cache: timedelta) -> None:
        self._http = http
        self._dialect = dialect
        self._snapshot = Snapshot(self._fetch, context.clock, cache)

    async def _fetch(self) -> GoeState:
        if self._dialect is not None:
            return await self._read(self._dialect)
        try:
            state = await self._read(V2())
            self._dialect = V2()
        except HttpStatusError as error:
            if error.status != 404:
                raise
            state = await self._read(V1())  # no /api/status: a charger that speaks API v1 only
            self._dialect = V1()
        return state

    async def _read(self, dialect: Dialect) -> GoeState:
        answer = await self._http.get_json(dialect.status_path, dialect.status_params)
        return dialect.state(answer, self._http.where)

    async def _write(self, request: Callable[[Dialect], Write]) -> None:
        if self._dialect is None:
            await self._snapshot.get()  # tells the API version
        assert self._dialect is not None, "the first status answer sets the dialect"
        write = request(self._dialect)
        answer = await self._http.get_json(write.path, write.params)
        self._snapshot.invalidate()
        self._dialect.confirm(write, answer, self._http.where)

    async def status(self) -> ChargeStatus:
        car = (await self._snapshot.get()).car
        if car not in STATUS:
            raise DeviceError(f"{self._http.where} reports an error (car state {car})")
        return STATUS[car]

    async def enabled(self) -> bool:
        return (await self._snapshot.get()).allowed

    async def enable(self, enable: bool) -> None:
        await self._write(lambda dialect: dialect.enable(enable))

    async def max_current(self, current: int) -> None:
        await self._write(lambda dialect: dialect.current(current))

    async def get_max_current(self) -> float:
        return (await self._snapshot.get()).current

    async def current_power(self) -> float:
        return (await self._snapshot.get()).power

    async def total_energy(self) -> float:
        return (await self._snapshot.get()).energy

    async def charged_energy(self) -> float:
        return (await self._snapshot.get()).session

    async def currents(self) -> Triple:
        return (await self._snapshot.get()).currents

    async def voltages(self) -> Triple:
        return (await self._snapshot.get()).voltages

    async def identify(self) -> str:
        return (await self._snapshot.get()).card

    async def close(self) -> None:
        await self._http.close()


class SwitchingGoE(GoE):
    """A go-e that may switch phases (API v2)."""

    async def phases_1p3p(self, phases: int) -> None:
        await self._write(lambda dialect: dialect.phases(phases))

    async def get_phases(self) -> int:
        mode = (await self._snapshot.get()).phase_mode
        if mode not in PHASES:
            raise NotAvailable(f"{self._http.where} chooses the phases itself (psm={mode})")
        return PHASES[mode]


@registry.register("charger", "go-e", GoEParams, "go-e charger over its local HTTP API v1/v2 (or go-e's cloud)")
def build(params: GoEParams, context: BuildContext) -> GoE:
    url = device_url(params.uri, params.host)
    token = params.token.get_secret_value() if params.token is not None else ""
    if token and params.api_version == 1:
        raise NestedParamsError(("apiversion",), "the go-e cloud is reached through API v2; remove apiversion: 1")
    http = LocalHttp(
        "go-e",
        url,
        params.timeout,
        headers={"authorization": f"Bearer {token}"} if token else None,
        secrets=[token],
    )
    dialect = {1: V1(), 2: V2(), None: None}[params.api_version]
    kind = GoE if params.api_version == 1 else SwitchingGoE
    return kind(http, context, dialect, params.cache)
