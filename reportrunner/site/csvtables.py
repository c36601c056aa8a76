"""The CSV files' tables: raw API values for machines, plus columns a spreadsheet reads as is.

Raw columns keep Close's units in their names (`value_total_won_cents`,
`average_time_to_win_seconds`) so scripts never guess. After them come the same money in
currency units with the code in the name (`value_total_won_USD`, two decimals) and durations in
days (`average_time_to_win_days`): what a sales manager sums or sorts in Excel. Ratios stay 0..1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportrunner.escaping import plain_text
from reportrunner.kinds.funnel.metrics import STAGE_FIELDS, TOTALS_FIELDS, UNIT


@dataclass(frozen=True)
class CsvTable:
    header: list[str]
    rows: list[list[Any]]


def _friendly(fields: Sequence[tuple[str, str]], currency: str) -> list[tuple[str, str]]:
    """(key, kind) → the spreadsheet column name, for money and duration fields."""
    return [
        (key, f"{key}_{currency}" if kind == "money" else f"{key}_days")
        for key, kind in fields
        if kind in ("money", "duration")
    ]


#: Whole cents up to this many are exact in `Decimal.scaleb` (far below its 28 digits).
_EXACT_CENTS = 10**15
_CENT = Decimal("0.01")


def _convert(value: Any, kind: str) -> Any:
    if kind == "money" and type(value) is int and -_EXACT_CENTS <= value <= _EXACT_CENTS:
        # Whole cents (the usual case): the same Decimal as dividing by 100 and quantizing,
        # digits and exponent alike, without the division (tests/render/test_csv.py).
        return Decimal(value).scaleb(-2)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value  # None stays an empty cell
    if kind == "money":
        return (Decimal(str(value)) / 100).quantize(_CENT)
    return round(value / 86400, 2)


def _columns(
    fields: Sequence[tuple[str, str]], currency: str
) -> tuple[list[str], Callable[[dict[str, Any]], list[Any]]]:
    """The metric column names and the function giving one item's cells."""
    friendly = _friendly(fields, currency)
    kinds = dict(fields)
    header = [key + UNIT[kind] for key, kind in fields] + [name for _, name in friendly]

    def values(item: dict[str, Any]) -> list[Any]:
        raw = [item.get(key) for key, _ in fields]
        return raw + [_convert(item.get(key), kinds[key]) for key, _ in friendly]

    return header, values


def totals_csv(users: Sequence[tuple[str, str, dict[str, Any]]], currency: str) -> CsvTable:
    """One row per user (id, name, raw metrics): report.csv."""
    header, values = _columns([(key, kind) for key, _, kind, _ in TOTALS_FIELDS], currency)
    rows = [[user_id, name, *values(raw)] for user_id, name, raw in users]
    return CsvTable(["user_id", "user_name", *header], rows)


def stage_label(stage: dict[str, Any], statuses: dict[str, Any]) -> tuple[str, str, str]:
    """(status id, label, type) of a stage, with the organization's names as fallback."""
    status = stage.get("status") or {}
    status_id = str(status.get("id", ""))
    known = statuses.get(status_id) or {}
    label = status.get("label") or known.get("label") or status_id
    kind = status.get("type") or known.get("type") or "active"
    return status_id, plain_text(label), str(kind)


def stages_csv(data: dict[str, Any], currency: str) -> CsvTable:
    """One row per user and stage: stages.csv."""
    response = ((data.get("responses") or {}).get("stages") or {}).get("base") or {}
    names = (data.get("names") or {}).get("users") or {}
    statuses = (data.get("names") or {}).get("statuses") or {}
    metric_names, values = _columns(STAGE_FIELDS, currency)
    header = ["user_id", "user_name", "stage_position", "status_id", "status_label", "status_type"]
    header += metric_names
    rows = []
    for item in response.get("data") or []:
        user_id = str(item.get("user_id", ""))
        name = plain_text(names.get(user_id, user_id))
        for position, stage in enumerate(item.get("stages") or [], start=1):
            status_id, label, kind = stage_label(stage, statuses)
            rows.append([user_id, name, position, status_id, label, kind, *values(stage)])
    return CsvTable(header, rows)
