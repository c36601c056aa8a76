"""The activity report arithmetic: overview (one row per period) and comparison (one per user).

A report measures the half-open window `[start, end)` of the request, clipped to `now` (nothing
is measured in the future). Every metric is a sum over the leaves of activitydata.py, read
with two binary searches per leaf, so the rows of an overview tile the window exactly and
per-period sums equal the totals; comparison rows are per user and add up to the totals too.
Two kinds of value do not add up, by their nature: means (`avg_duration`, the total is the
overall mean, not a mean of rows) and distinct leads (`leads.contacted`: a lead touched on two
days is one lead in the week). The formulas and choices are in docs/emulator.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from reportrunner import windows
from reportrunner.emulator.activitycatalogue import Measure
from reportrunner.emulator.activitydata import ActivityStore, Piece, Series
from reportrunner.emulator.activityrequest import ActivityRequest
from reportrunner.emulator.dataset import Dataset

Granularity = Literal["day", "week", "month", "year"]
#: The longest window (in days) reported per day, per week and per month; longer: per year.
DAY_MAX, WEEK_MAX, MONTH_MAX = 31, 184, 1100


@dataclass
class Tally:
    """The raw sums behind one metric value: events, weight, distinct leads."""

    count: int = 0
    total: int = 0
    leads: set[int] | None = None

    def add(self, other: Tally) -> None:
        self.count += other.count
        self.total += other.total
        if other.leads is not None:
            self.leads = (self.leads or set()) | other.leads

    def value(self, measure: Measure) -> int | float | None:
        if measure.aggregation == "count":
            return self.count
        if measure.aggregation == "sum":
            return self.total
        if measure.aggregation == "distinct":
            return len(self.leads or ())
        return round(self.total / self.count, 2) if self.count else None


def tally(
    measure: Measure, pieces: Sequence[Mapping[str, Series]], start: float, end: float
) -> Tally:
    """The sums of one measure for one user over `[start, end)`, from that user's pieces."""
    result = Tally(leads=set() if measure.aggregation == "distinct" else None)
    for leaves in pieces:
        for name in measure.leaves:
            series = leaves.get(name)
            if series is not None:
                _add(result, measure, series, start, end)
    return result


def _add(result: Tally, measure: Measure, series: Series, start: float, end: float) -> None:
    low, high = series.span(start, end)
    result.count += high - low
    if measure.weight is not None:
        sums = series.prefix[measure.weight]
        result.total += sums[high] - sums[low]
    if result.leads is not None:
        result.leads.update(series.leads[low:high])


def granularity(window: windows.Window) -> Granularity:
    """Day rows up to a month, week rows up to half a year, month rows up to 3 years, else year."""
    assert window.start is not None and window.end is not None
    days = (window.end - window.start).total_seconds() / 86400
    if days <= DAY_MAX:
        return "day"
    if days <= WEEK_MAX:
        return "week"
    return "month" if days <= MONTH_MAX else "year"


def _next_boundary(moment: datetime, unit: Granularity, zone: tzinfo) -> datetime:
    local = moment.astimezone(zone).date()
    if unit == "day":
        following = local + timedelta(days=1)
    elif unit == "week":
        following = local + timedelta(days=7 - local.weekday())
    elif unit == "month":
        following = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    else:
        following = date(local.year + 1, 1, 1)
    return datetime.combine(following, time(0), tzinfo=zone)


def periods(start: datetime, end: datetime, unit: Granularity, zone: tzinfo) -> list[datetime]:
    """Period starts from `start` (the first may be partial) up to before `end`, in `zone`."""
    starts: list[datetime] = []
    moment = start.astimezone(zone)
    while moment < end:
        starts.append(moment)
        moment = _next_boundary(moment, unit, zone)
    return starts


def _selected(dataset: Dataset, request: ActivityRequest) -> list[str]:
    if request.users is not None:
        return list(request.users)
    return [u.id for u in dataset.users]


def _row_users(
    dataset: Dataset, request: ActivityRequest, tallies: dict[str, list[Tally]]
) -> list[str]:
    """Comparison rows: the named users; else every active user, plus inactive ones with data."""
    if request.users is not None:
        chosen = list(request.users)
    else:
        chosen = [
            u.id
            for u in dataset.users
            if u.active or any(t.count or t.total for t in tallies[u.id])
        ]

    def order(user_id: str) -> tuple[str, str]:
        return dataset.user_name(user_id).casefold(), user_id

    return sorted(chosen, key=order)


@dataclass(frozen=True)
class Bounds:
    """The measured window in epoch seconds and as datetimes in the request's zone."""

    start: datetime
    end: datetime  # clipped to now; equal to start when the window lies in the future

    @property
    def seconds(self) -> tuple[float, float]:
        return self.start.timestamp(), self.end.timestamp()


def measured(request: ActivityRequest, now: datetime) -> Bounds:
    window = request.window
    assert window.start is not None and window.end is not None
    start = window.start.astimezone(request.zone)
    end = min(window.end, now).astimezone(request.zone)
    return Bounds(start, max(start, end))


