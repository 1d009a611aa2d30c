"""The template files: what a template renders, for which products, and which parameters it takes."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from ruamel.yaml import YAML

TemplateClass = Literal["charger", "meter", "vehicle"]
ParamType = Literal["string", "int", "float", "bool", "duration", "choice", "list"]
USAGES = ("grid", "pv", "battery", "charge", "aux")
#: the configuration section of each template class
CLASS_SECTIONS: dict[TemplateClass, str] = {"meter": "meters", "charger": "chargers", "vehicle": "vehicles"}


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    brand: str = ""
    description: str


class Param(BaseModel):
    """One parameter a user may give: its type, default, whether it is required, and its allowed values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: ParamType = "string"
    description: str = ""
    default: Any = None
    example: Any = None
    required: bool = False
    choice: tuple[str, ...] = ()
    #: a meter template's param used only with these usages
    usages: tuple[str, ...] = ()
    #: a secret: never shown in logs or listings
    mask: bool = False
    advanced: bool = False

    @model_validator(mode="after")
    def _choices_for_choice(self) -> Param:
        if (self.type == "choice") != bool(self.choice):
            raise ValueError(f"param '{self.name}': a choice param needs 'choice', and only it may have one")
        return self


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    template: str
    covers: tuple[str, ...] = ()
    products: tuple[Product, ...] = Field(min_length=1)
    #: a product group of the UI (switchsockets, heating…)
    group: str = ""
    capabilities: tuple[str, ...] = ()
    #: what the template needs besides its parameters: mqtt (the global mqtt section or a broker)
    requirements: tuple[Literal["mqtt"], ...] = ()
    params: tuple[Param, ...] = ()
    render: str

    def param(self, name: str) -> Param | None:
        return next((param for param in self.params if param.name == name), None)

    @property
    def usages(self) -> tuple[str, ...]:
        usage = self.param("usage")
        return usage.choice if usage else ()


@cache
def catalog(kind: TemplateClass) -> dict[str, Template]:
    """Every template of a class by its name and the older names it covers."""
    templates: dict[str, Template] = {}
    folder = resources.files("surplus.devices.templates").joinpath("definition", kind)
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = YAML(typ="safe").load(entry.read_text(encoding="utf-8"))
        template = Template.model_validate(data)
        for name in (template.template, *template.covers):
            if name in templates:
                raise ValueError(f"{kind} template '{name}' is defined twice ({entry.name})")
            templates[name] = template
    return templates
