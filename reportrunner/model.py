"""The typed objects passed between pipeline stages (spec → validate → plan → run → render).

Kept in one small module so every stage can import them without importing the stages
themselves (validation must not import requests or jinja2, for start-up speed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # a type only: config imports messages, which imports this module
    from reportrunner.deliver.config import Delivery

Severity = Literal["error", "warning"]
#: The Close report family a spec describes (schema `kind`); funnel when the spec says nothing.
ReportKind = Literal["funnel", "activity", "lead-statuses", "opportunity-statuses", "sent-emails"]

#: The version of OUT/<id>/data.json (docs/data-format.md): written by reportdata.py, checked by
#: site/files.py before a page is rendered from it.
DATA_FORMAT_VERSION = 1

ENDPOINT_PATHS: dict[str, str] = {
    "totals": "/report/funnel/opportunity/totals/",
    "stages": "/report/funnel/opportunity/stages/",
}
COMPARED_FIELDS: tuple[str, ...] = (
    "compared_relative_range",
    "compared_datetime_range",
    "compared_custom_range",
)


@dataclass(frozen=True)
class Diagnostic:
    """One problem in one file, at a 1-based line and column, with a JSON pointer."""

    file: str
    line: int
    column: int
    severity: Severity
    message: str
    pointer: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
            "pointer": self.pointer,
        }

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Location:
    """Where a value came from: the file (spec or reportrunner.yaml) and 1-based line/column."""

    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Spec:
    """One report, after defaults are merged and the matrix is expanded."""

    id: str
    title: str
    request: dict[str, Any]
    source: str  # the spec file, relative to the project root when possible
    description: str | None = None
    endpoints: tuple[str, ...] = ("totals", "stages")
    formats: tuple[str, ...] = ("html", "md", "csv")
    currency: str = "USD"
    timezone: str = "UTC"
    tags: tuple[str, ...] = ()
    #: How a running period is compared (reportrunner.comparison): "to-date" | "full-period".
    comparison: Literal["to-date", "full-period"] = "to-date"
    #: For matrix-expanded specs: the request field values this report was expanded with.
    matrix_values: dict[str, Any] = field(default_factory=dict)
    #: The report family (`kind:`). For activity, `request` is the /report/activity/ body
    #: and `endpoints` is ("activity",).
    kind: ReportKind = "funnel"
    #: An activity report's compare mode (`compare:`): "none", "previous-period",
    #: "same-days-last-week" | "-month" | "-quarter" | "-year". Funnel specs keep "none".
    compare: str = "none"
    #: The `range:` of a report whose endpoint takes dates (`GET` reports: lead-statuses,
    #: opportunity-statuses, sent-emails): a relative range name ("last-week") or
    #: {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"} with `end` exclusive, as Close's `date_end`.
    #: None: no `range:` (the request's own `date_start`/`date_end`, or the overall report).
    range: str | dict[str, str] | None = None
    #: JSON pointer (e.g. "/request/type") → where the value was written.
    locations: dict[str, Location] = field(default_factory=dict, compare=False, repr=False)
    #: The spec's own `deliver:` entries (docs/delivery.md).
    deliver: tuple[Delivery, ...] = ()

    @property
    def compared_field(self) -> str | None:
        """The `compared_*` field the request carries, if any."""
        return next((name for name in COMPARED_FIELDS if name in self.request), None)


@dataclass(frozen=True)
class Project:
    """reportrunner.yaml (all fields optional; defaults when the file is absent)."""

    root: Path
    file: Path | None = None
    site_title: str = "Close funnel reports"
    site_base_url: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    api_base_url: str = "https://api.close.com/api/v1"
    #: `api.organization_id`: the organisation the dated reports' paths name (None: GET /me/).
    organization_id: str | None = None
    jobs: int = 4
    templates: Path | None = None
    locale: str = "en_US"
    #: The zone of the index page's times (`site.timezone`); each report page uses its own.
    site_timezone: str = "UTC"
    #: The shared `deliver:` entries (docs/delivery.md).
    deliver: tuple[Delivery, ...] = ()


OutcomeStatus = Literal["ok", "failed"]


@dataclass
class ReportOutcome:
    """What the runner hands to the site builder for one report.

    `data` is the content of `OUT/<id>/data.json` (see docs/data-format.md) when the fetch
    succeeded; `error` says in words why it failed otherwise. The site builder turns a failed
    report that has an earlier good page into status "stale".
    """

    id: str
    title: str
    source: str
    status: OutcomeStatus
    data: dict[str, Any] | None = None
    error: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
