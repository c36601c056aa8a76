"""The rules of date-taking reports that a schema cannot express: a period's start before its end.

Reports whose endpoint takes `date_start`/`date_end` (Close's GET reports) get their period as
`range: {start, end}` or as those two request parameters: whole days, the end exclusive, as
Close reads `date_end`. The schema checks each date on its own (shape and calendar); only
comparing two of them needs code, and an empty or backwards period is refused here rather
than answered by Close with an empty report.
"""

from __future__ import annotations

from typing import Any

from reportrunner.spec.checks import is_calendar_date
from reportrunner.spec.messages import Problem


def _dates(first: Any, second: Any) -> tuple[str, str] | None:
    """Both values when both are real dates (otherwise the schema already explains them)."""
    texts = isinstance(first, str) and isinstance(second, str)
    if texts and is_calendar_date(first) and is_calendar_date(second):
        return first, second
    return None


def date_order_problems(spec: Any) -> list[Problem]:
    """`range: {start, end}` and request `date_start`/`date_end`: the start before the end."""
    if not isinstance(spec, dict):
        return []
    found: list[Problem] = []
    window = spec.get("range")
    if isinstance(window, dict):
        pair = _dates(window.get("start"), window.get("end"))
        if pair and pair[0] >= pair[1]:  # ISO dates compare as text in calendar order
            found.append(
                Problem(
                    "/range",
                    f"range: start ({pair[0]}) must be before end ({pair[1]}); end is the "
                    "first day after the period",
                    at_key=True,
                )
            )
    request = spec.get("request")
    if isinstance(request, dict):
        pair = _dates(request.get("date_start"), request.get("date_end"))
        if pair and pair[0] >= pair[1]:
            found.append(
                Problem(
                    "/request/date_end",
                    f"date_end ({pair[1]}) must be after date_start ({pair[0]}); date_end is "
                    "the first day after the period (Close reads it as exclusive)",
                    at_key=True,
                )
            )
    return found
