"""What an editor shows: the real yaml-language-server on every spec, example and bad file.

The rule (issue 11): a file `validate` accepts shows no problem in the editor, whatever its
matrix or reportrunner.yaml's defaults supply; a file with a broken shape is flagged on the
line `validate` names. On main before issue 11, `specs/webinar-leads.yaml` showed "Missing
property cohort_relative_range" (its matrix supplies it) and `specs/new-business.yaml`
"Missing property pipeline" (a default supplies it). Completion offers each kind's own keys.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportrunner.kinds.activity import catalogue as activitymetrics
from reportrunner.resources import schema_dir
from reportrunner.spec.validate import validate_paths

from .yamlls import ROOT, SERVER, YamlLanguageServer

# CI installs the server (`npm ci` in .ci/run), so there a missing server fails the tests.
pytestmark = pytest.mark.skipif(
    (not SERVER.is_file() or shutil.which("node") is None) and not os.environ.get("CI"),
    reason="yaml-language-server is installed by `npm ci` (.ci/run does it)",
)

PROJECT_FILES = sorted(
    [
        *ROOT.glob("specs/**/*.y*ml"),
        *ROOT.glob("docs/examples/**/*.y*ml"),
        ROOT / "reportrunner.yaml",
    ]
)


@pytest.fixture(scope="module")
def server() -> Iterator[YamlLanguageServer]:
    with YamlLanguageServer(ROOT) as running:
        yield running


def _modeline(schema: str = "report-spec.schema.json") -> str:
    return f"# yaml-language-server: $schema={(schema_dir() / schema).resolve().as_uri()}\n"


def _errors_by_line(root: Path, path: Path) -> set[int]:
    """The lines `validate` reports errors on, for one file of a project."""
    result = validate_paths([path] if path.name != "reportrunner.yaml" else [], root=root)
    shown = path.relative_to(root).as_posix()
    return {d.line for d in result.diagnostics if d.file == shown and d.severity == "error"}


def test_the_project_files_are_shown_as_validate_judges_them(server: YamlLanguageServer) -> None:
    assert len(PROJECT_FILES) >= 8
    uris = {path: server.open(path) for path in PROJECT_FILES}
    checked = []
    for path, uri in uris.items():
        shown = server.diagnostics(uri)
        validate_lines = _errors_by_line(ROOT, path)
        if not validate_lines:  # validate accepts it: the editor must not object either
            assert shown == [], (path, shown)
        else:  # a file validate rejects is flagged in the editor too
            assert shown, (path, shown)
        checked.append(path.name)
    assert {"webinar-leads.yaml", "new-business.yaml", "broken.yaml"} <= set(checked)


def test_the_broken_example_is_flagged_where_validate_flags_it(
    server: YamlLanguageServer,
) -> None:
    shown = server.diagnostics(server.open(ROOT / "docs/examples/broken.yaml"))
    assert {d.line for d in shown} == {7, 8}, shown  # last-mnth, userz
    assert all(d.severity == 1 for d in shown)


FILLED_IN = {
    # A matrix supplies the range of an activity report, defaults-free.
    "activity-matrix.yaml": """
        kind: activity
        title: Calls — {relative_range}
        matrix:
          relative_range: [this-week, last-week]
        request:
          type: overview
          metrics: [calls.outbound.all.count]
        """,
    # reportrunner.yaml supplies the pipeline; a matrix the compared range.
    "funnel-defaults.yaml": """
        title: New business
        matrix:
          cohort_relative_range: [this-month, last-month]
        request:
          type: created-cohort
        """,
    "activity-full.yaml": """
        kind: activity
        title: Team activity — this week
        compare: previous-period
        tags: [weekly]
        request:
          type: comparison
          relative_range: this-week
          metrics: [calls.outbound.all.count, emails.sent.all.count]
          users: [group_57P6QUf8b4BlepZJYgRj5W]
          query:
            type: saved_search
            saved_search_id: save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239
        """,
}

#: Deliberately bad files: (text, the lines the editor flags, the lines validate flags).
BAD = {
    "activity-funnel-key.yaml": (
        """
        kind: activity
        title: T
        endpoints: [totals]
        request:
          type: overview
          relative_range: this-week
          metrics: [calls.outbound.all.count]
        """,
        {4},
        {4},
    ),
    "activity-bad-values.yaml": (
        """
        kind: activity
        title: T
        compare: last-week
        request:
          type: overviw
          relative_range: this-mnth
          metrics: [calls.outbound.all.count, calls.outbound.all.count, "Calls outbound"]
          pipeline: pipe_4vukv2FUlFh9FDiVYAop1U
        """,
        {4, 6, 7, 8, 9},
        {4, 6, 7, 8, 9},
    ),
    "activity-both-ranges.yaml": (
        """
        kind: activity
        title: T
        request:
          type: overview
          relative_range: this-week
          datetime_range: {start: 2026-01-01T00:00:00Z, end: 2026-01-08T00:00:00Z}
          metrics: []
        """,
        {5, 8},  # the editor marks a forbidden pair on its mapping's first line
        {7, 8},  # validate on the second field of the pair
    ),
    "activity-missing.yaml": (
        """
        kind: activity
        title: T
        request:
          relative_range: this-week
        """,
        {4},  # both on the key of the mapping that lacks type and metrics
        {4},
    ),
    "funnel-compare.yaml": (
        """
        title: T
        compare: previous-period
        request:
          type: created-cohort
          cohort_relative_range: this-mnth
        """,
        {3, 6},
        {3, 6},
    ),
    "kind-typo.yaml": (
        """
        kind: activty
        title: T
        request: {type: overview}
        """,
        {2, 4},  # the editor then checks the request as a funnel's
        {2},  # validate says only what is wrong
    ),
}


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(_modeline() + textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def _project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    shutil.copy(ROOT / "reportrunner.yaml", tmp_path / "reportrunner.yaml")
    return tmp_path / "specs"


def test_fields_from_a_matrix_or_defaults_are_no_false_alarm(
    server: YamlLanguageServer, tmp_path: Path
) -> None:
    specs = _project(tmp_path)
    for name, text in FILLED_IN.items():
        path = _write(specs, name, text)
        assert _errors_by_line(tmp_path, path) == set(), name  # validate accepts each
        assert server.diagnostics(server.open(path)) == [], name


def test_bad_files_are_flagged_on_the_lines_validate_names(
    server: YamlLanguageServer, tmp_path: Path
) -> None:
    specs = _project(tmp_path)
    for name, (text, editor_lines, validate_lines) in BAD.items():
        path = _write(specs, name, text)
        shown = server.diagnostics(server.open(path))
        assert {d.line for d in shown} == editor_lines, (name, shown)
        assert _errors_by_line(tmp_path, path) == validate_lines, name


def _labels(server: YamlLanguageServer, folder: Path, name: str, text: str, at: str) -> set[str]:
    """Completion labels where `at` (a marker written in `text`) stands, the marker removed."""
    body = textwrap.dedent(text).lstrip("\n")
    lines = (_modeline() + body).splitlines()
    row = next(i for i, line in enumerate(lines) if at in line)
    column = lines[row].index(at)
    lines[row] = lines[row].replace(at, "")
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    uri = server.open(path)
    return set(server.completion(uri, row + 1, column + 1))


def test_completion_offers_each_kinds_own_keys(server: YamlLanguageServer, tmp_path: Path) -> None:
    activity_top = _labels(server, tmp_path, "a1.yaml", "kind: activity\ntitle: T\n@@\n", "@@")
    assert {"compare", "request", "tags", "timezone"} <= activity_top, activity_top
    assert not {"endpoints", "comparison"} & activity_top, activity_top
    funnel_top = _labels(server, tmp_path, "f1.yaml", "title: T\n@@\n", "@@")
    assert {"endpoints", "comparison", "request", "kind"} <= funnel_top, funnel_top
    assert "compare" not in funnel_top, funnel_top
    activity_request = _labels(
        server, tmp_path, "a2.yaml", "kind: activity\ntitle: T\nrequest:\n  @@\n", "@@"
    )
    assert {"type", "relative_range", "datetime_range", "metrics", "users", "query"} <= (
        activity_request
    ), activity_request
    assert "pipeline" not in activity_request, activity_request
    funnel_request = _labels(server, tmp_path, "f2.yaml", "title: T\nrequest:\n  @@\n", "@@")
    assert {"pipeline", "cohort_relative_range"} <= funnel_request, funnel_request
    assert "metrics" not in funnel_request, funnel_request


def test_completion_offers_the_metric_catalogue(server: YamlLanguageServer, tmp_path: Path) -> None:
    text = "kind: activity\ntitle: T\nrequest:\n  type: overview\n  metrics:\n    - @@\n"
    offered = _labels(server, tmp_path, "m.yaml", text, "@@")
    assert set(activitymetrics.KEYS) <= offered, sorted(set(activitymetrics.KEYS) - offered)
    kinds = _labels(server, tmp_path, "k.yaml", "kind: @@\ntitle: T\n", "@@")
    assert {"funnel", "activity"} <= kinds, kinds


def test_completion_offers_each_kinds_threshold_metrics(
    server: YamlLanguageServer, tmp_path: Path
) -> None:
    deliver = (
        "deliver:\n  - to: slack\n    webhook_env: SLACK_WEBHOOK_URL\n    when: threshold\n"
        "    threshold:\n      metric: @@\n"
    )
    activity = "kind: activity\ntitle: T\nrequest:\n  type: overview\n" + deliver
    offered = _labels(server, tmp_path, "ta.yaml", activity, "@@")
    assert set(activitymetrics.KEYS) <= offered, sorted(set(activitymetrics.KEYS) - offered)
    assert "count_win_rate" not in offered, offered
    funnel = _labels(server, tmp_path, "tf.yaml", "title: T\n" + deliver, "@@")
    assert {"count", "count_win_rate", "sales_velocity"} <= funnel, funnel
    assert "calls.outbound.all.count" not in funnel, funnel


def test_an_activity_threshold_shows_no_error_and_a_funnel_name_is_flagged(
    server: YamlLanguageServer, tmp_path: Path
) -> None:
    specs = _project(tmp_path)
    text = """
        kind: activity
        title: T
        request:
          type: overview
          relative_range: this-week
          metrics: [calls.outbound.all.count]
        deliver:
          - to: slack
            webhook_env: SLACK_WEBHOOK_URL
            when: threshold
            threshold: {metric: METRIC, above: 10}
        """
    good = _write(specs, "good.yaml", text.replace("METRIC", "calls.outbound.all.count"))
    assert _errors_by_line(tmp_path, good) == set()
    assert server.diagnostics(server.open(good)) == []
    bad = _write(specs, "bad.yaml", text.replace("METRIC", "count_win_rate"))
    assert {d.line for d in server.diagnostics(server.open(bad))} == {12}
    assert _errors_by_line(tmp_path, bad) == {12}
