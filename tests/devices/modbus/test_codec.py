"""Register encodings by evcc's names: words as a device sends them, written out by hand, and back."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surplus.devices.modbus.codec import (
    NUMBERS,
    EncodingError,
    NumberEncoding,
    TextEncoding,
    decoder,
    single_word,
)

# 230.5 is 0x43668000 as float32 and 0x406CD00000000000 as float64; 100000 is 0x186A0
DECODED = [
    ("int16", [0xFFFE], -2),
    ("int16", [0x7FFF], 32767),
    ("int16nan", [0xFFFE], -2),
    ("uint16", [0xFFFE], 65534),
    ("uint16nan", [0xFFFE], 65534),
    ("int32", [0xFFFF, 0xFFFE], -2),
    ("int32", [0x0001, 0x86A0], 100000),
    ("int32nan", [0x0001, 0x86A0], 100000),
    ("int32s", [0xFFFE, 0xFFFF], -2),
    ("int32s", [0x86A0, 0x0001], 100000),
    ("uint32", [0xFFFF, 0xFFFE], 4294967294),
    ("uint32s", [0x86A0, 0x0001], 100000),
    ("uint32nan", [0x0001, 0x86A0], 100000),
    ("float32", [0x4366, 0x8000], 230.5),
    ("ieee754", [0xC366, 0x8000], -230.5),
    ("float32s", [0x8000, 0x4366], 230.5),
    ("ieee754s", [0x8000, 0xC366], -230.5),
    ("float32nans", [0x8000, 0x4366], 230.5),
    ("int64", [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE], -2),
    ("uint64", [0, 0, 0x0001, 0x86A0], 100000),
    ("uint64s", [0x86A0, 0x0001, 0, 0], 100000),
    ("uint64nan", [0, 0, 0x0001, 0x86A0], 100000),
    ("uint64snan", [0x86A0, 0x0001, 0, 0], 100000),
    ("float64", [0x406C, 0xD000, 0, 0], 230.5),
]

# what a device sends for "no value": the encoding's sentinels, and NaN or infinity in a float
NO_VALUE = [
    ("int16nan", [0x8000]),
    ("int16nan", [0x7FFF]),
    ("uint16nan", [0xFFFF]),
    ("int32nan", [0x8000, 0x0000]),
    ("int32nan", [0x7FFF, 0xFFFF]),
    ("uint32nan", [0xFFFF, 0xFFFF]),
    ("uint64nan", [0xFFFF] * 4),
    ("uint64snan", [0xFFFF] * 4),
    ("float32", [0x7FC0, 0x0000]),
    ("float32", [0x7F80, 0x0000]),
    ("float32s", [0x0000, 0xFF80]),
    ("float32nans", [0x0000, 0x7FC0]),
    ("float64", [0x7FF8, 0, 0, 0]),
]


def test_the_table_covers_every_number_encoding() -> None:
    assert {name for name, _, _ in DECODED} == set(NUMBERS)


@pytest.mark.parametrize(("name", "words", "value"), DECODED)
def test_words_decode_to_the_value_and_the_value_encodes_to_the_words(
    name: str, words: list[int], value: float
) -> None:
    encoding = NUMBERS[name]
    assert encoding.registers == len(words)
    assert encoding.decode(words) == value
    assert encoding.encode(value) == words


@pytest.mark.parametrize(("name", "words"), NO_VALUE)
def test_sentinels_nan_and_infinity_read_as_zero(name: str, words: list[int]) -> None:
    assert NUMBERS[name].decode(words) == 0.0


def test_only_the_nan_encodings_have_sentinels() -> None:
    assert NUMBERS["int16"].decode([0x8000]) == -32768
    assert NUMBERS["uint16"].decode([0xFFFF]) == 65535
    assert NUMBERS["uint32"].decode([0xFFFF, 0xFFFF]) == 4294967295


@pytest.mark.parametrize(
    ("name", "registers"),
    [("int16", 1), ("uint16nan", 1), ("int32s", 2), ("ieee754", 2), ("float32nans", 2), ("uint64s", 4), ("float64", 4)],
)
def test_the_register_count_follows_from_the_name(name: str, registers: int) -> None:
    assert decoder(name).registers == registers


def test_swapped_encodings_reverse_the_word_order_only() -> None:
    for name, plain in (("int32s", "int32"), ("uint32s", "uint32"), ("float32s", "float32"), ("uint64s", "uint64")):
        words = NUMBERS[plain].encode(123456)
        assert NUMBERS[name].encode(123456) == words[::-1]


def test_bool16_tests_the_mask_and_bool8_any_bit() -> None:
    mask = decoder("bool16", bitmask=0x0004)
    assert (mask.decode([0x0004]), mask.decode([0xFFFB]), mask.decode([0x0005])) == (1.0, 0.0, 1.0)
    flag = decoder("BOOL8")
    assert (flag.decode([1]), flag.decode([0]), flag.decode([0x0100])) == (1.0, 0.0, 1.0)


def test_bytes_read_a_string_without_nuls_and_blanks() -> None:
    text = decoder("bytes", length=6)
    assert isinstance(text, TextEncoding)
    # "Fronius", a NUL, then two blanks
    assert text.decode([0x4672, 0x6F6E, 0x6975, 0x7300, 0x0000, 0x2020]) == "Fronius"
    assert text.decode([0x2020, 0x4142, 0x0000, 0, 0, 0]) == "AB"


def test_integers_are_rounded_and_must_fit() -> None:
    assert NUMBERS["int16"].encode(-1.6) == [0xFFFE]
    with pytest.raises(EncodingError, match="does not fit uint16"):
        NUMBERS["uint16"].encode(-1)
    with pytest.raises(EncodingError, match="does not fit int32"):
        NUMBERS["int32"].encode(2**31)
    with pytest.raises(EncodingError, match="cannot be written"):
        NUMBERS["float32"].encode(math.nan)


def test_a_single_register_write_takes_the_value_as_one_word() -> None:
    assert (single_word(16), single_word(65535), single_word(-1), single_word(-32768)) == (16, 0xFFFF, 0xFFFF, 0x8000)
    with pytest.raises(EncodingError):
        single_word(65536)
    with pytest.raises(EncodingError):
        single_word(-32769)


@pytest.mark.parametrize(
    ("name", "bitmask", "length", "message"),
    [
        ("int24", None, None, "unknown encoding 'int24'; allowed: int16"),
        ("bool16", None, None, "bool16 needs a bitmask"),
        ("bytes", None, None, "bytes needs a length"),
    ],
)
def test_unknown_or_incomplete_encodings_say_what_is_allowed(
    name: str, bitmask: int | None, length: int | None, message: str
) -> None:
    with pytest.raises(EncodingError, match=message):
        decoder(name, bitmask, length)


def test_too_few_words_are_an_error_not_a_guess() -> None:
    with pytest.raises(EncodingError, match="1 register"):
        NUMBERS["int32"].decode([1])


INTEGER_RANGES = {
    "int16": (-(2**15), 2**15 - 1),
    "uint16": (0, 2**16 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int32s": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "uint32s": (0, 2**32 - 1),
    "int64": (-(2**53), 2**53),  # beyond 2**53 a float no longer holds every integer
    "uint64": (0, 2**53),
    "uint64s": (0, 2**53),
}


@given(st.data())
def test_integers_survive_a_round_trip(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(INTEGER_RANGES)))
    low, high = INTEGER_RANGES[name]
    value = data.draw(st.integers(low, high))
    encoding = NUMBERS[name]
    words = encoding.encode(value)
    assert all(0 <= word <= 0xFFFF for word in words) and len(words) == encoding.registers
    assert encoding.decode(words) == value


@given(st.sampled_from(["float32", "float32s", "ieee754", "ieee754s"]), st.floats(width=32, allow_nan=False))
def test_finite_floats_survive_a_round_trip(name: str, value: float) -> None:
    encoding: NumberEncoding = NUMBERS[name]
    if math.isinf(value):
        with pytest.raises(EncodingError):
            encoding.encode(value)
        return
    assert encoding.decode(encoding.encode(value)) == value
    assert struct.unpack(">f", struct.pack(">f", value))[0] == value
