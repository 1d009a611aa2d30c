"""The value pipeline: regex, jq (JSON and XML answers), hex unpacking and register decoding, and what a garbage
answer becomes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import Value
from surplus.devices.plugins.pipeline import PipelineParams, pipeline, scaled

FRONIUS_XML = """<?xml version="1.0"?>
<Data><Inverter id="1" state="running"><Power unit="W">2150</Power></Inverter></Data>"""


def process(raw: str | bytes, xml: bool | None = None, **params: Any) -> Value:
    return pipeline(PipelineParams(**params)).process(raw, xml=xml)


@pytest.mark.parametrize(
    ("raw", "params", "value"),
    [
        (b'{"site": {"P_Grid": -512.5}}', {"jq": ".site.P_Grid"}, -512.5),
        ('{"list": [1, 2, 3]}', {"jq": ".list | add"}, 6),
        ('{"on": true}', {"jq": ".on"}, True),
        ('{"car": "C"}', {"jq": ".car"}, "C"),
        ('{"a": {"b": [1]}}', {"jq": ".a"}, '{"b": [1]}'),
        ("  1234.5\n", {}, "1234.5"),
        ("power=1820W total=5", {"regex": r"power=(\d+)W"}, "1820"),
        ("power=1820W", {"regex": r"\d+"}, "1820"),
        ("offline", {"regex": r"power=(\d+)", "default": "0"}, "0"),
        ('{"raw": "power=17"}', {"regex": r"power=(\d+)", "jq": "."}, 17),
        (FRONIUS_XML, {"jq": '.Data.Inverter.Power."#content" | tonumber'}, 2150),
        (FRONIUS_XML, {"jq": ".Data.Inverter.attrstate"}, "running"),
        ("FF38", {"unpack": "hex", "decode": "int16"}, -200),
        ("0x00c8", {"unpack": "hex", "decode": "uint16"}, 200),
        ("00003f80", {"unpack": "hex", "decode": "float32s"}, 1.0),
        ("3f800000", {"unpack": "hex", "decode": "ieee754"}, 1.0),
        ("00010000", {"unpack": "hex", "decode": "uint32s"}, 1),
        ("7fc00000", {"unpack": "hex", "decode": "float32"}, 0),
        ('{"reg": "FFFFFFFE"}', {"jq": ".reg", "unpack": "hex", "decode": "int32"}, -2),
        ("", {"allowempty": True}, ""),
    ],
)
def test_values(raw: str | bytes, params: dict[str, Any], value: Value) -> None:
    result = process(raw, **params)
    assert result == value and type(result) is type(value)


def test_the_content_type_decides_whether_jq_reads_xml() -> None:
    assert process("<a><b>1</b></a>", xml=True, jq=".a.b") == "1"
    with pytest.raises(DeviceError, match=r"jq '\.a\.b' failed on the answer: parse error"):
        process("<a><b>1</b></a>", xml=False, jq=".a.b")


@pytest.mark.parametrize(
    ("raw", "params", "message"),
    [
        ("<html>maintenance", {"jq": ".power"}, "jq '.power' failed on the answer: parse error"),
        ("Service Unavailable", {"jq": ".power"}, "jq '.power' failed on the answer: parse error"),
        ('{"power": 5}', {"jq": ".power[]"}, "Cannot iterate over number"),
        ('{"list": []}', {"jq": ".list[]"}, "jq '.list[]' gave no value for the answer"),
        ('{"power": 5}', {"jq": ".energy"}, "jq '.energy' gave no value (null)"),
        ("status ok", {"regex": r"power=(\d+)"}, r"regex 'power=(\d+)' does not match the answer"),
        ("  ", {}, "the answer is empty"),
        (b"\xff\xfe", {}, "not UTF-8"),
        ("zz", {"unpack": "hex"}, "'zz' is not hex"),
        ("00ff00", {"unpack": "hex", "decode": "int32"}, "int32 needs 4 bytes, the answer has 3"),
    ],
)
def test_garbage_is_a_device_error(raw: str | bytes, params: dict[str, Any], message: str) -> None:
    with pytest.raises(DeviceError) as raised:
        process(raw, **params)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("params", "key", "message"),
    [
        ({"jq": ".a |"}, "jq", "jq '.a |' does not compile: syntax error"),
        ({"regex": "(unclosed"}, "regex", "regex '(unclosed' does not compile"),
        ({"decode": "int24"}, "decode", "unknown encoding 'int24'; allowed: int16, uint16"),
        ({"unpack": "base64"}, "unpack", "'hex'"),
    ],
)
def test_config_mistakes_name_the_key(params: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        PipelineParams(**params)
    (error,) = raised.value.errors()
    assert error["loc"] == (key,)
    assert message in error["msg"]


@pytest.mark.parametrize(
    ("value", "factor", "result"),
    [(2, 0.5, 1.0), ("1500", 0.001, 1.5), ("C", 10, "C"), ("NaN", 2, "NaN"), (True, 2, True), (7, 1, 7)],
)
def test_scaling_touches_numbers_only(value: Value, factor: float, result: Value) -> None:
    assert scaled(value, factor) == result
