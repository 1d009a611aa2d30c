"""The tariff service: refreshing, retrying with backoff, keeping rates through an outage, showing it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from surplus.clock import VirtualClock
from surplus.core.rates import Rate
from surplus.state import State
from surplus.tariffs.base import PermanentTariffError, PriceParams, TariffError, TariffKind
from surplus.tariffs.service import Source, TariffService
from tests.server.harness import running

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class Provider:
    """A provider whose answers the test scripts: rates, or an error to raise."""

    def __init__(self, kind: TariffKind, answers: list[list[Rate] | Exception]) -> None:
        self._kind = kind
        self.answers = answers
        self.calls: list[datetime] = []
        self.clock: VirtualClock | None = None

    def kind(self) -> TariffKind:
        return self._kind

    def interval(self) -> timedelta:
        return timedelta(hours=1)

    async def fetch(self) -> list[Rate]:
        assert self.clock is not None
        self.calls.append(self.clock.now())
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def hourly(start: datetime, values: list[float]) -> list[Rate]:
    return [Rate(start + timedelta(hours=i), start + timedelta(hours=i + 1), v) for i, v in enumerate(values)]


def service(providers: dict[str, Provider], clock: VirtualClock, state: State) -> TariffService:
    for provider in providers.values():
        provider.clock = clock
    return TariffService(clock, state, {u: [Source(u, p, PriceParams())] for u, p in providers.items()})


async def settle(clock: VirtualClock) -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_rates_are_normalised_to_quarter_hours_and_composed() -> None:
    clock, state = VirtualClock(T0), State()
    grid = Provider(TariffKind.PRICE_FORECAST, [hourly(T0, [0.30, 0.20])])
    tariffs = TariffService(clock, state, {"grid": [Source("grid", grid, PriceParams(charges=0.1, tax=0.19))]})
    grid.clock = clock
    await tariffs.refresh(tariffs._sources["grid"][0])
    rates = tariffs.rates("grid")
    assert rates is not None and len(rates) == 8
    assert rates[0].end - rates[0].start == timedelta(minutes=15)
    assert abs(rates[0].value - (0.30 + 0.1) * 1.19) < 1e-12
    assert tariffs.snapshot().planner == tuple(rates)  # a grid price forecast plans
    assert state.get("smartCostType") == "priceforecast"
    assert state.get("forecast")["grid"][0] == [
        T0.timestamp(),
        (T0 + timedelta(minutes=15)).timestamp(),
        rates[0].value,
    ]


async def test_a_failing_fetch_is_retried_with_backoff_and_known_rates_survive_the_outage() -> None:
    clock, state = VirtualClock(T0), State()
    grid = Provider(TariffKind.PRICE_FORECAST, [hourly(T0, [0.3] * 24), TariffError("connection refused")])
    tariffs = service({"grid": grid}, clock, state)
    source = tariffs._sources["grid"][0]
    await tariffs.refresh(source)
    assert len(tariffs.rates("grid") or []) == 96
    clock.advance(3600)
    refreshing = asyncio.ensure_future(tariffs.refresh(source))
    waits = []
    while not refreshing.done():
        await settle(clock)
        if refreshing.done():
            break
        before = clock.now()
        clock.advance(0.5)
        while clock.sleepers:
            clock.advance(0.5)
        waits.append((clock.now() - before).total_seconds())
        await settle(clock)
    await refreshing
    gaps = [(b - a).total_seconds() for a, b in zip(grid.calls[1:], grid.calls[2:], strict=False)]
    assert gaps == [1.0, 2.0, 4.0, 8.0, 16.0]  # then the next wait would pass the minute's budget
    assert len(tariffs.rates("grid") or []) == 92  # the hour that passed was pruned, the future kept
    status = state.get("tariffs")["status"]["grid"][0]
    assert status["error"] == "connection refused"
    assert status["rates"] == 92


async def test_a_permanent_error_is_not_retried() -> None:
    clock, state = VirtualClock(T0), State()
    grid = Provider(TariffKind.PRICE_FORECAST, [PermanentTariffError("401: token rejected")])
    tariffs = service({"grid": grid}, clock, state)
    await tariffs.refresh(tariffs._sources["grid"][0])
    assert len(grid.calls) == 1
    assert tariffs.rates("grid") == []
    assert state.get("tariffs")["status"]["grid"][0]["error"] == "401: token rejected"


async def test_a_formula_that_fails_at_one_slot_is_a_tariff_error_not_the_end_of_refreshing() -> None:
    clock, state = VirtualClock(T0), State()
    grid = Provider(TariffKind.PRICE_FORECAST, [hourly(T0, [0.3, 0.0])])
    grid.clock = clock
    params = PriceParams(formula="charges / price")  # nothing to divide by at the free hour
    tariffs = TariffService(clock, state, {"grid": [Source("grid", grid, params)]})
    await tariffs.refresh(tariffs._sources["grid"][0])  # raised out of the refresh task before
    assert "fails for the slot at 2026-06-01T13:00:00+00:00" in state.get("tariffs")["status"]["grid"][0]["error"]
    assert tariffs.rates("grid") == []


async def test_the_planner_resolves_like_evcc() -> None:
    clock, state = VirtualClock(T0), State()
    static = Provider(TariffKind.PRICE_STATIC, [hourly(T0, [0.3])])
    co2 = Provider(TariffKind.CO2, [hourly(T0, [300.0])])
    tariffs = service({"grid": static, "co2": co2}, clock, state)
    for source in (tariffs._sources["grid"][0], tariffs._sources["co2"][0]):
        await tariffs.refresh(source)
    assert tariffs.smart_cost_type() == "co2"  # a static grid price does not plan; CO₂ does
    assert [r.value for r in tariffs.snapshot().planner] == [300.0] * 4
    alone = service({"grid": static}, clock, State())
    await alone.refresh(alone._sources["grid"][0])
    assert alone.snapshot().planner == ()  # static prices: plans simply end at their time
    assert alone.smart_cost_type() is None


async def test_configured_fixed_tariffs_are_served(tmp_path: Path) -> None:
    config = """\
site: {meters: {grid: grid}}
meters: [{name: grid, type: scripted, usage: grid}]
tariffs:
  grid: {type: fixed, price: 0.30, zones: [{hours: "0-6", price: 0.20}]}
  feedin: {type: fixed, price: 0.08}
"""
    async with running(tmp_path / "t.db", config=config) as app:
        app.runtime.tariffs.start()
        await settle(app.clock)
        await app.cycle()
        grid = (await app.client.get("/api/tariff/grid")).json()["rates"]
        assert {rate["value"] for rate in grid} == {0.2, 0.3}
        assert (await app.client.get("/api/tariff/planner")).json()["rates"] == grid
        assert (await app.client.get("/api/tariff/co2")).status_code == 404
        state = await app.state()
        assert state["tariffGrid"] == 0.3  # 12:00
        assert state["tariffFeedIn"] == 0.08
        assert state["smartCostAvailable"] is True
        await app.runtime.tariffs.stop()
