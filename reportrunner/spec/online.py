"""`validate --online`: check every id the specs name against the Close API, with file:line.

A pipeline, user, group or saved-search id that does not exist in the organization would only
fail the nightly run; checked here, it fails the pull request instead, on the line that wrote
it. Activity reports' metric keys are checked against the account's catalogue
(kinds/activity/online.py). The look-ups are the run's own (`names.fetch_names`: every page of
users, deactivated members, groups, pipelines, and each saved search used), so both agree on what
exists. An id that could not be checked (Close failed to answer that look-up) is a warning,
not an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reportrunner.fetch.client import ClientSettings, CloseClient
from reportrunner.fetch.names import Names, fetch_names, saved_search_ids
from reportrunner.kinds.activity.online import (
    AccountMetrics,
    fetch_metrics,
    is_metric_warning,
    metric_diagnostics,
)
from reportrunner.model import Diagnostic, Location, Severity, Spec


@dataclass(frozen=True)
class OnlineSettings:
    base_url: str
    api_key: str = field(repr=False)
    timeout: float = 60.0


def _location(spec: Spec, pointer: str) -> Location:
    """Where `pointer` was written; its nearest written parent; else the spec file's top."""
    current = pointer
    while current:
        found = spec.locations.get(current)
        if found is not None:
            return found
        current = current.rsplit("/", 1)[0]
    return Location(spec.source, 1, 1)


def _diagnostic(spec: Spec, pointer: str, severity: Severity, message: str) -> Diagnostic:
    where = _location(spec, pointer)
    return Diagnostic(where.file, where.line, where.column, severity, message, pointer)


def _known(mapping: Mapping[str, str], limit: int = 6) -> str:
    items = [f"{name} ({ident})" for ident, name in list(mapping.items())[:limit]]
    more = ", …" if len(mapping) > limit else ""
    return ", ".join(items) + more if items else "none"


@dataclass(frozen=True)
class OnlineResult:
    """What `validate --online` found: the diagnostics, and which reports they make invalid."""

    diagnostics: list[Diagnostic]
    invalid: frozenset[str] = frozenset()  # ids of reports with at least one error
    #: Whether the account's metric catalogue was read (then it, not the offline list, judges).
    metrics_checked: bool = False

    def replaces(self, offline: Diagnostic) -> bool:
        """Whether this online verdict makes an offline diagnostic moot (an unknown metric
        key offline is only a guess; the account's own catalogue has the last word)."""
        return self.metrics_checked and is_metric_warning(offline)


def check_specs(specs: Sequence[Spec], names: Names) -> list[Diagnostic]:
    """Diagnostics for every id in `specs` that `names` does not know (pure; no network)."""
    return check_each(specs, names).diagnostics


def check_each(
    specs: Sequence[Spec], names: Names, metrics: AccountMetrics | None = None
) -> OnlineResult:
    """`check_specs`, also saying which reports have errors (a summary counts them invalid).

    `metrics` is the account's activity catalogue, when the specs have activity reports.
    """
    everything: set[Diagnostic] = set()
    invalid: set[str] = set()
    for spec in specs:
        own = _check_spec(spec, names)
        if metrics is not None:
            own += metric_diagnostics([spec], metrics)
        everything.update(own)
        if any(d.severity == "error" for d in own):
            invalid.add(spec.id)
    ordered = sorted(everything, key=lambda d: (d.file, d.line, d.column, d.message))
    checked = metrics is not None and metrics.keys is not None
    return OnlineResult(ordered, frozenset(invalid), checked)


def _check_spec(spec: Spec, names: Names) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    request = spec.request
    pipeline = request.get("pipeline")
    if isinstance(pipeline, str):
        if "pipelines" in names.failed:
            found.append(
                _diagnostic(
                    spec,
                    "/request/pipeline",
                    "warning",
                    f"could not check pipeline {pipeline!r}: Close did not list pipelines",
                )
            )
        elif pipeline not in names.pipelines:
            found.append(
                _diagnostic(
                    spec,
                    "/request/pipeline",
                    "error",
                    f"pipeline {pipeline!r} does not exist in this Close organization; "
                    f"known pipelines: {_known(names.pipelines)} "
                    "(`reportrunner ids pipelines` lists them)",
                )
            )
    for index, entry in enumerate(request.get("users") or []):
        if not isinstance(entry, str):
            continue
        pointer = f"/request/users/{index}"
        is_group = entry.startswith("group_")
        table = names.groups if is_group else names.users
        kind = "group" if is_group else "user"
        # Without the organization's memberships, deactivated users are unknown.
        unsure = not is_group and "organization members" in names.failed
        listed = ("groups" if is_group else "users") not in names.failed
        if not listed or (unsure and entry not in table):
            what = f"{kind}s" if not listed else "the organization's deactivated members"
            found.append(
                _diagnostic(
                    spec,
                    pointer,
                    "warning",
                    f"could not check {kind} {entry!r}: Close did not list {what}",
                )
            )
        elif entry not in table:
            found.append(
                _diagnostic(
                    spec,
                    pointer,
                    "error",
                    f"{kind} {entry!r} does not exist in this Close organization "
                    f"(deactivated users count as existing); known {kind}s: {_known(table)} "
                    f"(`reportrunner ids {kind}s` lists them)",
                )
            )
    query = request.get("query")
    search = query.get("saved_search_id") if isinstance(query, Mapping) else None
    if isinstance(search, str):
        pointer = "/request/query/saved_search_id"
        if search in names.missing_saved_searches:
            found.append(
                _diagnostic(
                    spec,
                    pointer,
                    "error",
                    f"saved search {search!r} does not exist (Close answered 404); copy the "
                    "id from the Smart View's URL in Close",
                )
            )
        elif search not in names.saved_searches:
            found.append(
                _diagnostic(
                    spec,
                    pointer,
                    "warning",
                    f"could not check saved search {search!r}: Close did not answer",
                )
            )
    return found


def validate_online(specs: Sequence[Spec], settings: OnlineSettings) -> list[Diagnostic]:
    """Look the ids up in Close and return the diagnostics; raises AuthError/ApiUnreachable."""
    return check_online(specs, settings).diagnostics


def check_online(specs: Sequence[Spec], settings: OnlineSettings) -> OnlineResult:
    """`validate --online`: look the ids up and say which reports they make invalid.

    The CLI resolves the key and URL (CLOSE_API_KEY, CLOSE_API_URL, or a built-in emulator);
    nothing here reads the environment.
    """
    if not specs:
        return OnlineResult([])
    client_settings = ClientSettings(
        base_url=settings.base_url, api_key=settings.api_key, timeout=settings.timeout
    )
    with CloseClient(client_settings) as client:
        names = fetch_names(
            client, saved_search_ids=saved_search_ids(spec.request for spec in specs)
        )
        activity = any(spec.kind == "activity" for spec in specs)
        metrics = fetch_metrics(client) if activity else None
    return check_each(specs, names, metrics)
