"""Modbus register encodings by evcc's names (devices.md §2.1): 16-bit words to numbers and back.

Words are big-endian and the high word comes first, unless the name ends in ``s`` ("swapped"): then the low word
comes first. A ``nan`` encoding has sentinel values that mean "no value"; they read as 0, and so does a decoded
NaN or infinity. How many registers a value takes follows from the encoding; only ``bytes`` (a string) needs its
length given.
"""

from __future__ import annotations

import math
import string
import struct
from collections.abc import Sequence
from dataclasses import dataclass


class EncodingError(ValueError):
    """A value that does not fit its encoding, or words that do not make one."""


@dataclass(frozen=True)
class NumberEncoding:
    """A number in one, two or four registers."""

    name: str
    #: struct format of the value in high-word-first order (without the byte order mark)
    layout: str
    swapped: bool = False
    #: raw unsigned values that mean "no value" (the device's NaN)
    sentinels: frozenset[int] = frozenset()

    @property
    def registers(self) -> int:
        return struct.calcsize(self.layout) // 2

    @property
    def integer(self) -> bool:
        return self.layout not in ("f", "d")

    def decode(self, words: Sequence[int]) -> float:
        raw = _ordered(_words_to_bytes(words, self.registers), self.swapped)
        if self.sentinels and int.from_bytes(raw, "big") in self.sentinels:
            return 0.0
        (value,) = struct.unpack(">" + self.layout, raw)
        number = float(value)
        return number if math.isfinite(number) else 0.0

    def encode(self, value: float) -> list[int]:
        if not math.isfinite(value):
            raise EncodingError(f"{value} cannot be written as {self.name}")
        number: float | int = round(value) if self.integer else value
        try:
            raw = struct.pack(">" + self.layout, number)
        except (struct.error, OverflowError):
            raise EncodingError(f"{value:g} does not fit {self.name}") from None
        return _bytes_to_words(_ordered(raw, self.swapped))


@dataclass(frozen=True)
class MaskEncoding:
    """``bool16``: one register, true when any bit of the mask is set."""

    mask: int
    name: str = "bool16"
    registers: int = 1

    def decode(self, words: Sequence[int]) -> float:
        return 1.0 if _first_word(words) & self.mask else 0.0


@dataclass(frozen=True)
class BoolEncoding:
    """``bool8``: a coil, or a register that is true when it is not 0."""

    name: str = "bool8"
    registers: int = 1

    def decode(self, words: Sequence[int]) -> float:
        return 1.0 if _first_word(words) else 0.0


@dataclass(frozen=True)
class TextEncoding:
    """``bytes``: a string of ``registers`` words, two characters each, NULs and blanks trimmed."""

    registers: int
    name: str = "bytes"

    def decode(self, words: Sequence[int]) -> str:
        raw = _words_to_bytes(words, self.registers)
        return raw.decode("utf-8", errors="replace").strip("\x00" + string.whitespace)


Decoder = NumberEncoding | MaskEncoding | BoolEncoding | TextEncoding

_INT16_NAN = frozenset({0x8000, 0x7FFF})
_INT32_NAN = frozenset({0x8000_0000, 0x7FFF_FFFF})
_UINT16_NAN = frozenset({0xFFFF})
_UINT32_NAN = frozenset({0xFFFF_FFFF})
_UINT64_NAN = frozenset({0xFFFF_FFFF_FFFF_FFFF})

NUMBERS: dict[str, NumberEncoding] = {
    encoding.name: encoding
    for encoding in (
        NumberEncoding("int16", "h"),
        NumberEncoding("int16nan", "h", sentinels=_INT16_NAN),
        NumberEncoding("uint16", "H"),
        NumberEncoding("uint16nan", "H", sentinels=_UINT16_NAN),
        NumberEncoding("int32", "i"),
        NumberEncoding("int32nan", "i", sentinels=_INT32_NAN),
        NumberEncoding("int32s", "i", swapped=True),
        NumberEncoding("uint32", "I"),
        NumberEncoding("uint32s", "I", swapped=True),
        NumberEncoding("uint32nan", "I", sentinels=_UINT32_NAN),
        NumberEncoding("float32", "f"),
        NumberEncoding("ieee754", "f"),
        NumberEncoding("float32s", "f", swapped=True),
        NumberEncoding("ieee754s", "f", swapped=True),
        NumberEncoding("float32nans", "f", swapped=True),
        NumberEncoding("int64", "q"),
        NumberEncoding("uint64", "Q"),
        NumberEncoding("uint64s", "Q", swapped=True),
        NumberEncoding("uint64nan", "Q", sentinels=_UINT64_NAN),
        NumberEncoding("uint64snan", "Q", swapped=True, sentinels=_UINT64_NAN),
        NumberEncoding("float64", "d"),
    )
}
OTHERS = ("bool8", "bool16", "bytes")
NAMES = (*NUMBERS, *OTHERS)
#: what a single-register write (FC06) sends: the value as one word, negative numbers as two's complement
SINGLE_WORD = NumberEncoding("uint16", "H")


def decoder(name: str, bitmask: int | None = None, length: int | None = None) -> Decoder:
    """The encoding called ``name``; ``bool16`` needs a bit mask, ``bytes`` a length in registers."""
    key = name.strip().lower()
    if key in NUMBERS:
        return NUMBERS[key]
    if key == "bool8":
        return BoolEncoding()
    if key == "bool16":
        if not bitmask:
            raise EncodingError("bool16 needs a bitmask, e.g. bitmask: 0x0004")
        return MaskEncoding(bitmask & 0xFFFF)
    if key == "bytes":
        if not length:
            raise EncodingError("bytes needs a length (registers of two characters each)")
        return TextEncoding(length)
    raise EncodingError(f"unknown encoding '{name}'; allowed: {', '.join(NAMES)}")


def single_word(value: float) -> int:
    """``value`` as the one word a single-register write sends (-32768 … 65535)."""
    if math.isfinite(value) and -0x8000 <= round(value) < 0:
        return round(value) & 0xFFFF
    return SINGLE_WORD.encode(value)[0]


def _first_word(words: Sequence[int]) -> int:
    if not words:
        raise EncodingError("no register given")
    return words[0] & 0xFFFF


def _words_to_bytes(words: Sequence[int], count: int) -> bytes:
    if len(words) < count:
        raise EncodingError(f"{len(words)} register(s) given where {count} are needed")
    return b"".join((word & 0xFFFF).to_bytes(2, "big") for word in words[:count])


def _bytes_to_words(raw: bytes) -> list[int]:
    return [int.from_bytes(raw[index : index + 2], "big") for index in range(0, len(raw), 2)]


def _ordered(raw: bytes, swapped: bool) -> bytes:
    """High word first: a swapped value's words in reverse order."""
    if not swapped:
        return raw
    return b"".join(raw[index : index + 2] for index in range(len(raw) - 2, -1, -2))
