"""Sources and devices built the way the application builds them, in a context the test owns."""

from __future__ import annotations

from typing import Any

from surplus.app import build_devices
from surplus.config.loader import load_text
from surplus.devices.plugins.base import Readable, Writable, plugins
from surplus.devices.registry import BuildContext


def reader(config: dict[str, Any], context: BuildContext) -> Readable:
    source = plugins.build(config, context)
    assert isinstance(source, Readable)
    return source


def writer(config: dict[str, Any], context: BuildContext) -> Writable:
    source = plugins.build(config, context)
    assert isinstance(source, Writable)
    return source


def meter(yaml: str, context: BuildContext) -> Any:
    """The first meter of a config text."""
    devices = build_devices(load_text(yaml, "evcc.yaml"), context)
    return next(iter(devices.meters.values())).device
