"""Whole cents become the CSV's currency units by `Decimal.scaleb`, exactly as by division.

`csvtables._convert` takes a short path for whole cents (the usual case); the careful path
divides the cents' text by 100 and quantizes to 0.01. Both must give the same Decimal and
the same text in the cell, at the edges of the short path's range and beyond it.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from reportrunner.site.csvtables import _convert
from reportrunner.site.filters import csv_cell


def _careful(value: Any) -> Any:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    return (Decimal(str(value)) / 100).quantize(Decimal("0.01"))


def test_whole_cents_convert_as_the_careful_division() -> None:
    pick = random.Random(14)
    edges = [0, 1, -1, 5, 99, 100, -100, 12345, 10**15, -(10**15), 10**15 + 1, -(10**15) - 1]
    values: list[Any] = edges + [pick.randint(-(10**15), 10**15) for _ in range(20_000)]
    values += [10**20, 0.5, 1.25, -0.0, 1e14, True, False, None, "12"]
    for value in values:
        made, careful = _convert(value, "money"), _careful(value)
        assert type(made) is type(careful) and str(made) == str(careful), value
        assert csv_cell(made) == csv_cell(careful), value
