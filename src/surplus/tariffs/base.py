"""What every tariff provider is: something that fetches rates, of one kind, on its own schedule.

Providers only fetch and parse. Slot normalisation, price composition (charges, tax, formula), merging with
earlier data, retries with backoff and outage handling are the tariff service's job, the same for all.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Protocol, runtime_checkable

from pydantic import AfterValidator, Field, field_validator

from surplus.config.schema import Duration
from surplus.core.rates import Rate
from surplus.devices.registry import REQUIRED, DeviceParams
from surplus.tariffs.zones import ChargesZone


class TariffKind(StrEnum):
    PRICE_STATIC = "static"
    PRICE_DYNAMIC = "dynamic"
    PRICE_FORECAST = "forecast"
    CO2 = "co2"
    SOLAR = "solar"
    TEMPERATURE = "temperature"

    @property
    def is_price(self) -> bool:
        return self in (TariffKind.PRICE_STATIC, TariffKind.PRICE_DYNAMIC, TariffKind.PRICE_FORECAST)


class TariffError(Exception):
    """A fetch failed; worth retrying (network trouble, a 5xx with a transient reason)."""


class PermanentTariffError(TariffError):
    """A fetch failed in a way retrying will not fix (4xx, a payload that does not parse, a jq error)."""


@runtime_checkable
class Tariff(Protocol):
    def kind(self) -> TariffKind: ...

    def interval(self) -> timedelta:
        """How often the provider publishes new data (how often to fetch)."""
        ...

    async def fetch(self) -> list[Rate]:
        """One attempt at the provider's current and future rates, in the provider's own slot length.

        Raises TariffError (retry) or PermanentTariffError (do not retry this round).
        """
        ...


def positive_interval(interval: timedelta) -> timedelta:
    """A refresh interval: 0 would ask the provider again and again without a pause."""
    if interval <= timedelta(0):
        raise ValueError("the interval must be longer than 0s, e.g. 1h")
    return interval


#: a provider's ``interval`` key
Interval = Annotated[Duration, AfterValidator(positive_interval)]


class PriceParams(DeviceParams):
    """Keys every price tariff accepts: evcc's price composition, total = (price + charges) × (1 + tax)."""

    charges: float = 0.0
    tax: float = Field(0.0, ge=-1)
    formula: str | None = None
    charges_zones: list[ChargesZone] = Field(default_factory=list)

    @field_validator("formula")
    @classmethod
    def _valid_formula(cls, text: str | None) -> str | None:
        """A bad formula is a configuration error, found when the file is read rather than at the first price."""
        if text is None or not text.strip():
            return None
        from surplus.tariffs.composition import compile_formula  # composition builds on this module

        compile_formula(text)
        return text


REQUIRED["tariff"] = Tariff
