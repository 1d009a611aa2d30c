"""Placeholders in URIs, bodies, headers, commands and payloads: the value a setter writes goes in by name.

    ${maxcurrent}          the value as text (16, 6.5, true)
    ${maxcurrent:%.1f}     printf style: %d %x %X %o %f %e %g %s %v, with flags, width and precision
    {{.maxcurrent}}        Go template form (evcc's templates write it too)

Go-template text of other forms (``{{ now | date … }}``) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import Value, to_float, to_int, to_str

PLACEHOLDER = re.compile(r"\$\{(?P<name>\w+)(?::(?P<format>[^}]*))?\}|\{\{-?\s*\.(?P<go>\w+)\s*-?\}\}")
FORMAT = re.compile(r"%(?P<spec>[-+ #0]*\d*(?:\.\d+)?)(?P<verb>[dxXofFeEgGsv])")


def render(template: str, values: Mapping[str, Value]) -> str:
    """``template`` with each placeholder replaced by its value; an unknown name is a DeviceError."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group("name") or match.group("go")
        if name not in values:
            known = ", ".join(f"${{{key}}}" for key in values) or "none"
            raise DeviceError(f"no value for the placeholder ${{{name}}}; known here: {known}")
        return formatted(values[name], match.group("format"))

    return PLACEHOLDER.sub(substitute, template)


def formatted(value: Value, fmt: str | None) -> str:
    """``value`` in printf format ``fmt`` (text around the verb is kept); without one as Go's ``%v`` (true, 16, 6.5)."""
    if not fmt:
        return to_str(value)
    found = FORMAT.search(fmt)
    if found is None:
        raise DeviceError(f"'{fmt}' is not a format; write e.g. %d, %.1f, %x or %s")
    spec, verb = found.group("spec"), found.group("verb")
    argument: Value
    if verb in "dxXo":
        argument = to_int(value)
    elif verb in "fFeEgG":
        argument = to_float(value)
    else:
        argument, verb = to_str(value), "s"
    return fmt[: found.start()] + f"%{spec}{verb}" % argument + fmt[found.end() :]
