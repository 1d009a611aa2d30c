"""``type: template`` for meters, chargers and vehicles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ConfigDict, model_validator

from surplus.devices.registry import BuildContext, Built, DeviceParams, Kind, NestedParamsError, registry
from surplus.devices.templates.catalog import TemplateClass, catalog
from surplus.devices.templates.rendering import render

CLASSES: tuple[TemplateClass, ...] = ("meter", "charger", "vehicle")


class TemplateParams(DeviceParams):
    """``template`` names the template; every other key is one of its parameters, checked by the template."""

    model_config = ConfigDict(extra="allow")

    template: str

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        """Replaces Section's check of unknown keys: the template checks its own parameters."""
        return data


def _builder(kind: TemplateClass) -> Callable[[TemplateParams, BuildContext], Built]:
    def build(params: TemplateParams, context: BuildContext) -> Built:
        templates = catalog(kind)
        template = templates.get(params.template.lower())
        if template is None:
            allowed = ", ".join(sorted(templates))
            raise NestedParamsError(("template",), f"unknown {kind} template '{params.template}'; allowed: {allowed}")
        rendered = render(template, dict(params.model_extra or {}))
        return registry.build_rendered(kind, rendered, context, f"template '{template.template}'")

    return build


def _register(kind: TemplateClass) -> None:
    device_kind: Kind = kind
    registry.register(device_kind, "template", TemplateParams, f"a {kind} described by a bundled template")(
        _builder(kind)
    )


for _class in CLASSES:
    _register(_class)
