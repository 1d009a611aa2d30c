"""Every bundled template renders with its example parameters into a device the registry accepts, and a user's
mistakes in template parameters name the file, line and key."""

from __future__ import annotations

from typing import Any

import pytest

from surplus.config.errors import ConfigError
from surplus.core.types import Feature
from surplus.devices import protocols as p
from surplus.devices.templates.catalog import CLASS_SECTIONS, Template, catalog
from surplus.devices.templates.rendering import parameters
from tests.devices.building import build

ALL = [(kind, name) for kind in CLASS_SECTIONS for name, template in catalog(kind).items() if name == template.template]


def example_params(template: Template) -> list[dict[str, Any]]:
    """One parameter set per usage (or one without usages), with every required parameter's example."""
    usages = template.usages or (None,)
    sets = []
    for usage in usages:
        params: dict[str, Any] = {} if usage is None else {"usage": usage}
        for param in template.params:
            if param.name == "usage" or (param.usages and usage not in param.usages):
                continue
            if param.required:
                assert param.example is not None, f"{template.template}: required param {param.name} has no example"
                params[param.name] = param.example
        sets.append(params)
    return sets


def yaml_entry(kind: str, template: Template, params: dict[str, Any]) -> str:
    # building connects to nothing: a broker nobody listens on is enough for templates that need MQTT
    lines = ["mqtt:", "  broker: 127.0.0.1:1"] if "mqtt" in template.requirements else []
    lines += [f"{CLASS_SECTIONS[kind]}:", "  - name: device", "    type: template"]
    lines.append(f"    template: {template.template}")
    lines += [
        f"    {key}: {value!r}" if isinstance(value, str) else f"    {key}: {value}" for key, value in params.items()
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("kind", "name"), ALL)
def test_every_template_renders_into_a_valid_device(kind: str, name: str) -> None:
    template = catalog(kind)[name]  # type: ignore[index]
    for params in example_params(template):
        device = build(yaml_entry(kind, template, params), CLASS_SECTIONS[kind])
        required = {"meter": p.Meter, "charger": p.Charger, "vehicle": p.Vehicle}[kind]
        assert isinstance(device, required), f"{name} {params} built {device!r}"


def test_there_are_templates_of_every_class() -> None:
    assert all(catalog(kind) for kind in CLASS_SECTIONS)


async def test_the_offline_vehicle_takes_its_title_capacity_and_identifiers() -> None:
    vehicle = build(
        """
vehicles:
  - name: honda
    type: template
    template: offline
    title: "Honda e: #2"
    capacity: 28.5
    identifiers: [0815, abc]
    mode: pv
""",
        "vehicles",
    )
    assert vehicle.title() == "Honda e: #2"
    assert vehicle.capacity() == 28.5
    assert await vehicle.soc() == 0


@pytest.mark.parametrize(
    ("extra", "line", "key", "message"),
    [
        ("    tittle: x\n", 5, "vehicles[0].tittle", "unknown parameter of template 'offline'; allowed: title, icon"),
        ("    capacity: lots\n", 5, "vehicles[0].capacity", "'lots' is not a number"),
        ("    phases: 1.5\n", 5, "vehicles[0].phases", "not a whole number"),
        ("    mode: fast\n", 5, "vehicles[0].mode", "'fast' is not allowed; allowed values: off, now, minpv, pv"),
    ],
)
def test_parameter_mistakes_name_the_file_line_and_key(extra: str, line: int, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build(f"vehicles:\n  - name: car\n    type: template\n    template: offline\n{extra}", "vehicles")
    assert (caught.value.file, caught.value.line, caught.value.key) == ("evcc.yaml", line, key)
    assert message in caught.value.message


def test_an_unknown_template_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown vehicle template 'teleport'; allowed: .*offline") as caught:
        build("vehicles:\n  - name: car\n    type: template\n    template: teleport\n", "vehicles")
    assert caught.value.key == "vehicles[0].template"


def test_features_of_the_offline_vehicle() -> None:
    template = catalog("vehicle")["offline"]
    assert parameters(template, {"mode": "PV"})["mode"] == "pv"
    assert Feature.OFFLINE.value in template.render
