"""`GET /report/statuses/{lead|opportunity}/{org_id}/`: status changes over a period.

Arithmetic (close-reporting-endpoints.md §10.5), per status, over `[start, end)`: `started` /
`ended` are the records in it at the two bounds; `gained` / `lost` the records in it at one
bound only; `entered` / `left` the moves into / out of it inside the period (creation counts
as entering); so `started + gained - lost = ended` and the transitions into (out of) a status
sum to its `entered` (`left`). The summary pairs the status at the start (None: created in the
period) with the status at the end, dropping unchanged pairs. Overall reports (no dates) omit
`started`, `change`, `change_percent`, `gained` and `lost`. The choices: docs/emulator.md.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from typing import Any

from reportrunner.emulator import statusdata, statusqueries
from reportrunner.emulator.dataset import Dataset, matches_saved_search
from reportrunner.emulator.getparams import GetParams
from reportrunner.emulator.statusdata import History


def _at(history: History, moment: float) -> int | None:
    """The status just before `moment` (None: not created yet)."""
    index = bisect_left(history.times, moment)
    return history.statuses[index - 1] if index else None


def _percent(change: int, started: int) -> int | None:
    if not started:
        return None  # undocumented; a percentage of nothing is not a number
    ratio = 100 * abs(change) / started
    return int(ratio + 0.5) * (1 if change >= 0 else -1)  # half away from zero


def _records(dataset: Dataset, kind: str, params: GetParams) -> list[History]:
    data = statusdata.data_for(dataset)
    records = list(data.leads if kind == "lead" else data.opportunities)
    opps = dataset.opportunities
    if params.search is not None:
        search = params.search
        records = [
            r
            for r in records
            if r.opportunity >= 0 and matches_saved_search(search, opps[r.opportunity])
        ]
    if kind == "opportunity" and params.user_id is not None:
        records = [r for r in records if opps[r.opportunity].user_id == params.user_id]
    return records


def report(dataset: Dataset, kind: str, params: GetParams, now: float) -> dict[str, Any]:
    """The report body for `kind` ("lead" or "opportunity")."""
    if kind == "lead":
        statuses = [(s.id, s.label) for s in statusdata.lead_statuses(dataset)]
    else:
        statuses = [(s.id, s.label) for _, s in statusdata.opportunity_statuses(dataset)]
    start = params.start if params.start is not None else float("-inf")
    end = min(params.end if params.end is not None else now + 1, now + 1)
    # The queries' bounds: an open start is the organisation's creation.
    bounds = (max(start, dataset.org_created.timestamp()), end)
    started: Counter[int] = Counter()
    ended: Counter[int] = Counter()
    entered: Counter[int] = Counter()
    left: Counter[int] = Counter()
    moves: Counter[tuple[int | None, int]] = Counter()
    summary: Counter[tuple[int | None, int]] = Counter()
    for record in _records(dataset, kind, params):
        first, last = _at(record, start), _at(record, end)
        if first is not None:
            started[first] += 1
        if last is not None:
            ended[last] += 1
        if first != last and last is not None:
            summary[(first, last)] += 1
        low, high = bisect_left(record.times, start), bisect_left(record.times, end)
        for i in range(low, high):
            before = record.statuses[i - 1] if i else None
            entered[record.statuses[i]] += 1
            if before is not None:
                left[before] += 1
            moves[(before, record.statuses[i])] += 1
    days = (params.date_start, params.date_end)
    overview = []
    for index, (ident, label) in enumerate(statuses):
        row: dict[str, Any] = {
            "status_id": ident,
            "status_label": label,
            "status_is_deleted": False,
        }
        if not params.overall:
            change = ended[index] - started[index]
            gained = sum(c for (_, target), c in summary.items() if target == index)
            row.update(
                started=started[index],
                ended=ended[index],
                change=change,
                change_percent=_percent(change, started[index]),
                gained=gained,
                lost=_lost(summary, index),
            )
        else:
            row["ended"] = ended[index]
        row.update(entered=entered[index], left=left[index])
        queries = statusqueries.overview_queries(kind, label, bounds[0], bounds[1])
        row["_queries"] = queries
        row["_leads_page_urls"] = {k: statusqueries.page(q) for k, q in queries.items()}
        if kind == "opportunity":
            row["_opportunities_page_urls"] = {
                k: statusqueries.opportunities_page(k, (ident, label), q, days)
                for k, q in queries.items()
            }
        overview.append(row)

    def transitions(counts: Counter[tuple[int | None, int]]) -> list[dict[str, Any]]:
        out = []
        for (source, target), count in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
            query = statusqueries.transition_query(
                kind,
                statuses[source][1] if source is not None else None,
                statuses[target][1],
                bounds[0],
                bounds[1],
            )
            row = {
                "from_status_id": statuses[source][0] if source is not None else None,
                "from_status_label": statuses[source][1] if source is not None else None,
                "from_status_is_deleted": False if source is not None else None,
                "to_status_id": statuses[target][0],
                "to_status_label": statuses[target][1],
                "to_status_is_deleted": False,
                "count": count,
                "_query": query,
                "_leads_page_url": statusqueries.page(query),
            }
            if kind == "opportunity":
                row["_opportunities_page_url"] = statusqueries.opportunities_page(
                    "transition",
                    statuses[target],
                    query,
                    days,
                    statuses[source] if source is not None else None,
                )
            out.append(row)
        return out

    return {
        "status_overview": overview,
        "status_transitions": transitions(moves),
        "status_transitions_summary": transitions(summary),
    }


def _lost(summary: Counter[tuple[int | None, int]], index: int) -> int:
    return sum(count for (source, _), count in summary.items() if source == index)
