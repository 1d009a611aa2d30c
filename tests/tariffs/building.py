"""Build tariffs from config entries the way the application does, at a fixed virtual time."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from surplus.clock import VirtualClock
from surplus.config.schema import DeviceEntry
from surplus.config.source import SourceMap
from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import Tariff

T = TypeVar("T")


class ClosingTariff(Tariff, Protocol):
    async def close(self) -> None: ...


def build_tariff(
    kind: type[T], params: Mapping[str, Any], now: datetime, path: tuple[str | int, ...] = ("tariffs", "grid")
) -> T:
    entry = DeviceEntry.model_validate(dict(params))
    device = registry.build("tariff", entry, path, SourceMap(), BuildContext(clock=VirtualClock(now))).device
    assert isinstance(device, kind)
    return device


async def fetch_once(tariff: ClosingTariff) -> list[Rate]:
    """One fetch, then release the tariff's HTTP client."""
    try:
        return await tariff.fetch()
    finally:
        await tariff.close()


def refused_url() -> str:
    """A local URL nobody listens on: the port was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
