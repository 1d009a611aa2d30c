"""``${name}``, ``${name:%fmt}`` and ``{{.name}}`` in URIs, bodies and commands."""

from __future__ import annotations

import pytest

from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import Value
from surplus.devices.plugins.placeholders import render


@pytest.mark.parametrize(
    ("template", "value", "text"),
    [
        ("/set?amp=${maxcurrent}", 16, "/set?amp=16"),
        ("/set?amp=${maxcurrent}", 16.0, "/set?amp=16"),
        ("/set?amp=${maxcurrent}", 6.5, "/set?amp=6.5"),
        ("/relay?turn=${maxcurrent}", True, "/relay?turn=true"),
        ("${maxcurrent:%d}", 15.6, "16"),
        ("${maxcurrent:%.1f}", 16, "16.0"),
        ("${maxcurrent:%04x}", 255, "00ff"),
        ("${maxcurrent:%s}A", "12", "12A"),
        ("${maxcurrent:amps=%03d}", 6, "amps=006"),
        ("${maxcurrent:%v}", False, "false"),
        ('{"amp": {{.maxcurrent}}}', 10, '{"amp": 10}'),
        ('{"amp": {{ .maxcurrent }}}', 10, '{"amp": 10}'),
        ("{{ now | date }} ${maxcurrent}", 8, "{{ now | date }} 8"),
        ("no placeholders", 1, "no placeholders"),
    ],
)
def test_render(template: str, value: Value, text: str) -> None:
    assert render(template, {"maxcurrent": value}) == text


def test_an_unknown_name_says_which_are_known() -> None:
    with pytest.raises(DeviceError, match=r"no value for the placeholder \$\{enable\}; known here: \$\{maxcurrent\}"):
        render("/set?on=${enable}", {"maxcurrent": 6})


def test_a_format_without_a_verb_is_an_error() -> None:
    with pytest.raises(DeviceError, match="'%q' is not a format"):
        render("${maxcurrent:%q}", {"maxcurrent": 6})
