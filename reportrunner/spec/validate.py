"""Validation of request bodies (shared with the emulator) and of whole spec folders.

`request_problems` applies the request-level rules (the schema's request definition plus the
semantic checks) to a bare JSON body: the emulator answers 400s with its words, so users see
the same sentence from `validate` and from a (simulated) Close. `validate_paths` checks every
spec file (and reportrunner.yaml) in one pass and returns the failures as data: valid specs,
rejected ones, and diagnostics located at the line and column of the offending value.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from reportrunner.deliver.config import delivery_problems, parse_deliveries
from reportrunner.errors import SpecError
from reportrunner.kinds.activity.checks import (
    compare_problems,
    metric_problems,
    threshold_problems,
)
from reportrunner.model import Diagnostic, Project, ReportKind, Severity, Spec
from reportrunner.resources import load_schema
from reportrunner.spec.checks import (
    SPEC_SCHEMA,
    request_semantic_problems,
    schema_problems,
    timezone_problem,
)
from reportrunner.spec.datedchecks import date_order_problems
from reportrunner.spec.files import Namer, collect_files, name_problem
from reportrunner.spec.messages import Problem, unescape_token
from reportrunner.spec.placeholders import placeholder_problems
from reportrunner.spec.project import (
    PROJECT_FILE,
    Draft,
    build_drafts,
    draft_of,
    project_from,
    read_project,
    title_placeholders,
)
from reportrunner.spec.uniqueids import unique_ids
from reportrunner.spec.yamlload import Loaded, load_file

_DEFAULT_NOTE = " (a default from "
#: The kinds whose endpoint is a GET taking date_start/date_end → that endpoint's name (the
#: kind's `endpoints` key, which the plan and data.json use).
DATED_ENDPOINTS: dict[str, str] = {
    "lead-statuses": "lead_statuses",
    "opportunity-statuses": "opportunity_statuses",
    "sent-emails": "sent_emails",
}


@dataclass(frozen=True)
class RequestProblem:
    """One broken request rule: top-level field, JSON pointer inside the body, words."""

    field: str
    pointer: str
    message: str
    severity: Severity


def request_problems(
    body: Any, kind: ReportKind = "funnel", metrics: Collection[str] | None = None
) -> list[RequestProblem]:
    """The request-level rules `body` breaks (errors and warnings), in the words of `validate`.

    `kind` says which endpoint's body it is. For activity bodies, `metrics` is the catalogue
    the server offers: a key outside it is then an error (without it, reportrunner's
    documented catalogue judges, and an unknown well-formed key is a warning).
    """
    if kind == "activity":
        problems = schema_problems("activity-request", body, "the request body")
        problems += request_semantic_problems(body)
        problems += metric_problems(body, "", metrics)
    else:
        problems = schema_problems("request", body, "the request body")
        problems += request_semantic_problems(body)
    result = []
    for problem in problems:
        # A key missing from the body itself is that key's error (as Close reports it).
        top = unescape_token(problem.pointer.split("/")[1]) if problem.pointer else None
        field = top or problem.missing or ""
        result.append(RequestProblem(field, problem.pointer, problem.message, problem.severity))
    return result


@dataclass
class RejectedSpec:
    """A spec file (or one matrix expansion) that has errors; nothing is fetched for it."""

    file: str
    id: str | None
    title: str | None
    diagnostics: list[Diagnostic]


@dataclass
class ValidationResult:
    project: Project
    project_ok: bool
    specs: list[Spec]
    rejected: list[RejectedSpec]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    #: reportrunner.yaml's own diagnostics (also in `diagnostics`): every command that reads
    #: the file prints these when `project_ok` is False, then exits 2.
    project_diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")


@cache
def _kind_keys() -> frozenset[str]:
    """The top-level keys some kind's branch of the schema takes."""
    definitions = load_schema(SPEC_SCHEMA)["definitions"]
    return frozenset(
        key
        for name, definition in definitions.items()
        if name.endswith("Spec")
        for key in definition.get("properties", {})
    )


def _kind_noise(problem: Problem) -> bool:
    """A problem that only the funnel branch, applied to an unknown kind, would report."""
    if problem.pointer.startswith("/request") or problem.missing == "request":
        return True
    top = unescape_token(problem.pointer[1:]) if problem.pointer.count("/") == 1 else None
    return problem.at_key and top in _kind_keys()


def _dated(data: dict[str, Any]) -> bool:
    """Whether a spec is of a kind whose endpoint takes date_start/date_end."""
    kind = data.get("kind")
    return isinstance(kind, str) and kind in DATED_ENDPOINTS


