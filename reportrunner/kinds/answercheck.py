"""The words and number rules every kind's answer check shares (untrusted 200 answers).

A kind's `shape.py` walks its own documented shape; the parts every shape has — naming what was
found instead, and refusing a value that is not a finite, plausible number — live here, so
each kind refuses the same things in the same words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

#: Larger than any count, cents or seconds Close can mean (2**53: floats stop being exact),
#: and far below where decimal formatting of a page would fail (about 1e25).
MAX_MAGNITUDE = 2**53


def kind_of(value: Any) -> str:
    """What a JSON value is, in words: "null", "a boolean", "a number", "a list", …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def number_problem(values: Mapping[str, Any], where: str, skip: Iterable[str] = ()) -> str | None:
    """Every field but `skip` must be a finite, plausible number or null."""
    skipped = set(skip)
    for key, value in values.items():
        if key in skipped or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{where}/{key} is {kind_of(value)}, expected a number"
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            return f"{where}/{key} is {value}, beyond any plausible value"
    return None
