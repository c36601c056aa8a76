"""What an editor shows for the date-taking kinds (lead-statuses, opportunity-statuses,
sent-emails): the real yaml-language-server, as in test_editor.py.

A file `validate` accepts shows no problem; a broken one is flagged in the editor too (the
editor puts a forbidden combination on the first line of its mapping, validate on the key it
is about); completion offers each kind its own query parameters and the range names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_editor import _errors_by_line, _labels, _project, _write
from .test_editor import pytestmark as pytestmark  # the same skip rule
from .yamlls import ROOT, YamlLanguageServer


@pytest.fixture(scope="module")
def server() -> Iterator[YamlLanguageServer]:
    with YamlLanguageServer(ROOT) as running:
        yield running


GOOD = {
    "lead-days.yaml": """
        kind: lead-statuses
        title: Lead movement — Q1
        range: {start: 2026-01-01, end: 2026-04-01}
        compare: previous-period
        request:
          query: "status:Potential"
        """,
    "deals-per-rep.yaml": """
        kind: opportunity-statuses
        title: Deals of {user_id}
        range: last-week
        matrix:
          user_id: [user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA, user_H7tle2gL7DeSTVxuTGSaOa]
        """,
    "templates.yaml": """
        kind: sent-emails
        title: Templates — January
        compare: same-days-last-year
        tags: [monthly]
        request:
          date_start: 2026-01-01
          date_end: 2026-02-01
        deliver:
          - {to: slack, webhook_env: SLACK_WEBHOOK_URL, when: changed}
        """,
}

#: (text, the lines the editor flags, the lines validate flags); line 1 is the modeline.
BAD = {
    "statuses-bad-values.yaml": (
        """
        kind: opportunity-statuses
        title: T
        range: last-wek
        compare: previous-period
        request:
          smart_view_id: view_abc
          user_id: stefan
          users: [user_a]
        """,
        {4, 7, 8, 9},
        {4, 7, 8, 9},
    ),
    "range-and-dates.yaml": (
        """
        kind: lead-statuses
        title: T
        range: last-week
        request:
          date_start: 2026-01-01
        """,
        {2},  # the editor marks the mapping that combines them
        {4},  # validate the range
    ),
    "both-filters.yaml": (
        """
        kind: lead-statuses
        title: T
        range: {start: 2026-01-01, end: 2026-01-01T00:00:00Z}
        request:
          query: x
          smart_view_id: save_abc
        """,
        {4, 6},
        {4, 7},
    ),
    "compare-unbounded.yaml": (
        """
        kind: sent-emails
        title: T
        compare: previous-period
        """,
        {2},  # "Missing property range", on the mapping
        {4},  # at compare, which needs it
    ),
    "threshold.yaml": (
        """
        kind: sent-emails
        title: T
        range: last-week
        deliver:
          - to: slack
            webhook_env: SLACK_WEBHOOK_URL
            when: threshold
            threshold: {metric: count, above: 1}
        """,
        {6},
        {8},
    ),
}


def test_valid_files_show_no_problem(server: YamlLanguageServer, tmp_path: Path) -> None:
    specs = _project(tmp_path)
    for name, text in GOOD.items():
        path = _write(specs, name, text)
        assert _errors_by_line(tmp_path, path) == set(), name
        assert server.diagnostics(server.open(path)) == [], name


def test_bad_files_are_flagged(server: YamlLanguageServer, tmp_path: Path) -> None:
    specs = _project(tmp_path)
    for name, (text, editor_lines, validate_lines) in BAD.items():
        path = _write(specs, name, text)
        shown = server.diagnostics(server.open(path))
        assert {d.line for d in shown} == editor_lines, (name, shown)
        assert _errors_by_line(tmp_path, path) == validate_lines, name


def test_completion_offers_each_kinds_parameters(
    server: YamlLanguageServer, tmp_path: Path
) -> None:
    def offered(kind: str, text: str) -> set[str]:
        return _labels(server, tmp_path, f"{kind}-{len(text)}.yaml", text, "@@")

    top = offered("lead", "kind: lead-statuses\ntitle: T\n@@\n")
    assert {"range", "compare", "request", "deliver", "tags"} <= top, top
    assert not {"endpoints", "comparison"} & top, top
    wanted = {
        "lead-statuses": {"query", "smart_view_id", "date_start", "date_end"},
        "opportunity-statuses": {"query", "smart_view_id", "user_id", "date_start", "date_end"},
        "sent-emails": {"user_id", "date_start", "date_end"},
    }
    for kind, names in wanted.items():
        request = offered(kind, f"kind: {kind}\ntitle: T\nrequest:\n  @@\n")
        assert names <= request, (kind, request)
        assert not {"pipeline", "metrics", "users"} & request, (kind, request)
    assert "user_id" not in offered("lead2", "kind: lead-statuses\ntitle: T\nrequest:\n  @@\n")
    assert "query" not in offered("sent2", "kind: sent-emails\ntitle: T\nrequest:\n  @@\n")
    ranges = offered("range", "kind: sent-emails\ntitle: T\nrange: @@\n")
    assert {"last-week", "this-month", "all-time"} <= ranges, ranges
    kinds = offered("kinds", "kind: @@\ntitle: T\n")
    assert {"lead-statuses", "opportunity-statuses", "sent-emails"} <= kinds, kinds
