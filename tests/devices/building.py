"""Build devices from YAML the way the application does, so errors carry the file, line and key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from surplus.app import build_devices
from surplus.clock import VirtualClock
from surplus.config.loader import load_text
from surplus.devices.registry import BuildContext

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def build(yaml: str, kind: str = "meters", name: str | None = None, clock: VirtualClock | None = None) -> Any:
    """The device of section ``kind`` named ``name`` (the first one when None) from a config text."""
    loaded = load_text(yaml, "evcc.yaml")
    devices = build_devices(loaded, BuildContext(clock or VirtualClock(NOW)))
    built = getattr(devices, kind)
    return (built[name] if name else next(iter(built.values()))).device
