"""`KIND` for activity reports: what this kind adds to each stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from reportrunner.fetch.plan import ReportPlan
from reportrunner.kinds.activity.plan import ENDPOINT, PATH, plan_activity
from reportrunner.kinds.activity.shape import shape_problem
from reportrunner.kinds.base import Kind
from reportrunner.model import Spec

if TYPE_CHECKING:  # the plan stage must not import Babel or Jinja2
    from reportrunner.site.filters import Formatter
    from reportrunner.site.snapshots import Snapshot

#: Spec format → (file in the report folder, template).
OUTPUTS: dict[str, tuple[str, str]] = {
    "html": ("index.html", "activity/report.html"),
    "md": ("report.md", "activity/report.md"),
    "csv": ("report.csv", "activity/report.csv"),
}


@dataclass(frozen=True)
class ActivityKind:
    name: str = "activity"
    endpoints: dict[str, str] = field(default_factory=lambda: {ENDPOINT: PATH})

    def plan(self, spec: Spec, now: datetime) -> ReportPlan:
        return plan_activity(spec, now)

    def shape_problem(self, endpoint: str, answer: Any) -> str | None:
        return shape_problem(endpoint, answer)

    def view(
        self,
        data: dict[str, Any],
        fmt: Formatter,
        *,
        history: Sequence[dict[str, Any]] = (),
        status: str = "ok",
        error: str | None = None,
    ) -> Any:
        from reportrunner.kinds.activity.view import activity_view

        return activity_view(data, fmt, history=history, status=status, error=error)

    def outputs(self, view: Any, formats: Sequence[str]) -> list[tuple[str, str]]:
        return [OUTPUTS[name] for name in formats if name in OUTPUTS]

    def snapshot(self, data: dict[str, Any]) -> Snapshot:
        from reportrunner.kinds.activity.runs import snapshot

        return snapshot(data)


KIND: Kind = ActivityKind()  # mypy checks it against the interface
