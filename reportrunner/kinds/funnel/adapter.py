"""`KIND` for the funnel: each method hands over to the funnel's existing module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from reportrunner.fetch.plan import ReportPlan, plan_report
from reportrunner.kinds.base import Kind
from reportrunner.model import ENDPOINT_PATHS, Spec

if TYPE_CHECKING:  # the plan stage must not import Babel or Jinja2
    from reportrunner.site.filters import Formatter
    from reportrunner.site.snapshots import Snapshot


@dataclass(frozen=True)
class FunnelKind:
    name: str = "funnel"
    endpoints: dict[str, str] = field(default_factory=lambda: dict(ENDPOINT_PATHS))

    def plan(self, spec: Spec, now: datetime) -> ReportPlan:
        return plan_report(spec, now)

    def shape_problem(self, endpoint: str, answer: Any) -> str | None:
        from reportrunner.kinds.funnel.shape import shape_problem

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
        from reportrunner.site.viewmodel import report_view

        return report_view(data, fmt, history=history, status=status, error=error)

    def outputs(self, view: Any, formats: Sequence[str]) -> list[tuple[str, str]]:
        from reportrunner.site.render import Renderer

        return Renderer.outputs(view, list(formats))

    def snapshot(self, data: dict[str, Any]) -> Snapshot:
        from reportrunner.site.history import snapshot_of

        return snapshot_of(data)


KIND: Kind = FunnelKind()  # mypy checks it against the interface
