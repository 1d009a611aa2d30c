"""evcc's SunSpec point selectors: ``103:W``, ``160:3:DCW`` (block 3 of model 160), ``101|103:W`` (either model).

Block 0 is a model's fixed part; block n ≥ 1 is the n-th instance of its repeating group (an MPPT module of
model 160, for example).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Selector:
    model: int
    block: int
    point: str

    def __str__(self) -> str:
        return f"{self.model}:{self.block}:{self.point}" if self.block else f"{self.model}:{self.point}"


def parse(text: str) -> list[Selector]:
    """The selectors one text names (more than one with ``|`` between models); ValueError says what is wrong."""
    parts = [part.strip() for part in text.split(":")]
    if len(parts) not in (2, 3) or not _NAME.match(parts[-1]):
        raise ValueError(f"'{text}' is not a SunSpec point; write model:point or model:block:point, e.g. 203:W")
    try:
        models = [int(model) for model in parts[0].split("|")]
        block = int(parts[1]) if len(parts) == 3 else 0
    except ValueError:
        raise ValueError(f"'{text}': models and block are numbers, e.g. 160:1:DCW or 101|103:W") from None
    if block < 0 or any(not 1 <= model < 0xFFFF for model in models):
        raise ValueError(f"'{text}': a model is 1..65534 and a block 0 or more")
    return [Selector(model, block, parts[-1]) for model in models]
