"""The value pipeline of sources that receive text (``http``, ``mqtt``, ``script``, ``websocket``).

An answer goes through, in this order and each step only when configured::

    regex: 'power=(\\d+)'     # the first group (or the whole match); `default` when nothing matches
    jq: .data.power           # XML answers become JSON first: attributes prefixed `attr`, text in `#content`
    unpack: hex               # hex text → bytes …
    decode: int16             # … decoded as a Modbus register value (big-endian; `…s` = low word first)

A source mixes :class:`PipelineParams` into its params and builds the pipeline once with :func:`pipeline`.
"""

from __future__ import annotations

import json
import math
import re
import struct
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import jq
import xmltodict
from pydantic import AfterValidator, field_validator

from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import Value
from surplus.devices.registry import DeviceParams

#: Modbus encodings as struct formats; the register bytes arrive big-endian
DECODINGS: dict[str, str] = {
    "int16": ">h",
    "uint16": ">H",
    "int32": ">i",
    "uint32": ">I",
    "float32": ">f",
    "ieee754": ">f",
    "int64": ">q",
    "uint64": ">Q",
    "float64": ">d",
}
#: the same, word-swapped: the low 16-bit word comes first
SWAPPED = ("int32s", "uint32s", "float32s", "ieee754s", "uint64s")
ENCODINGS = (*DECODINGS, *SWAPPED)


def compile_jq(expression: str) -> Any:
    """A compiled jq program; a syntax error is a ValueError with libjq's first line."""
    try:
        return jq.compile(expression)
    except ValueError as error:
        problem = str(error).splitlines()[0].removeprefix("jq: error: ")
        raise ValueError(f"jq '{expression}' does not compile: {problem}") from None


def _compiles(expression: str) -> str:
    compile_jq(expression)
    return expression


#: a jq expression, checked when the configuration is read
JqExpression = Annotated[str, AfterValidator(_compiles)]


class PipelineParams(DeviceParams):
    """The pipeline's keys, to mix into a source's params."""

    regex: str | None = None
    default: str | None = None
    jq: JqExpression | None = None
    unpack: Literal["hex"] | None = None
    decode: str | None = None
    allow_empty: bool = False

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, expression: str | None) -> str | None:
        if expression is not None:
            try:
                re.compile(expression)
            except re.error as error:
                raise ValueError(f"regex '{expression}' does not compile: {error}") from None
        return expression

    @field_validator("decode")
    @classmethod
    def _known_encoding(cls, encoding: str | None) -> str | None:
        if encoding is not None and encoding.lower() not in ENCODINGS:
            raise ValueError(f"unknown encoding '{encoding}'; allowed: {', '.join(ENCODINGS)}")
        return encoding.lower() if encoding is not None else None


@dataclass(frozen=True)
class Pipeline:
    regex: re.Pattern[str] | None = None
    default: str | None = None
    jq: str | None = None
    program: Any = None  # the compiled jq
    unhex: bool = False
    decode: str | None = None
    allow_empty: bool = False

    def process(self, raw: str | bytes, *, xml: bool | None = None) -> Value:
        """The value the answer holds; garbage or no match is a DeviceError saying what went wrong.

        ``xml`` says whether jq gets the answer as XML (from a content type); None: when it starts with ``<``.
        """
        data: Any = _text(raw)
        if not data.strip():
            if self.allow_empty:
                return ""
            raise DeviceError("the answer is empty")
        if self.regex is not None:
            data = self._match(data, self.regex)
        if self.jq is not None:
            data = self._query(data.strip(), self.jq, xml)
        if self.unhex:
            data = _unhex(_text(data))
        if self.decode is not None:
            data = _decode(data if isinstance(data, bytes) else _text(data).encode(), self.decode)
        return _value(data)

    def _match(self, text: str, pattern: re.Pattern[str]) -> str:
        found = pattern.search(text)
        if found is None:
            if self.default is not None:
                return self.default
            raise DeviceError(f"regex '{pattern.pattern}' does not match the answer")
        return found.group(1) if pattern.groups else found.group(0)

    def _query(self, text: str, expression: str, xml: bool | None) -> Any:
        try:
            if xml or (xml is None and text.startswith("<")):
                results = self.program.input_value(_from_xml(text)).all()
            else:
                results = self.program.input_text(text).all()
        except ValueError as error:
            raise DeviceError(f"jq '{expression}' failed on the answer: {str(error).splitlines()[0]}") from None
        if not results:
            raise DeviceError(f"jq '{expression}' gave no value for the answer")
        if results[0] is None:
            raise DeviceError(f"jq '{expression}' gave no value (null)")
        return results[0]


def pipeline(params: PipelineParams) -> Pipeline:
    return Pipeline(
        regex=re.compile(params.regex) if params.regex is not None else None,
        default=params.default,
        jq=params.jq,
        program=compile_jq(params.jq) if params.jq is not None else None,
        unhex=params.unpack == "hex",
        decode=params.decode,
        allow_empty=params.allow_empty,
    )


def scaled(value: Value, factor: float) -> Value:
    """A number (or numeric text) times ``factor``; other text (a status letter, an error string) as it is."""
    if factor == 1 or isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return number * factor if math.isfinite(number) else value
    return value * factor


def _text(data: Any) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode()
        except UnicodeDecodeError:
            raise DeviceError("the answer is not UTF-8 text") from None
    if isinstance(data, str):
        return data
    return json.dumps(data) if isinstance(data, dict | list) else str(data)


def _from_xml(text: str) -> Any:
    try:
        # the keys evcc's XML conversion uses, so its templates' jq expressions work unchanged
        return xmltodict.parse(text, attr_prefix="attr", cdata_key="#content")
    except Exception as error:  # expat raises its own error type, which is not part of xmltodict's API
        raise ValueError(f"parse error (XML): {error}") from None


def _unhex(text: str) -> bytes:
    digits = text.strip().removeprefix("0x")
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise DeviceError(f"{digits[:40]!r} is not hex") from None


def _decode(raw: bytes, encoding: str) -> float | int:
    swapped = encoding in SWAPPED
    layout = struct.Struct(DECODINGS[encoding.removesuffix("s") if swapped else encoding])
    if len(raw) != layout.size:
        raise DeviceError(f"{encoding} needs {layout.size} bytes, the answer has {len(raw)}")
    if swapped:
        raw = b"".join(reversed([raw[index : index + 2] for index in range(0, len(raw), 2)]))
    (number,) = layout.unpack(raw)
    # registers that are not implemented read as NaN; like evcc, they count as 0
    return 0 if isinstance(number, float) and not math.isfinite(number) else number


def _value(data: Any) -> Value:
    if isinstance(data, bool | int | float):
        return data
    return _text(data).strip()
