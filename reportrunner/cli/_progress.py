"""What `reportrunner run` shows while it works and when it is done.

On a terminal: one progress line redrawn in place (reports done of total, requests, rate-limit
waits). Without a terminal (CI logs): one line per finished report. Always a final summary
table (id, status, requests, seconds). `--format github` adds `::error` workflow commands for
failed reports and a Markdown summary for `$GITHUB_STEP_SUMMARY`; `--format json` prints one
JSON document. Everything written passes through `redact`, so the key can never leak here, and
human-readable text through `output.command_safe`, so no text from Close, a spec or a file can
start a line GitHub Actions would run as a workflow command.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from reportrunner.cli import output
from reportrunner.escaping import markdown_escape
from reportrunner.fetch.runtypes import RunEvent, RunResult
from reportrunner.model import ReportOutcome
from reportrunner.redact import redact

BAR_WIDTH = 24


def _status(outcome: ReportOutcome) -> str:
    return "ok" if outcome.status == "ok" else "FAILED"


class ProgressPrinter:
    """Receives `RunEvent`s (from worker-driven callbacks) and writes progress to `stream`."""

    def __init__(self, stream: TextIO, *, tty: bool) -> None:
        self.stream = stream
        self.tty = tty
        self._lock = threading.Lock()
        self._drawn = False

    def __call__(self, event: RunEvent) -> None:
        with self._lock:
            if self.tty:
                self._draw(event)
            elif event.kind == "report" and event.outcome is not None:
                self.stream.write(output.command_safe(redact(self._line(event))) + "\n")
                self.stream.flush()

    def _line(self, event: RunEvent) -> str:
        outcome = event.outcome
        assert outcome is not None
        text = (
            f"[{event.done}/{event.total}] {_status(outcome):6} {outcome.id}  "
            f"{output.plural(outcome.requests, 'request')}  {outcome.seconds:.2f} s"
        )
        if outcome.error:
            text += f"\n    {outcome.error}"
        return text

    def _draw(self, event: RunEvent) -> None:
        if event.kind == "done":
            self.finish()
            return
        filled = int(BAR_WIDTH * event.done / event.total) if event.total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = (
            f"\r[{bar}] {event.done}/{event.total} reports · {event.requests} requests · "
            f"{event.rate_limited} rate-limited · {event.rate_limit_wait:.1f} s waited"
        )
        self.stream.write(line + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """End the redrawn line so that what follows starts on a fresh one."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def summary_table(result: RunResult) -> str:
    """The final table: one row per report, then the totals."""
    rows = [(o.id, _status(o), str(o.requests), f"{o.seconds:.2f}") for o in result.outcomes]
    header = ("report", "status", "requests", "seconds")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)).rstrip()]
    for row in rows:
        lines.append(
            "  ".join(
                cell.rjust(widths[i]) if i >= 2 else cell.ljust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()
        )
    stats = result.stats
    lines.append(
        f"{result.ok} ok, {result.failed} failed in {result.seconds:.1f} s · "
        f"{stats.requests} requests ({result.unique_requests} unique of "
        f"{result.planned_requests} planned), {stats.retries} retries, "
        f"{stats.rate_limited} rate-limited, {stats.rate_limit_wait:.1f} s waited"
    )
    for outcome in result.outcomes:
        if outcome.error:
            lines.append(f"error: {outcome.id}: {outcome.error}")
    for problem in result.name_problems:
        lines.append(f"warning: names: {problem} (ids are shown instead)")
    lines.extend(f"warning: {warning}" for warning in result.key_warnings)
    return output.command_safe(redact("\n".join(lines)))


def result_json(result: RunResult, *, out: str | None) -> str:
    """`--format json`: the whole result as one JSON document."""
    payload: dict[str, Any] = {
        "ok": result.ok,
        "failed": result.failed,
        "seconds": round(result.seconds, 3),
        "out": out,
        "requests": result.stats.requests,
        "unique_requests": result.unique_requests,
        "planned_requests": result.planned_requests,
        "retries": result.stats.retries,
        "rate_limited": result.stats.rate_limited,
        "rate_limit_wait_seconds": round(result.stats.rate_limit_wait, 3),
        "name_problems": result.name_problems,
        "reports": [
            {
                "id": o.id,
                "title": o.title,
                "spec_file": o.source,
                "status": o.status,
                "error": o.error,
                "requests": o.requests,
                "seconds": round(o.seconds, 3),
                "diagnostics": [d.to_json() for d in o.diagnostics],
            }
            for o in result.outcomes
        ],
    }
    return redact(json.dumps(payload, indent=2, ensure_ascii=False))


def github_errors(outcomes: Sequence[ReportOutcome]) -> list[str]:
    """`::error` workflow commands for failed reports.

    A report with diagnostics (an invalid spec, or fields Close rejected) gets one per
    diagnostic, at its line, as `validate --format github` writes them; any other failure one
    annotation on the spec file.
    """
    lines: list[str] = []
    for outcome in outcomes:
        if outcome.status == "ok":
            continue
        if outcome.diagnostics:
            lines += [
                output.github_annotation(
                    d.severity, d.message, file=d.file, line=d.line, column=d.column
                )
                for d in outcome.diagnostics
            ]
            continue
        lines.append(
            output.github_annotation(
                "error",
                outcome.error or "failed",
                file=outcome.source,
                title=f"report {outcome.id} failed",
            )
        )
    return [redact(line) for line in lines]


def github_summary(result: RunResult) -> str:
    """Markdown for `$GITHUB_STEP_SUMMARY`."""
    lines = [
        "## reportrunner run",
        "",
        f"**{result.ok} ok, {result.failed} failed** in {result.seconds:.1f} s, "
        f"{result.stats.requests} requests, {result.stats.rate_limited} rate-limited.",
        "",
        "| Report | Status | Requests | Seconds |",
        "|---|---|---:|---:|",
    ]
    for outcome in result.outcomes:
        status = "✅ ok" if outcome.status == "ok" else "❌ failed"
        title = output.code_cell(outcome.id)
        lines.append(f"| `{title}` | {status} | {outcome.requests} | {outcome.seconds:.2f} |")
    failures = [o for o in result.outcomes if o.error]
    if failures:
        lines += ["", "### Failures", ""]
        for outcome in failures:
            error = markdown_escape(outcome.error)  # Close's words and names: never markup
            lines.append(
                f"- `{output.code_cell(outcome.id)}` ({markdown_escape(outcome.source)}): {error}"
            )
    return redact("\n".join(lines) + "\n")
