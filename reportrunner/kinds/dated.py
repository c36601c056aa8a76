"""The plan of a Close GET report that takes calendar dates (`date_start`, `date_end`).

Three report families share it: lead and opportunity status changes and sent e-mails
(close-reporting-endpoints.md §9–§11). They take no relative ranges, so a spec's `range:` (a
relative name, or `{start, end}` dates) is resolved here into dates with the windows code every
kind shares: in the spec's IANA zone, `date_end` exclusive (Close's example reads it so;
docs/emulator.md). A spec may instead write `date_start`/`date_end` in `request:` itself (then
either side may be open), or neither: Close's "overall" report.

`compare:` adds the compared period's request (role "compared", kinds/periods.py). While the
report's own period runs (this week on a Wednesday), a comparison must be like for like, and
these endpoints count whole days only: a partial today cannot be matched by "the same hours" of
last Wednesday. So the base request then covers the complete days so far (Monday and Tuesday)
and role "compared_to_date" the same number of days of the compared period; the page says which
days. On the period's first day there is no complete day yet: the base request covers today, and
the compared period is fetched but no change is judged: `extra.judged_against` is None, as
whenever a change cannot be judged fairly (periods of different lengths).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from reportrunner.comparison import decide
from reportrunner.fetch.plan import ORGANIZATION, PlannedRequest, ReportPlan, planned_get
from reportrunner.kinds.periods import compared_window
from reportrunner.model import Spec
from reportrunner.windows import Window, resolve_relative, zone_offset_hours

DATE_FIELDS = ("date_start", "date_end")
__all__ = ["DATE_FIELDS", "ORGANIZATION", "plan_dated", "spec_window", "window_json"]


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _day(text: Any) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) and text else None


def spec_window(spec: Spec, now: datetime) -> tuple[Window, str | None, str]:
    """The report's own window, its relative name (if any) and its kind of range.

    The kind is "relative", "dates" (a `{start, end}` range or request dates) or "overall"
    (no dates at all; an `all-time` range is overall too).
    """
    zone = ZoneInfo(spec.timezone)
    written = spec.range
    if isinstance(written, str):
        window = resolve_relative(written, now, zone)
        if window.start is None and window.end is None:
            return window, written, "overall"
        return window, written, "relative"
    if isinstance(written, Mapping):
        start, end = _day(written.get("start")), _day(written.get("end"))
    else:
        start, end = (_day(spec.request.get(name)) for name in DATE_FIELDS)
    if start is None and end is None:
        return Window(None, None), None, "overall"
    window = Window(
        _midnight(start, zone) if start else None, _midnight(end, zone) if end else None
    )
    return window, None, "dates"


def dates_of(window: Window, zone: ZoneInfo) -> dict[str, str]:
    """`date_start`/`date_end` of a window of whole days (an open side is left out)."""
    dates: dict[str, str] = {}
    if window.start is not None:
        dates["date_start"] = window.start.astimezone(zone).date().isoformat()
    if window.end is not None:
        dates["date_end"] = window.end.astimezone(zone).date().isoformat()
    return dates


def window_json(window: Window, zone: ZoneInfo, kind: str, value: str | None) -> dict[str, Any]:
    """A window as data.json writes it (kind, value, start, end) plus the dates sent."""
    dates = dates_of(window, zone)
    return {
        "kind": kind,
        "value": value,
        **window.to_json(),
        "date_start": dates.get("date_start"),
        "date_end": dates.get("date_end"),
    }


def _days(start: datetime, count: int, zone: ZoneInfo) -> Window:
    first = start.astimezone(zone).date()
    return Window(_midnight(first, zone), _midnight(first + timedelta(days=count), zone))


def plan_dated(spec: Spec, now: datetime, *, endpoint: str, path: str) -> ReportPlan:
    """The requests (base, compared, compared_to_date) and windows of a dated GET report.

    `path` may carry `{organization_id}` (ORGANIZATION). The query string is the spec's
    `request` as written (values as text) plus the dates of each window.
    """
    zone = ZoneInfo(spec.timezone)
    period, relative, kind = spec_window(spec, now)
    params = {
        str(key): str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in spec.request.items()
        if key not in DATE_FIELDS
    }

    def request(role: str, window: Window) -> PlannedRequest:
        at = window.start or window.end or now
        offset = zone_offset_hours(spec.timezone, at)
        return planned_get(endpoint, role, path, {**params, **dates_of(window, zone)}, offset)

    bounded = period.start is not None and period.end is not None
    compared = compared_window(period, spec.compare, spec.timezone) if bounded else None
    if compared is not None and not (
        compared.start and compared.end and compared.start < compared.end
    ):
        # 29-31 March shifted a month back is 28-28 February: Close refuses an empty period.
        compared = None
    windows: dict[str, dict[str, Any] | None] = {"compared": None}
    base, to_date, against = period, None, None
    if compared is not None:
        verdict = decide(period, compared, now, mode=spec.comparison, relative=relative)
        against = "compared" if verdict.kind == "like-for-like" else None
        if verdict.kind == "to-date" and verdict.progress and verdict.progress.day > 1:
            assert period.start is not None and compared.start is not None
            complete = verdict.progress.day - 1  # today is not over: compare the days that are
            base = _days(period.start, complete, zone)
            to_date = _days(compared.start, complete, zone)
            if compared.end is not None and to_date.end is not None:
                # 30 complete days of December against November: all of November, no more.
                to_date = Window(to_date.start, min(to_date.end, compared.end))
            windows["period"] = window_json(period, zone, kind, relative)
            against = "compared_to_date"
    windows["report"] = window_json(base, zone, kind, relative)
    requests = [request("base", base)]
    if compared is not None:
        mode = "previous-period" if spec.compare == "previous-period" else "same-days"
        windows["compared"] = window_json(compared, zone, mode, spec.compare)
        requests.append(request("compared", compared))
    if to_date is not None:
        windows["compared_to_date"] = window_json(to_date, zone, "to-date", None)
        requests.append(request("compared_to_date", to_date))
    # Which answer the base may be judged against (None: not fairly: first day, lengths differ)
    extra = {"compare": spec.compare, "judged_against": against}
    return ReportPlan(spec, requests, windows, extra=extra)