def _diagnostic(draft: Draft, problem: Problem, note: str = "") -> Diagnostic:
    where = draft.locate(problem.pointer, problem.at_key)
    message = problem.message + note
    if where.file != draft.file:
        message += f"{_DEFAULT_NOTE}{where.file}, used by {draft.file})"
    return Diagnostic(
        where.file, where.line, where.column, problem.severity, message, problem.pointer
    )


def _spec_problems(draft: Draft) -> list[Problem]:
    data = draft.data
    problems = schema_problems("spec", data)
    if any(p.pointer == "/kind" for p in problems):
        # An unknown kind: the file was checked as a funnel's, which would only be noise
        # about the request and about the keys some other kind takes (range, compare, …).
        problems = [p for p in problems if not _kind_noise(p)]
    if "matrix" in data:
        # A malformed matrix was not expanded: request problems would only be noise.
        problems = [p for p in problems if not p.pointer.startswith("/request")]
    else:
        problems += request_semantic_problems(data.get("request"), "/request")
        problems += placeholder_problems(data.get("request"))
        if data.get("kind") == "activity":
            problems += metric_problems(data.get("request"), "/request")
            problems += threshold_problems(data)
    if data.get("kind") == "activity":
        problems += compare_problems(data)
    if _dated(data):
        problems += date_order_problems(data)
    problems += delivery_problems(data.get("deliver"), "/deliver", in_spec=True)
    if not any(p.pointer == "/timezone" for p in problems):
        zone = timezone_problem(data.get("timezone"))
        if zone:
            problems.append(zone)
    leftover = title_placeholders(data.get("title")) if draft.matrix_values else []
    for name in leftover:
        fields = ", ".join(draft.matrix_values)
        problems.append(
            Problem("/title", f"title placeholder {{{name}}} is not a matrix field ({fields})")
        )
    if draft.id_from_file:
        problems = [
            replace(
                p,
                message=f"the file name gives the report id {data.get('id')!r}, which is not "
                f"valid: {p.message}; rename the file or add an id: line",
            )
            if p.pointer == "/id"
            else p
            for p in problems
        ]
    return problems


def _check_drafts(drafts: list[Draft]) -> list[list[Diagnostic]]:
    """Diagnostics per draft of one spec file (several when its matrix expands).

    A request problem that only some expansions have gets a note naming their matrix values;
    one that all of them share is reported once, without the note.
    """
    found = [(draft, _spec_problems(draft)) for draft in drafts]
    counts: dict[Problem, int] = {}
    for _, problems in found:
        for problem in set(problems):
            counts[problem] = counts.get(problem, 0) + 1
    result = []
    for draft, problems in found:
        matrix_at = {draft.values.get(f"/request/{name}") for name in draft.matrix_values}
        diagnostics = []
        for problem in problems:
            note = ""
            shared = counts[problem] == len(drafts)
            from_matrix = draft.locate(problem.pointer, problem.at_key) in matrix_at
            if problem.pointer.startswith("/request") and not (shared or from_matrix):
                pairs = ", ".join(f"{k}={v}" for k, v in draft.matrix_values.items())
                note = f" (with matrix values {pairs})"
            diagnostics.append(_diagnostic(draft, problem, note))
        for name, where in draft.shadowed.items():
            message = (
                f"{name} is set both here and in the matrix, which would silently win; "
                "remove one of them"
            )
            pointer = f"/request/{name}"
            diagnostics.append(
                Diagnostic(where.file, where.line, where.column, "error", message, pointer)
            )
        result.append(diagnostics)
    return result


def _to_spec(draft: Draft) -> Spec:
    data = draft.data
    optional: dict[str, Any] = {}
    for name in ("description", "currency", "timezone", "comparison", "compare"):
        if name in data:
            optional[name] = data[name]
    for name in ("endpoints", "formats", "tags"):
        if name in data:
            optional[name] = tuple(data[name])
    request: dict[str, Any] = data.get("request") or {}
    if data.get("kind") == "activity":
        optional |= {"kind": "activity", "endpoints": ("activity",)}
    elif _dated(data):
        kind = data["kind"]
        window = data.get("range")
        optional |= {
            "kind": kind,
            "endpoints": (DATED_ENDPOINTS[kind],),
            # Query-string values: the schema admits only texts here; str() keeps it so.
            "range": dict(window) if isinstance(window, dict) else window,
        }
        request = {name: str(value) for name, value in request.items()}
    return Spec(
        id=data["id"],
        title=data["title"],
        request=request,
        source=draft.file,
        matrix_values=draft.matrix_values,
        locations=dict(draft.values),
        deliver=parse_deliveries(data.get("deliver"), draft.file),
        **optional,
    )


