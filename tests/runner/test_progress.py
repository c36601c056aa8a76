"""Progress output: the redrawn terminal line, CI log lines, the summary and the GitHub forms."""

from __future__ import annotations

import io
import json

from reportrunner.cli._progress import (
    ProgressPrinter,
    github_errors,
    github_summary,
    result_json,
    summary_table,
)
from reportrunner.fetch.client import CallStats
from reportrunner.fetch.runner import RunEvent, RunResult
from reportrunner.model import Diagnostic, ReportOutcome
from reportrunner.redact import register_secret

OK = ReportOutcome(
    id="alpha", title="Alpha", source="specs/a.yaml", status="ok", requests=4, seconds=1.25, data={}
)
FAILED = ReportOutcome(
    id="ghost",
    title="Ghost",
    source="specs/g.yaml",
    status="failed",
    error="Close answered 400 to the totals request of report 'ghost': specs/g.yaml:7: "
    "pipeline: Object does not exist.",
    diagnostics=[Diagnostic("specs/g.yaml", 7, 13, "error", "pipeline: Object does not exist.")],
    requests=1,
    seconds=0.5,
)
PLAIN_FAILURE = ReportOutcome(
    id="slow",
    title="Slow",
    source="specs/s.yaml",
    status="failed",
    error="POST … failed after 4 attempts: Close answered 503",
)


def result() -> RunResult:
    stats = CallStats(requests=9, retries=3, rate_limited=1, rate_limit_wait=0.4)
    return RunResult(
        [OK, FAILED, PLAIN_FAILURE], stats, planned_requests=8, unique_requests=6, seconds=2.5
    )


def event(kind: str, done: int, outcome: ReportOutcome | None = None) -> RunEvent:
    return RunEvent(
        kind, total=3, done=done, requests=5, rate_limited=1, rate_limit_wait=0.4, outcome=outcome
    )  # type: ignore[arg-type]


def test_terminal_progress_line_is_redrawn_in_place() -> None:
    stream = io.StringIO()
    printer = ProgressPrinter(stream, tty=True)
    printer(event("start", 0))
    printer(event("report", 1, OK))
    printer(event("done", 3))
    text = stream.getvalue()
    assert text.count("\r[") == 2 and text[-1] == "\n"
    assert "1/3 reports · 5 requests · 1 rate-limited · 0.4 s waited" in text
    assert "########--------" in text  # one third of the bar


def test_ci_gets_one_line_per_finished_report() -> None:
    stream = io.StringIO()
    printer = ProgressPrinter(stream, tty=False)
    for kind, done, outcome in (
        ("start", 0, None),
        ("request", 0, None),
        ("report", 1, OK),
        ("report", 2, FAILED),
        ("done", 3, None),
    ):
        printer(event(kind, done, outcome))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[1/3] ok     alpha  4 requests  1.25 s"
    assert lines[1] == "[2/3] FAILED ghost  1 request  0.50 s"
    assert "Object does not exist" in lines[2]
    assert "\r" not in stream.getvalue()


def test_summary_table() -> None:
    text = summary_table(result())
    lines = text.splitlines()
    assert lines[0].split() == ["report", "status", "requests", "seconds"]
    assert lines[1].split() == ["alpha", "ok", "4", "1.25"]
    assert lines[2].split() == ["ghost", "FAILED", "1", "0.50"]
    assert (
        "1 ok, 2 failed in 2.5 s · 9 requests (6 unique of 8 planned), 3 retries, "
        "1 rate-limited, 0.4 s waited" in text
    )
    assert "error: ghost: Close answered 400" in text


def test_json_and_github_forms() -> None:
    payload = json.loads(result_json(result(), out="site"))
    assert payload["ok"] == 1 and payload["failed"] == 2 and payload["unique_requests"] == 6
    assert payload["reports"][1]["diagnostics"][0]["line"] == 7
    errors = github_errors(result().outcomes)
    assert errors[0].startswith("::error file=specs/g.yaml,line=7,col=13::pipeline")
    assert errors[1].startswith("::error file=specs/s.yaml,title=report slow failed::POST")
    summary = github_summary(result())
    assert "| `alpha` | ✅ ok | 4 | 1.25 |" in summary
    assert "- `ghost` (specs/g.yaml): Close answered 400" in summary


def test_everything_printed_is_redacted() -> None:
    register_secret("progress-canary-31337")
    leaky = ReportOutcome(
        id="leak",
        title="Leak",
        source="specs/l.yaml",
        status="failed",
        error="oops progress-canary-31337",
    )
    stats = CallStats()
    run = RunResult([leaky], stats, planned_requests=1, unique_requests=1, seconds=0.1)
    stream = io.StringIO()
    ProgressPrinter(stream, tty=False)(event("report", 1, leaky))
    texts = [
        stream.getvalue(),
        summary_table(run),
        result_json(run, out=None),
        github_summary(run),
        *github_errors([leaky]),
    ]
    for text in texts:
        assert "progress-canary-31337" not in text and "***" in text


def test_github_summary_shows_hostile_error_text_as_text() -> None:
    hostile = ReportOutcome(
        id="evil",
        title="Evil",
        source="specs/e.yaml",
        status="failed",
        error="Close said <img src=x onerror=alert(1)> and [click](http://x) | cell",
    )
    run = RunResult([hostile], CallStats(), planned_requests=1, unique_requests=1, seconds=0.1)
    summary = github_summary(run)
    assert "<img" not in summary and "&lt;img" in summary
    assert "[click](" not in summary and "\\[click\\]" in summary
    assert "\\| cell" in summary
