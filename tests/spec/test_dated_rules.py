"""Every rule of the date-taking kinds through `validate`: a valid file and an invalid one, with
the line and the words (lead-statuses, opportunity-statuses, sent-emails; issue 12).

Each case is a whole spec file under specs/ of a project whose reportrunner.yaml carries funnel
defaults (a pipeline, endpoints, comparison): those must not leak into these kinds' specs.
The rules every date-taking kind shares (range, compare, dates, deliveries) are written once
and checked for each of the three kinds; the per-kind request rules follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .conftest import Project

PROJECT = """
defaults:
  timezone: Europe/Berlin
  endpoints: [totals]
  comparison: full-period
  request:
    pipeline: pipe_4vukv2FUlFh9FDiVYAop1U
    type: created-cohort
"""

KINDS = ("lead-statuses", "opportunity-statuses", "sent-emails")
SAVE = "save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239"
USER = "user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA"


@dataclass(frozen=True)
class Rule:
    name: str
    valid: str  # the file after its first two lines (kind and title)
    invalid: str
    line: int  # the line of the invalid file (counting the two head lines) the message is on
    words: str
    kind: str = ""  # empty: checked for each date-taking kind


def req(*lines: str) -> str:
    return "request:\n" + "".join(f"  {line}\n" for line in lines)


def head(kind: str) -> str:
    return f"kind: {kind}\ntitle: Movement\n"


SHARED = [
    Rule("relative range values", "range: last-week\n", "range: last-wek\n", 3,
         "range must be one of today, this-week"),
    Rule("a relative range gets a did-you-mean", "range: last-quarter\n",
         "range: previous-quarter\n", 3, "did you mean 'last-quarter'?"),
    Rule("a range of dates has start and end", "range: {start: 2026-01-01, end: 2026-02-01}\n",
         "range: {start: 2026-01-01}\n", 3, "range is missing the required key 'end'"),
    Rule("a range's dates are dates", "range:\n  start: 2026-01-01\n  end: 2026-02-01\n",
         "range:\n  start: 2026-01-01T00:00:00Z\n  end: 2026-02-01\n", 4,
         "range.start is a date and time (2026-01-01T00:00:00Z); these reports take a date only"),
    Rule("a range's dates are real", "range: {start: 2024-02-29, end: 2024-03-01}\n",
         "range:\n  start: 2026-02-01\n  end: 2026-02-29\n", 5,
         "range.end (2026-02-29) is not a real date"),
    Rule("a range's start is before its end", "range: {start: 2026-01-01, end: 2026-01-02}\n",
         "range: {start: 2026-01-02, end: 2026-01-02}\n", 3,
         "range: start (2026-01-02) must be before end (2026-01-02); end is the first day after"),
    Rule("a range of dates has no other keys", "range: {start: 2026-01-01, end: 2026-02-01}\n",
         "range:\n  start: 2026-01-01\n  end: 2026-02-01\n  zone: UTC\n", 6,
         "unknown key 'zone' in range"),
    Rule("request dates are YYYY-MM-DD", req("date_start: 2026-01-05"),
         req('date_start: "05/01/2026"'), 4,
         'date_start must be a date YYYY-MM-DD, such as 2026-01-05 (found "05/01/2026")'),
    Rule("request dates are real", req("date_end: 2026-04-30"), req("date_end: 2026-04-31"), 4,
         "date_end (2026-04-31) is not a real date"),
    Rule("date_start before date_end", req("date_start: 2026-01-01", "date_end: 2026-02-01"),
         req("date_start: 2026-02-01", "date_end: 2026-01-01"), 5,
         "date_end (2026-01-01) must be after date_start (2026-02-01)"),
    Rule("range or request dates, not both", "range: this-month\n",
         "range: this-month\n" + req("date_start: 2026-01-01"), 3,
         "use either range or request.date_start/date_end, not both"),
    Rule("compare values", "range: this-week\ncompare: same-days-last-year\n",
         "range: this-week\ncompare: last-year\n", 4, "did you mean 'same-days-last-year'?"),
    Rule("compare needs a range", "range: this-week\ncompare: previous-period\n",
         "compare: previous-period\n", 3, "compare needs a bounded period"),
    Rule("compare needs a bounded range", "range: {start: 2026-01-01, end: 2026-02-01}\n"
         "compare: previous-period\n", "range: all-time\ncompare: previous-period\n", 4,
         "a range other than all-time"),
    Rule("compare needs both request dates",
         "compare: same-days-last-month\n" + req("date_start: 2026-01-01", "date_end: 2026-02-01"),
         "compare: same-days-last-month\n" + req("date_start: 2026-01-01"), 3,
         "or both request.date_start and request.date_end"),
    Rule("endpoints is a funnel key", "range: this-week\n", "endpoints: [totals]\n", 3,
         "endpoints is a funnel key"),
    Rule("comparison is a funnel key", "compare: none\n", "comparison: to-date\n", 3,
         "comparison is a funnel key"),
    Rule("an activity request field is refused", "range: this-week\n",
         req("relative_range: this-week"), 4, "relative_range is an activity field"),
    Rule("users is refused", req("date_end: 2026-01-01"), req(f"users: [{USER}]"), 4,
         "users is a funnel and activity field"),
    Rule("the request is a mapping", req("date_end: 2026-01-01"), "request: [date_end]\n", 3,
         "request must be a mapping"),
    Rule("formats as for every kind", "formats: [html, csv]\n", "formats: [html, pdf]\n", 3,
         "formats entry 2 must be one of html, md, csv"),
    Rule("tags as for every kind", "tags: [weekly]\n", "tags: [weekly, weekly]\n", 3,
         'tags lists "weekly" more than once'),
    Rule("a delivery as for every kind",
         "deliver:\n  - {to: slack, webhook_env: SLACK_WEBHOOK_URL, when: changed}\n",
         "deliver:\n  - {to: slack, webhook_env: slack-url, when: changed}\n", 4,
         "must be the name of an environment variable in capitals"),
    Rule("no threshold deliveries",
         "deliver:\n  - to: slack\n    webhook_env: SLACK_WEBHOOK_URL\n    when: always\n",
         "deliver:\n  - to: slack\n    webhook_env: SLACK_WEBHOOK_URL\n    when: threshold\n"
         "    threshold: {metric: count, above: 10}\n", 6,
         "when: threshold is not available for lead-statuses, opportunity-statuses and "
         "sent-emails reports"),
    Rule("shared keys keep their rules", "timezone: America/New_York\n",
         "timezone: Mars/Olympus\n", 3, "timezone 'Mars/Olympus' is not an IANA time-zone name"),
]  # fmt: skip

CASES = [(kind, rule) for kind in KINDS for rule in SHARED]


def _ids(cases: list[tuple[str, Rule]]) -> list[str]:
    return [f"{kind}: {rule.name}" for kind, rule in cases]


@pytest.mark.parametrize(("kind", "rule"), CASES, ids=_ids(CASES))
def test_the_valid_file_passes(project: Project, kind: str, rule: Rule) -> None:
    result = project({"reportrunner.yaml": PROJECT, "specs/a.yaml": head(kind) + rule.valid})
    assert result.diagnostics == [], [str(d) for d in result.diagnostics]
    assert [spec.kind for spec in result.specs] == [kind]


@pytest.mark.parametrize(("kind", "rule"), CASES, ids=_ids(CASES))
def test_the_invalid_file_is_flagged_on_its_line(project: Project, kind: str, rule: Rule) -> None:
    result = project({"reportrunner.yaml": PROJECT, "specs/a.yaml": head(kind) + rule.invalid})
    found = [d for d in result.diagnostics if rule.words in d.message]
    assert found, [str(d) for d in result.diagnostics]
    assert [(d.file, d.line, d.severity) for d in found] == [
        ("specs/a.yaml", rule.line, "error")
    ], [str(d) for d in result.diagnostics]
    assert result.rejected and not result.specs
