"""`validate --online` for activity reports: are the metric keys the account's?

Close serves more metrics than it documents, so offline an unknown well-formed key is only a
warning. Online, the account's own catalogue (`GET /report/activity/metrics/`, fetched once
per run) decides: a key it does not list is an error on the line that wrote it, with a
did-you-mean from the account's keys. The answer is untrusted input: anything but the
documented shape `{"metrics": [{"key": …}, …]}` (or a failed request) leaves the keys
unchecked, with a warning that says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportrunner.errors import ApiError, ApiUnreachable, AuthError
from reportrunner.fetch.client import CloseClient
from reportrunner.kinds.activity.checks import metric_problems
from reportrunner.model import Diagnostic, Location, Spec

METRICS_PATH = "/report/activity/metrics/"
#: An account's catalogue is about a hundred keys; far more is not a catalogue.
MAX_METRICS = 10_000


@dataclass(frozen=True)
class AccountMetrics:
    """The account's metric keys, or why they could not be read."""

    keys: frozenset[str] | None
    problem: str = ""


def parse_catalogue(answer: Any) -> frozenset[str]:
    """The keys of a `GET /report/activity/metrics/` answer; ValueError for any other shape."""
    entries = answer.get("metrics") if isinstance(answer, dict) else None
    if not isinstance(entries, list) or len(entries) > MAX_METRICS:
        raise ValueError("the answer has no list under 'metrics'")
    keys = [entry.get("key") if isinstance(entry, dict) else None for entry in entries]
    if not all(isinstance(key, str) and key for key in keys):
        raise ValueError("an entry under 'metrics' has no text 'key'")
    return frozenset(key for key in keys if isinstance(key, str))


def fetch_metrics(client: CloseClient) -> AccountMetrics:
    """The account's catalogue; raises only AuthError (401/403) or ApiUnreachable."""
    try:
        answer = client.get_json(METRICS_PATH)
    except (ApiUnreachable, AuthError):
        raise
    except ApiError as exc:
        return AccountMetrics(None, str(exc))
    try:
        return AccountMetrics(parse_catalogue(answer))
    except ValueError as exc:
        return AccountMetrics(None, f"{METRICS_PATH} answered in an unknown shape: {exc}")


def _at(spec: Spec, pointer: str) -> Location:
    current = pointer
    while current:
        if current in spec.locations:
            return spec.locations[current]
        current = current.rsplit("/", 1)[0]
    return Location(spec.source, 1, 1)


def metric_diagnostics(specs: Sequence[Spec], metrics: AccountMetrics) -> list[Diagnostic]:
    """Diagnostics for the activity specs' metric keys against the account's catalogue."""
    found: list[Diagnostic] = []
    for spec in specs:
        if spec.kind != "activity":
            continue
        if metrics.keys is None:
            where = _at(spec, "/request/metrics")
            message = f"could not check the metric keys: {metrics.problem}"
            found.append(
                Diagnostic(
                    where.file, where.line, where.column, "warning", message, "/request/metrics"
                )
            )
            continue
        for problem in metric_problems(spec.request, "/request", metrics.keys):
            where = _at(spec, problem.pointer)
            found.append(
                Diagnostic(
                    where.file, where.line, where.column, "error", problem.message, problem.pointer
                )
            )
    return found


def is_metric_warning(diagnostic: Diagnostic) -> bool:
    """An offline unknown-metric warning, which the online verdict replaces."""
    return (
        diagnostic.severity == "warning"
        and diagnostic.pointer.startswith("/request/metrics/")
        and "documented catalogue" in diagnostic.message
    )
