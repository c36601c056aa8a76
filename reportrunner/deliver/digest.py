"""What a delivery says about one report, read from its data.json: the one adapter.

Slack and e-mail messages are built only from `Digest` objects, and `Digest` is built only here,
from the same view model the report page shows (its kind's: `viewmodel.report_view` for the
funnel): the headline numbers, their signed change in words, and better/worse. The page's
comparison rules (comparison.py: like for like, a running period compared to date, periods of
different lengths never judged) and its in-progress label therefore reach the messages unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportrunner.escaping import plain_text
from reportrunner.kinds import kind_of_data
from reportrunner.site.filters import Formatter
from reportrunner.site.history import HEADLINE_KEYS

#: The headline numbers a message shows, in this order (the threshold metric is added).
SHOWN_KEYS: tuple[str, ...] = ("count", "count_total_won", "value_total_won", "count_win_rate")
#: Stages shown for a report without totals (a pipeline rarely has more).
MAX_STAGES = 12


@dataclass(frozen=True)
class Line:
    """One headline number as a message shows it."""

    key: str
    label: str
    text: str  # "$12,400"
    change: str  # "up $1,200 (11%), better" or "" without a comparison
    judgement: str  # better | worse | same | chance | none


@dataclass(frozen=True)
class Digest:
    """One report, ready to be put into a message."""

    id: str
    title: str
    url: str | None
    fetched_at: str
    coverage: str  # "Opportunities created this month — Dec 1 – 31, 2026, UTC"
    #: The page's in-progress label ("month to date, day 2 of 31"); "" for a finished period.
    progress: str
    lines: tuple[Line, ...]
    #: Every headline number (raw, for the rules and the state); None when absent.
    numbers: dict[str, float | None]

    #: The report found no opportunity at all (count 0, or every funnel stage empty).
    empty: bool = False
    #: Each headline metric's page label and formatter unit (count | money | ratio | duration),
    #: as its kind's view says: how a threshold on it is written.
    units: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def in_progress(self) -> bool:
        return bool(self.progress)


def _empty(data: dict[str, Any], count: float | None) -> bool:
    if count is not None:
        return count == 0
    stages = ((data.get("responses") or {}).get("stages") or {}).get("base") or {}
    rows = (stages.get("aggregations") or {}).get("stages") if isinstance(stages, dict) else None
    if not isinstance(rows, list) or not rows:
        return False  # nothing says the report is empty
    return all(isinstance(row, dict) and not row.get("count") for row in rows)


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def page_url(base_url: str | None, report_id: str) -> str | None:
    """The report's page on the published site (None without `site.base_url`)."""
    if not base_url:
        return None
    return base_url.rstrip("/") + "/" + report_id + "/"


def digest_of(
    data: dict[str, Any], fmt: Formatter, base_url: str | None, extra: tuple[str, ...] = ()
) -> Digest:
    """The digest of one report's data.json; `extra` adds metrics (a threshold's) to show."""
    view = kind_of_data(data).view(data, fmt)  # the page's own view model, of its kind
    wanted = SHOWN_KEYS + tuple(key for key in extra if key not in SHOWN_KEYS)
    lines = []
    shown = [metric for metric in view.headline if metric.key in wanted]
    if not any(metric.key in SHOWN_KEYS for metric in shown):
        # Another kind's headline (no funnel key among its metrics): its first metrics and a
        # threshold's, in the page's order.
        first = view.headline[: len(SHOWN_KEYS)]
        shown = [m for m in view.headline if m in first or m.key in extra]
        wanted = tuple(metric.key for metric in shown)
    for metric in shown:
        # The page's own verdict: "better"/"worse" only when the periods are like for like,
        # "not judged" when they are not (the change is still said).
        change = metric.delta_words if view.has_compared else ""
        if change and metric.verdict:
            change += f", {metric.verdict}"
        lines.append(Line(metric.key, metric.label, metric.text, change, metric.judgement))
    lines.sort(key=lambda line: wanted.index(line.key))
    if not lines:  # a stages-only report: its funnel, stage by stage, stands in for a headline
        lines = [
            Line(f"stage:{stage.id}", stage.label, stage.text["count"], "", "none")
            for stage in view.stages[:MAX_STAGES]
        ]
    base = ((data.get("responses") or {}).get("totals") or {}).get("base") or {}
    aggregations = base.get("aggregations") if isinstance(base, dict) else None
    numbers = {
        key: _number(aggregations.get(key)) if isinstance(aggregations, dict) else None
        for key in HEADLINE_KEYS
    }
    empty = _empty(data, numbers["count"])
    # Another kind's metrics (none of the funnel's keys): `changed` and `skip_empty` read them.
    others = {metric.key: _number(metric.value) for metric in view.headline}
    if others and not others.keys() & numbers.keys():
        numbers.update(others)
        empty = all(not value for value in others.values())
    return Digest(
        id=view.id,
        title=view.title,
        url=page_url(base_url, view.id),
        fetched_at=view.fetched_at,
        coverage=plain_text(view.coverage[0]) if view.coverage else "",
        progress=view.progress_text,
        lines=tuple(lines),
        numbers=numbers,
        empty=empty,
        units={metric.key: (metric.label, metric.kind) for metric in view.headline},
    )