def _values(request: ActivityRequest, tallies: list[Tally]) -> dict[str, Any]:
    return {m.key: t.value(m) for m, t in zip(request.measures, tallies, strict=True)}


def _sum(request: ActivityRequest, rows: list[list[Tally]]) -> list[Tally]:
    totals = [Tally(leads=set() if m.aggregation == "distinct" else None) for m in request.measures]
    for row in rows:
        for total, part in zip(totals, row, strict=True):
            total.add(part)
    return totals


def _user_tallies(
    request: ActivityRequest, pieces: list[Piece], user: str, start: float, end: float
) -> list[Tally]:
    mine = [piece.get(user, {}) for piece in pieces]
    return [tally(m, mine, start, end) for m in request.measures]


def overview(
    dataset: Dataset, store: ActivityStore, request: ActivityRequest, now: datetime
) -> dict[str, Any]:
    """The overview body: one row per period of the window (up to now), and the totals."""
    bounds = measured(request, now)
    assert request.window.start is not None and request.window.end is not None
    unit = granularity(request.window)
    starts = periods(bounds.start, bounds.end, unit, request.zone)
    edges = [s.timestamp() for s in starts] + [bounds.seconds[1]]
    users = _selected(dataset, request)
    data = []
    for index, moment in enumerate(starts):
        low, high = edges[index], edges[index + 1]
        pieces = store.pieces(request.search, low, high)
        per_user = [_user_tallies(request, pieces, u, low, high) for u in users]
        data.append({"datetime": moment.isoformat(), **_values(request, _sum(request, per_user))})
    pieces = store.pieces(request.search, *bounds.seconds)
    whole = [_user_tallies(request, pieces, u, *bounds.seconds) for u in users]
    body = {
        "aggregations": {"totals": _values(request, _sum(request, whole))},
        "data": data,
        "queries": queries(request, bounds, users if request.users is not None else None),
    }
    return body


def comparison(
    dataset: Dataset, store: ActivityStore, request: ActivityRequest, now: datetime
) -> dict[str, Any]:
    """The comparison body: one row per user over the whole window, and their totals."""
    bounds = measured(request, now)
    pieces = store.pieces(request.search, *bounds.seconds)
    candidates = _selected(dataset, request)
    tallies = {u: _user_tallies(request, pieces, u, *bounds.seconds) for u in candidates}
    users = _row_users(dataset, request, tallies)
    return {
        "aggregations": {"totals": _values(request, _sum(request, [tallies[u] for u in users]))},
        "data": [{"user_id": u, **_values(request, tallies[u])} for u in users],
        "lookup": {"user": {u: {"id": u, "display": dataset.user_name(u)} for u in users}},
        "queries": queries(request, bounds, candidates if request.users is not None else None),
    }


# --- queries: lead searches that would reproduce each number in Close's UI --------------------

_QUERY_TEMPLATES: dict[str, str] = {
    "calls": 'call({direction}{field} >= "{start}" and {field} < "{end}"{users})',
    "emails": 'email(direction: "{direction}" and {field} >= "{start}" and {field} < "{end}"'
    "{status}{users})",
    "sms": 'sms(direction: "{direction}" and date >= "{start}" and date < "{end}"{users})',
    "leads": 'lead(date_{event} >= "{start}" and date_{event} < "{end}"{users})',
    "opportunities": 'opportunity(date_{event} >= "{start}" and date_{event} < "{end}"{users})',
    "meetings": 'meeting(date >= "{start}" and date < "{end}"{users})',
    "notes": 'note(date_created >= "{start}" and date_created < "{end}"{users})',
}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000%z")


def _query(key: str, bounds: Bounds, users: list[str] | None, search: str | None) -> str:
    obj, event, _, _ = key.split(".")
    clause = ""
    if users is not None:
        clause = " and user in (" + ", ".join(f'"{u}"' for u in users) + ")"
    incoming = event in ("inbound", "received")
    fields = {
        "start": _stamp(bounds.start),
        "end": _stamp(bounds.end),
        "users": clause,
        "direction": "incoming" if incoming else "outgoing",
        "field": "received" if incoming else "sent",
        "status": ' and status: "sent"' if obj == "emails" and not incoming else "",
        "event": event.removeprefix("value_").removesuffix("_for"),
    }
    if obj == "calls":  # Close's own template for outbound calls; the others by analogy
        fields["direction"] = "" if event == "all" else f'direction: "{event}" and '
        fields["field"] = "outgoing_call_date" if event == "outbound" else "call_date"
    text = _QUERY_TEMPLATES[obj].format(**fields)
    return text + (f' and in:"{search}"' if search else "")


def queries(
    request: ActivityRequest, bounds: Bounds, users: list[str] | None
) -> dict[str, dict[str, list[str]]]:
    search = request.search.id if request.search else None
    return {"leads": {m.key: [_query(m.key, bounds, users, search)] for m in request.measures}}
