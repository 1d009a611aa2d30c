"""Checking a user's template parameters and rendering the template into a device configuration.

Templates are Jinja2 text producing YAML. Parameters arrive checked and typed; free text is inserted with the
``quote`` filter so a password with ``#`` or ``:`` stays one YAML string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jinja2
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from surplus.config.durations import parse_duration
from surplus.devices.registry import NestedParamsError
from surplus.devices.templates.catalog import Param, Template

_ENVIRONMENT = jinja2.Environment(
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False
)
_ENVIRONMENT.filters["quote"] = lambda value: json.dumps(value if isinstance(value, str) else str(value))
TRUE = ("true", "yes", "on", "1")
FALSE = ("false", "no", "off", "0")


def parameters(template: Template, given: Mapping[str, Any]) -> dict[str, Any]:
    """The typed value of every parameter (None where neither given nor defaulted); errors name the key."""
    allowed = ", ".join(param.name for param in template.params) or "none"
    for key in given:
        if template.param(key) is None:
            raise NestedParamsError((key,), f"unknown parameter of template '{template.template}'; allowed: {allowed}")
    usage = _typed(template.param("usage"), given["usage"]) if "usage" in given and template.param("usage") else None
    values: dict[str, Any] = {}
    for param in template.params:
        if param.usages and usage not in param.usages:
            if param.name in given:
                raise NestedParamsError((param.name,), f"only used with usage {', '.join(param.usages)}")
            values[param.name] = None
            continue
        value = given.get(param.name, param.default)
        if value is None and param.required:
            raise NestedParamsError((param.name,), f"template '{template.template}' needs this parameter")
        values[param.name] = None if value is None else _typed(param, value)
    return values


def _typed(param: Param | None, value: Any) -> Any:
    assert param is not None
    loc = (param.name,)
    text = str(value).strip()
    if param.type == "choice":
        match = next((choice for choice in param.choice if choice.lower() == text.lower()), None)
        if match is None:
            raise NestedParamsError(loc, f"'{text}' is not allowed; allowed values: {', '.join(param.choice)}")
        return match
    if param.type == "bool":
        if isinstance(value, bool) or text.lower() in TRUE + FALSE:
            return value if isinstance(value, bool) else text.lower() in TRUE
        raise NestedParamsError(loc, f"'{text}' is not a boolean; allowed values: true, false")
    if param.type in ("int", "float"):
        try:
            number = float(text)
        except ValueError:
            raise NestedParamsError(loc, f"'{text}' is not a number") from None
        if param.type == "int" and not number.is_integer():
            raise NestedParamsError(loc, f"'{text}' is not a whole number")
        return int(number) if param.type == "int" else number
    if param.type == "duration":
        try:
            parse_duration(value)
        except ValueError as error:
            raise NestedParamsError(loc, str(error)) from None
        return text
    if param.type == "list":
        return list(value) if isinstance(value, list | tuple) else [value]
    return text


def render(template: Template, given: Mapping[str, Any]) -> dict[str, Any]:
    """The device configuration the template makes of these parameters."""
    values = parameters(template, given)
    try:
        text = _ENVIRONMENT.from_string(template.render).render(**values)
        rendered = YAML(typ="safe").load(text)
    except (jinja2.TemplateError, YAMLError) as error:
        raise NestedParamsError((), f"template '{template.template}' cannot be rendered: {error}") from None
    if not isinstance(rendered, dict) or "type" not in rendered:
        raise NestedParamsError((), f"template '{template.template}' did not render a device with a type")
    return {str(key).lower(): value for key, value in rendered.items()}