def _check_project(root: Path, display: str) -> tuple[Loaded | None, list[Diagnostic]]:
    try:
        loaded = read_project(root, display)
    except SpecError as exc:
        return None, [_from_spec_error(exc, display)]
    if loaded is None:
        return None, []
    draft = draft_of(loaded)
    problems = schema_problems("project", loaded.data)
    site = loaded.data.get("site")
    # site.timezone, the index's zone: a real IANA zone, as for the specs' timezone.
    if isinstance(site, dict) and not any(p.pointer == "/site/timezone" for p in problems):
        zone = timezone_problem(site.get("timezone"), "/site/timezone")
        problems += [zone] if zone else []
    problems += delivery_problems(loaded.data.get("deliver"), "/deliver", in_spec=False)
    defaults = loaded.data.get("defaults")
    if isinstance(defaults, dict):
        if not any(p.pointer == "/defaults/timezone" for p in problems):
            zone = timezone_problem(defaults.get("timezone"), "/defaults/timezone")
            problems += [zone] if zone else []
        semantic = request_semantic_problems(defaults.get("request"), "/defaults/request")
        problems += [p for p in semantic if p.severity == "error"]
    return loaded, [_diagnostic(draft, p) for p in problems]


def check_project(root: Path) -> tuple[Project, list[Diagnostic]]:
    """reportrunner.yaml in `root` (defaults when absent) and its diagnostics, specs aside.

    For the commands that read only the project file (`new`, `ids`, `init`, `serve`).
    """
    display = Namer(root)(root / PROJECT_FILE)
    loaded, diagnostics = _check_project(root, display)
    return project_from(root, loaded), diagnostics


def _from_spec_error(exc: SpecError, display: str) -> Diagnostic:
    message = exc.message + (f" ({exc.hint})" if exc.hint else "")
    return Diagnostic(display, exc.line or 1, exc.column or 1, "error", message, "")


def _strict(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [replace(d, severity="error") for d in diagnostics]


def validate_paths(
    paths: Sequence[Path], *, root: Path | None = None, strict: bool = False
) -> ValidationResult:
    """Validate reportrunner.yaml and every spec under `paths` (default: ROOT/specs)."""
    root = root or Path.cwd()
    files = collect_files(list(paths) or [root / "specs"], root)
    namer = Namer(root)
    project_loaded, project_diagnostics = _check_project(root, namer(root / PROJECT_FILE))
    project = project_from(root, project_loaded)
    checked: list[tuple[Draft, list[Diagnostic]]] = []
    broken: list[RejectedSpec] = []
    named: list[Diagnostic] = []
    for path in files:
        name = namer(path)
        if odd := name_problem(path):
            named.append(Diagnostic(name, 1, 1, "warning", odd))
        try:
            drafts = build_drafts(load_file(path, name), project_loaded)
        except SpecError as exc:
            broken.append(RejectedSpec(name, None, None, [_from_spec_error(exc, name)]))
            continue
        checked.extend(zip(drafts, _check_drafts(drafts), strict=True))
    unique_ids(checked)
    specs: list[Spec] = []
    rejected = list(broken)
    everything: dict[Diagnostic, None] = dict.fromkeys(
        _strict(project_diagnostics) if strict else project_diagnostics
    )
    # A broken default is reported once, at reportrunner.yaml, not again for every spec.
    project_keys = {(d.file, d.line, d.column, d.message) for d in project_diagnostics}
    for draft, diagnostics in checked:
        own = list(dict.fromkeys(_strict(diagnostics) if strict else diagnostics))
        everything.update(
            dict.fromkeys(
                d
                for d in own
                if (d.file, d.line, d.column, d.message.split(_DEFAULT_NOTE)[0]) not in project_keys
            )
        )
        if any(d.severity == "error" for d in own):
            report_id, title = draft.data.get("id"), draft.data.get("title")
            rejected.append(
                RejectedSpec(
                    draft.file,
                    report_id if isinstance(report_id, str) else None,
                    title if isinstance(title, str) else None,
                    own,
                )
            )
        else:
            specs.append(_to_spec(draft))
    for spec_broken in broken:
        everything.update(dict.fromkeys(spec_broken.diagnostics))
    everything.update(dict.fromkeys(named))
    diagnostics = sorted(everything, key=lambda d: (d.file, d.line, d.column, d.message))
    return ValidationResult(
        project=project,
        project_ok=not any(d.severity == "error" for d in project_diagnostics),
        specs=sorted(specs, key=lambda s: s.id),
        rejected=rejected,
        diagnostics=diagnostics,
        files=len(files),
        project_diagnostics=sorted(project_diagnostics, key=lambda d: (d.line, d.column)),
    )
