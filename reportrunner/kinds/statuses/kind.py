"""`StatusKind`: what a status-change kind adds to each stage, for leads or for opportunities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from reportrunner.fetch.plan import ReportPlan
from reportrunner.kinds.statuses.shape import shape_problem
from reportrunner.kinds.statuses.subject import Subject
from reportrunner.model import Spec

if TYPE_CHECKING:  # the plan stage must not import Babel or Jinja2
    from reportrunner.site.filters import Formatter
    from reportrunner.site.snapshots import Snapshot

#: Spec format → (file in the report folder, template); both kinds share the templates.
OUTPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "html": (("index.html", "statuses/report.html"),),
    "md": (("report.md", "statuses/report.md"),),
    "csv": (("report.csv", "statuses/report.csv"), ("transitions.csv", "statuses/transitions.csv")),
}


@dataclass(frozen=True)
class StatusKind:
    subject: Subject

    @property
    def name(self) -> str:
        return self.subject.kind

    @property
    def endpoints(self) -> dict[str, str]:
        return {self.subject.endpoint: self.subject.path}

    def plan(self, spec: Spec, now: datetime) -> ReportPlan:
        from reportrunner.kinds.dated import plan_dated

        return plan_dated(spec, now, endpoint=self.subject.endpoint, path=self.subject.path)

    def shape_problem(self, endpoint: str, answer: Any) -> str | None:
        return shape_problem(answer)

    def view(
        self,
        data: dict[str, Any],
        fmt: Formatter,
        *,
        history: Sequence[dict[str, Any]] = (),
        status: str = "ok",
        error: str | None = None,
    ) -> Any:
        from reportrunner.kinds.statuses.view import status_view

        return status_view(data, self.subject, fmt, history=history, status=status, error=error)

    def outputs(self, view: Any, formats: Sequence[str]) -> list[tuple[str, str]]:
        return [pair for name in formats for pair in OUTPUTS.get(name, ())]

    def snapshot(self, data: dict[str, Any]) -> Snapshot:
        from reportrunner.kinds.statuses.runs import snapshot

        return snapshot(data, self.subject)
