"""What a status-change page shows, from one data.json, so its templates only loop and print.

The headline (headline.py) has the few figures a sales leader reads first; then a table per
status with Close's counts and the net change with its sign and percentage computed from the
counts (tables.py); the transitions as a ranked flow, and Close's summary of them (flows.py);
with `compare:`, each status's entries and net change against the compared span (compared.py).
An overall report (no dates) shows only the fields Close returns for it. Trends over runs come
from history (runs.py). Every label is Close's, as plain text; templates escape it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportrunner import __version__
from reportrunner.escaping import plain_text
from reportrunner.kinds.pagehead import page_head
from reportrunner.kinds.statuses.answer import parse_answer
from reportrunner.kinds.statuses.compared import (
    CompareRow,
    compare_rows,
    period_progress,
    statuses_comparison,
)
from reportrunner.kinds.statuses.flows import TOP, FlowRow, flow_rows, transitions_csv
from reportrunner.kinds.statuses.headline import cards, directions, figures, status_types
from reportrunner.kinds.statuses.runs import figure_trends
from reportrunner.kinds.statuses.subject import Subject
from reportrunner.kinds.statuses.tables import (
    Column,
    StatusRow,
    columns,
    disagreements,
    status_rows,
    statuses_csv,
)
from reportrunner.kinds.statuses.words import coverage, is_overall
from reportrunner.site.charts import TrendChart
from reportrunner.site.compareview import ComparisonView
from reportrunner.site.csvtables import CsvTable
from reportrunner.site.filters import Formatter
from reportrunner.site.viewmodel import MetricView, StageView


@dataclass
class StatusView:
    id: str
    title: str
    description: str
    tags: list[str]
    spec_file: str
    currency: str
    timezone: str
    status: str  # ok | stale
    error: str | None
    status_words: str
    fetched_at: str
    fetched_text: str
    subject: Subject
    overall: bool
    coverage: list[str]
    filters: list[tuple[str, str]]
    comparison: ComparisonView | None
    progress_text: str
    headline: list[MetricView]
    columns: list[Column]
    statuses: list[StatusRow]
    compared: list[CompareRow]
    transitions: list[FlowRow]
    summary: list[FlowRow]
    notes: list[str]  # where Close's figures contradict themselves, and what is shown instead
    trends: list[TrendChart]
    history_runs: int
    csv: CsvTable
    transitions_csv: CsvTable
    files: dict[str, str] = field(default_factory=dict)
    stages: list[StageView] = field(default_factory=list)  # none: the index reads it
    version: str = __version__
    top: int = TOP

    @property
    def has_compared(self) -> bool:
        return self.comparison is not None

    @property
    def versus_words(self) -> str:
        """The compared span inside a sentence: "the previous period", "all of last month"."""
        if self.comparison is None:
            return ""
        label = self.comparison.label
        lowered = label[:1].lower() + label[1:]
        return lowered if label.startswith("All of") else "the " + lowered

    @property
    def flow(self) -> list[FlowRow]:
        """The transitions drawn as the flow (the largest `top`)."""
        return self.transitions[: self.top]

    @property
    def summary_flow(self) -> list[FlowRow]:
        return self.summary[: self.top]


def filters(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The Smart View, search query and user a report is limited to (names when known)."""
    request = data.get("request") or {}
    users = (data.get("names") or {}).get("users") or {}
    found = []
    if isinstance(request.get("smart_view_id"), str):
        found.append(("Smart View", plain_text(request["smart_view_id"])))
    if isinstance(request.get("query"), str):
        found.append(("Search query", plain_text(request["query"])))
    user = request.get("user_id")
    if isinstance(user, str):
        found.append(("User", plain_text(users.get(user) or user)))
    return found


def status_view(
    data: dict[str, Any],
    subject: Subject,
    fmt: Formatter,
    *,
    history: Sequence[dict[str, Any]] = (),
    status: str = "ok",
    error: str | None = None,
) -> StatusView:
    """Everything the status templates show for one data.json dict."""
    zone = str(data.get("timezone") or "UTC")
    answers = (data.get("responses") or {}).get(subject.endpoint) or {}
    base = parse_answer(answers.get("base"))
    versus = statuses_comparison(data, subject.endpoint, fmt)
    against = parse_answer(answers.get(versus.role)) if versus else None
    full = parse_answer(answers.get("compared")) if versus else None
    types = status_types(data.get("names"), base)
    headline = cards(figures(subject, base, types), base, against, full, versus, fmt)
    shown = columns(base)
    rows = status_rows(base, shown, fmt)
    compared = []
    if versus is not None and against is not None:
        compared = compare_rows(rows, against, versus, directions(subject, base, types), fmt)
    moves, summary = flow_rows(base.transitions, fmt), flow_rows(base.summary, fmt)
    running = period_progress(data)
    return StatusView(
        **page_head(data, fmt, zone, status=status, error=error),
        subject=subject,
        overall=is_overall(data),
        coverage=coverage(data, subject, fmt),
        filters=filters(data),
        comparison=versus,
        progress_text=running.words() if running else "",
        headline=headline,
        columns=shown,
        statuses=rows,
        compared=compared,
        transitions=moves,
        summary=summary,
        notes=disagreements(base, fmt),
        trends=figure_trends(headline, history, fmt, zone) if len(history) >= 2 else [],
        history_runs=len(history),
        csv=statuses_csv(rows, shown),
        transitions_csv=transitions_csv(moves, summary),
    )
