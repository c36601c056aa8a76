"""What a report kind adds to each stage of the pipeline: the interface every kind implements.

A kind is one family of Close's Reporting API (the opportunity funnel is the first).
The shared stages (plan, runner, site) know no kind by name: they ask the registry
(`reportrunner.kinds`) for the kind of a spec, of an endpoint or of a data.json, and call the
methods below. Adding a kind is a folder `kinds/<name>/` whose `KIND` implements `Kind`, its
templates, and one line in the registry (docs/architecture.md, "How to add a kind").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # types only: the registry must stay importable without jinja2 or requests
    from reportrunner.fetch.plan import ReportPlan
    from reportrunner.model import Spec
    from reportrunner.site.filters import Formatter
    from reportrunner.site.snapshots import Snapshot


class PageView(Protocol):
    """The part of a kind's view model the shared site code reads (index row, manifest)."""

    id: str
    title: str
    tags: list[str]
    files: dict[str, str]  # filled by Renderer.report_files: manifest key → file name


class Kind(Protocol):
    """One report kind: its request plan, answer check, view, pages and history snapshot."""

    @property
    def name(self) -> str:
        """The name a spec's `kind:` and data.json's `kind` carry ("funnel", …)."""
        ...

    @property
    def endpoints(self) -> Mapping[str, str]:
        """Endpoint name (a PlannedRequest's `endpoint`, data.json's `responses` key) → path."""
        ...

    def plan(self, spec: Spec, now: datetime) -> ReportPlan:
        """The requests (each with its role) and the resolved windows of one valid spec."""
        ...

    def shape_problem(self, endpoint: str, answer: Any) -> str | None:
        """Why a 200 answer of `endpoint` cannot be used (None when it can): untrusted input."""
        ...

    def view(
        self,
        data: dict[str, Any],
        fmt: Formatter,
        *,
        history: Sequence[dict[str, Any]] = (),
        status: str = "ok",
        error: str | None = None,
    ) -> Any:
        """Everything this kind's templates show, from one data.json (raise on bad data)."""
        ...

    def outputs(self, view: Any, formats: Sequence[str]) -> list[tuple[str, str]]:
        """(file in the report folder, template) for the spec's `formats`."""
        ...

    def snapshot(self, data: dict[str, Any]) -> Snapshot:
        """The history snapshot a successful fetch adds (checked by snapshots.py)."""
        ...
