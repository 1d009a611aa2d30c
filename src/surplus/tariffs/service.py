"""Keeping every configured tariff up to date, the same way for all providers.

Each tariff refreshes on its provider's schedule in a task of its own. A failed fetch is retried with
exponential backoff (1 s, 2 s, 4 s … for at most a minute); a permanent error (4xx, unparsable data) is not
retried until the next scheduled refresh. Rates already known are kept through an outage, the outage shows in
the state, and the control loop only ever reads the last good rates: it never waits for a provider.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from surplus.clock import Clock
from surplus.core.rates import Rate, rate_at
from surplus.core.site import Tariffs
from surplus.logs import get_logger
from surplus.state import State
from surplus.tariffs.base import PermanentTariffError, PriceParams, Tariff, TariffError, TariffKind
from surplus.tariffs.composition import compose
from surplus.tariffs.slots import merge, to_slots

USAGES = ("grid", "feedin", "co2", "planner", "solar", "temperature")
FIRST_RETRY = 1.0
RETRY_BUDGET = 60.0

log = get_logger("tariff")


@dataclass
class Source:
    """One configured tariff and what is known from it."""

    usage: str
    tariff: Tariff
    params: object
    rates: list[Rate] = field(default_factory=list)
    updated: datetime | None = None
    error: str | None = None

    @property
    def kind(self) -> TariffKind:
        return self.tariff.kind()


class TariffService:
    def __init__(self, clock: Clock, state: State, sources: dict[str, list[Source]]) -> None:
        self._clock = clock
        self._state = state
        self._sources = sources
        self._tasks: list[asyncio.Task[None]] = []

    # --- what the loop and the API read ---------------------------------------------------------------

    def rates(self, usage: str) -> list[Rate] | None:
        """The known rates of a usage (solar: every configured plant summed); None when not configured."""
        if usage == "planner":
            planner = self._planner()
            return list(planner.rates) if planner else None
        sources = self._sources.get(usage)
        if not sources:
            return None
        if len(sources) == 1:
            return list(sources[0].rates)
        return summed([source.rates for source in sources])

    def snapshot(self) -> Tariffs:
        planner = self._planner()
        return Tariffs(
            grid=tuple(self.rates("grid") or ()),
            feedin=tuple(self.rates("feedin") or ()),
            co2=tuple(self.rates("co2") or ()),
            # static prices do not plan: without a forecast there is nothing to choose between
            planner=tuple(planner.rates) if planner and planner.kind != TariffKind.PRICE_STATIC else (),
        )

    def _planner(self) -> Source | None:
        """core.md §3.11: the planner tariff, else a grid price forecast, else CO₂, else the grid tariff."""
        for usage, wanted in (("planner", None), ("grid", TariffKind.PRICE_FORECAST), ("co2", None), ("grid", None)):
            sources = self._sources.get(usage)
            if sources and (wanted is None or sources[0].kind == wanted):
                return sources[0]
        return None

    def smart_cost_type(self) -> str | None:
        planner = self._planner()
        if planner is None or planner.kind == TariffKind.PRICE_STATIC:
            return None
        return {TariffKind.CO2: "co2", TariffKind.PRICE_DYNAMIC: "pricedynamic"}.get(planner.kind, "priceforecast")

    # --- refreshing --------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Refresh every tariff now and then on its schedule, in the background: start-up never waits for one."""
        self.publish()
        everything = [source for sources in self._sources.values() for source in sources]
        self._tasks = [
            asyncio.create_task(self._keep_fresh(source), name=f"tariff-{source.usage}") for source in everything
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _keep_fresh(self, source: Source) -> None:
        while True:
            await self.refresh(source)
            await self._clock.sleep(source.tariff.interval().total_seconds())

    async def refresh(self, source: Source) -> None:
        """One scheduled refresh with its retries; the outcome shows in the state."""
        delay = FIRST_RETRY
        spent = 0.0
        while True:
            try:
                # composing fails too, at a slot where the formula cannot be computed: it was outside and ended
                # the refresh task for good (stop() then raised it at shutdown)
                self._accept(source, await source.tariff.fetch())
            except PermanentTariffError as error:
                self._failed(source, str(error), logging.ERROR)
            except TariffError as error:
                if spent + delay <= RETRY_BUDGET:
                    log.debug("%s tariff: %s; retrying in %gs", source.usage, error, delay)
                    await self._clock.sleep(delay)
                    spent += delay
                    delay *= 2
                    continue
                self._failed(source, str(error), logging.WARNING)
            except Exception as error:  # a provider bug must not end the refresh task
                self._failed(source, f"{type(error).__name__}: {error}", logging.ERROR)
            break
        self.publish()

    def _accept(self, source: Source, fetched: Sequence[Rate]) -> None:
        now = self._clock.now()
        rates = list(fetched)
        if source.kind.is_price and isinstance(source.params, PriceParams):
            zone = now.tzinfo
            assert zone is not None
            rates = compose(rates, source.params, zone)
        source.rates = merge(source.rates, to_slots(rates, source.kind), now, source.kind)
        source.updated = now
        if source.error is not None:
            log.info("%s tariff: working again", source.usage)
        source.error = None

    def _failed(self, source: Source, error: str, level: int) -> None:
        if source.error != error:
            log.log(level, "%s tariff: %s; keeping the %d rates known", source.usage, error, len(source.rates))
        source.error = error
        source.rates = merge(source.rates, [], self._clock.now(), source.kind)

    # --- state ---------------------------------------------------------------------------------------------

    def publish(self) -> None:
        now = self._clock.now()
        forecast: dict[str, Any] = {}
        for usage in ("grid", "feedin", "co2", "planner", "temperature"):
            rates = self.rates(usage)
            if rates:
                forecast[usage] = [_slot(rate) for rate in rates]
        solar = self.rates("solar")
        if solar:
            forecast["solar"] = solar_details(solar, now)
        values: dict[str, Any] = {
            "forecast": forecast,
            "smartCostAvailable": self.smart_cost_type() is not None,
            "smartFeedInPriorityAvailable": bool(self._sources.get("feedin")),
            "tariffs": {"status": self.status(), "yamlSource": "file"},
        }
        if self.smart_cost_type() is not None:
            values["smartCostType"] = self.smart_cost_type()
        current = {"tariffSolar": "solar", "tariffTemperature": "temperature"}
        for key, usage in current.items():
            rate = rate_at(self.rates(usage) or [], now)
            if rate is not None:
                values[key] = rate.value
        self._state.publish_all(values)

    def status(self) -> dict[str, Any]:
        return {
            usage: [
                {
                    "type": source.kind.value,
                    "updated": source.updated,
                    "error": source.error,
                    "rates": len(source.rates),
                }
                for source in sources
            ]
            for usage, sources in self._sources.items()
            if sources
        }


def _slot(rate: Rate) -> list[float]:
    return [rate.start.timestamp(), rate.end.timestamp(), rate.value]


def summed(series: Sequence[Sequence[Rate]]) -> list[Rate]:
    """Several solar plants as one forecast: values of slots that start together are added."""
    totals: dict[tuple[datetime, datetime], float] = {}
    for rates in series:
        for rate in rates:
            key = (rate.start, rate.end)
            totals[key] = totals.get(key, 0.0) + rate.value
    return [Rate(start, end, value) for (start, end), value in sorted(totals.items())]


def solar_details(rates: Sequence[Rate], now: datetime) -> dict[str, Any]:
    """The forecast's energy for the rest of today, tomorrow and the day after (kWh), and its time series."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = {}
    for offset, name in enumerate(("today", "tomorrow", "dayAfterTomorrow")):
        start = today + timedelta(days=offset)
        end = start + timedelta(days=1)
        start = max(start, now)
        energy = sum(_overlap(rate, start, end) * rate.value for rate in rates) / 3_600_000
        covered = bool(rates) and rates[0].start <= start and rates[-1].end >= end
        days[name] = {"energy": energy, "complete": covered}
    return {
        "scale": 1.0,
        **days,
        "timeseries": [[rate.start.timestamp(), rate.value] for rate in rates],
    }


def _overlap(rate: Rate, start: datetime, end: datetime) -> float:
    return max(0.0, (min(rate.end, end) - max(rate.start, start)).total_seconds())
