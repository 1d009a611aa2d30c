"""The config error a device entry gives, for the tests of each driver's mistakes."""

from __future__ import annotations

import pytest

from surplus.config.errors import ConfigError
from tests.devices.building import build


def config_error(yaml: str, kind: str = "chargers") -> ConfigError:
    """The error building the first device of section ``kind`` from ``yaml`` raises."""
    with pytest.raises(ConfigError) as raised:
        build(yaml, kind)
    return raised.value
