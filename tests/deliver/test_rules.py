"""The rules across two consecutive runs: changed / unchanged, skip_empty, threshold both sides.

Each test sends through the Slack stand-in (real HTTP), carries the state of the first run into
the second exactly as the site does (written to a folder, read back), and checks what arrived.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dlvhelp import run_once, with_numbers
from dlvslack import FakeSlack

from reportrunner.deliver import state as state_file

SLACK = {"to": "slack", "webhook_env": "HOOK"}
REPORT = "q1-cohort-yoy"  # a finished window: its numbers are judged, not "in progress"


def _two_runs(
    tmp_path: Path,
    slack: FakeSlack,
    delivery: dict[str, Any],
    first: dict[str, Any],
    second: dict[str, Any],
) -> tuple[list[str], list[str]]:
    """Report ids in the message of run 1 and of run 2 (state carried through a site folder)."""
    site = tmp_path / "site"
    secrets = {"HOOK": slack.url}
    results = []
    for data in (first, second):
        before = len(slack.received)
        result = run_once([delivery], {REPORT: data}, secrets, state_file.read_folder(site))
        assert not result.failed, result.outcomes
        state_file.write(site, result.state)
        results.append([REPORT] if len(slack.received) > before else [])
    return results[0], results[1]


def test_changed_sends_then_stays_quiet_then_sends_again(
    tmp_path: Path, slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    data = site_data[REPORT]
    delivery = {**SLACK, "when": "changed"}
    assert _two_runs(tmp_path, slack, delivery, data, data) == ([REPORT], [])
    count = data["responses"]["totals"]["base"]["aggregations"]["count"]
    moved = with_numbers(data, count=count + 1)
    # The state now holds the first numbers: a changed count is news again.
    first, second = _two_runs(tmp_path, slack, delivery, moved, moved)
    assert (first, second) == ([REPORT], [])
    assert len(slack.received) == 2


def test_always_sends_every_run(
    tmp_path: Path, slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    data = site_data[REPORT]
    assert _two_runs(tmp_path, slack, {**SLACK, "when": "always"}, data, data) == (
        [REPORT],
        [REPORT],
    )


def test_skip_empty_sends_nothing_for_a_zero_count(
    tmp_path: Path, slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    data = site_data[REPORT]
    empty = with_numbers(data, count=0)
    delivery = {**SLACK, "when": "changed", "skip_empty": True}
    assert _two_runs(tmp_path, slack, delivery, empty, data) == ([], [REPORT])
    result = run_once([delivery], {REPORT: empty}, {"HOOK": slack.url})
    assert result.outcomes[0].status == "skipped"
    assert result.outcomes[0].skipped == ((REPORT, "no opportunities (skip_empty)"),)


@pytest.mark.parametrize(
    ("side", "line", "values", "expected"),
    [
        # below 0.25: run 1 at 0.30 (quiet), run 2 at 0.20 (alert)
        ("below", 0.25, (0.30, 0.20), ([], [REPORT])),
        # above 100: run 1 at 120 (alert), run 2 at 80 (quiet)
        ("above", 100, (120, 80), ([REPORT], [])),
    ],
)
def test_threshold_on_both_sides(
    tmp_path: Path,
    slack: FakeSlack,
    site_data: dict[str, Any],
    side: str,
    line: float,
    values: tuple[float, float],
    expected: tuple[list[str], list[str]],
) -> None:
    metric = "count_win_rate" if side == "below" else "count"
    delivery = {**SLACK, "when": "threshold", "threshold": {"metric": metric, side: line}}
    data = site_data[REPORT]
    runs = [with_numbers(data, **{metric: value}) for value in values]
    assert _two_runs(tmp_path, slack, delivery, runs[0], runs[1]) == expected
    alert = slack.received[-1]["blocks"][1]["text"]["text"]
    words = "Win rate by count below 25.0%" if side == "below" else "Opportunities above 100"
    assert f"Threshold met: {words}" in alert  # said at the top, under the header


def test_threshold_on_a_missing_metric_does_not_send(
    slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    data = with_numbers(site_data[REPORT], count_win_rate=None)
    delivery = {**SLACK, "when": "threshold", "threshold": {"metric": "count_win_rate", "above": 0}}
    result = run_once([delivery], {REPORT: data}, {"HOOK": slack.url})
    assert result.outcomes[0].skipped == ((REPORT, "threshold not met"),)
    assert slack.received == []


def test_reports_globs_and_a_failed_send_keeps_the_old_state(
    slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    delivery = {**SLACK, "when": "changed", "reports": ["new-business-*"]}
    result = run_once([delivery], site_data, {"HOOK": slack.url})
    sent = result.outcomes[0].sent
    assert sent and all(rid.startswith("new-business-") for rid in sent)
    slack.answer(403)
    again = run_once([delivery], site_data, {"HOOK": slack.url})  # empty state: would send
    assert again.outcomes[0].status == "failed"
    assert again.state.sent == {}  # nothing recorded: the next run tries again
