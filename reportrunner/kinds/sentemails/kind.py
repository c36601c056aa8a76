"""`KIND` for sent e-mails reports: what this kind adds to each stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from reportrunner.kinds.base import Kind
from reportrunner.kinds.sentemails.shape import shape_problem

if TYPE_CHECKING:  # the plan stage must not import Babel or Jinja2
    from reportrunner.fetch.plan import ReportPlan
    from reportrunner.model import Spec
    from reportrunner.site.filters import Formatter
    from reportrunner.site.snapshots import Snapshot

ENDPOINT = "sent_emails"
#: `{organization_id}` is filled by the runner from one GET /me/ per run.
PATH = "/report/sent_emails/{organization_id}/"
#: Spec format → (file in the report folder, template).
OUTPUTS: dict[str, tuple[str, str]] = {
    "html": ("index.html", "sentemails/report.html"),
    "md": ("report.md", "sentemails/report.md"),
    "csv": ("report.csv", "sentemails/report.csv"),
}


@dataclass(frozen=True)
class SentEmailsKind:
    name: str = "sent-emails"
    endpoints: dict[str, str] = field(default_factory=lambda: {ENDPOINT: PATH})

    def plan(self, spec: Spec, now: datetime) -> ReportPlan:
        from reportrunner.kinds.dated import plan_dated

        return plan_dated(spec, now, endpoint=ENDPOINT, path=PATH)

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
        from reportrunner.kinds.sentemails.view import sent_emails_view

        return sent_emails_view(data, fmt, history=history, status=status, error=error)

    def outputs(self, view: Any, formats: Sequence[str]) -> list[tuple[str, str]]:
        return [OUTPUTS[name] for name in formats if name in OUTPUTS]

    def snapshot(self, data: dict[str, Any]) -> Snapshot:
        from reportrunner.kinds.sentemails.runs import snapshot

        return snapshot(data)


KIND: Kind = SentEmailsKind()  # mypy checks it against the interface
