"""A real mosquitto per test, a client on the other side of it, and devices built the way the app builds them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from surplus.app import build_devices
from surplus.clock import VirtualClock
from surplus.config.loader import load_text
from surplus.devices.protocols import Closable
from surplus.devices.registry import BuildContext
from tests.devices.building import NOW
from tests.fakes.mosquitto import Mosquitto, running_mosquitto


@dataclass
class Home:
    """Devices of one application: they share its clock and its connections (one per broker)."""

    clock: VirtualClock
    context: BuildContext

    def build(self, yaml: str, kind: str = "meters") -> Any:
        devices = build_devices(load_text(yaml, "evcc.yaml"), self.context)
        return next(iter(getattr(devices, kind).values())).device


def custom_charger(broker: Mosquitto, attributes: str) -> str:
    """A config with a custom charger whose sources use the broker of the global ``mqtt:`` section."""
    return f"mqtt:\n  broker: {broker.address}\nchargers:\n  - name: wallbox\n    type: custom{attributes}"


@asynccontextmanager
async def open_home() -> AsyncIterator[Home]:
    """A home whose connections are closed when the block ends (before its broker stops, so nothing is left
    behind half-noticed)."""
    clock = VirtualClock(NOW)
    home = Home(clock, BuildContext(clock))
    try:
        yield home
    finally:
        for resource in home.context.shared_resources.values():
            if isinstance(resource, Closable):
                await resource.close()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    with running_mosquitto(tmp_path) as running:
        yield running


@pytest.fixture
async def home(broker: Mosquitto) -> AsyncIterator[Home]:
    async with open_home() as home:
        yield home


@pytest.fixture
async def peer(broker: Mosquitto) -> AsyncIterator[aiomqtt.Client]:
    """The other side of the broker: a device, or a bridge such as TeslaMate, publishing and listening."""
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        yield client
