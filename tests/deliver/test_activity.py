"""Deliveries of activity reports: thresholds on their metrics, `changed`, `skip_empty`.

The schema admits any well-formed metric key in an activity spec's threshold (and keeps the
funnel's enum for funnel specs); validate requires it to be one of the spec's request.metrics.
Decisions are made on the digest of a real activity report built from the emulator.
"""

from __future__ import annotations

import copy
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dlvhelp import run_once
from dlvslack import FakeSlack

from reportrunner.cli import main
from reportrunner.deliver import state as state_file
from reportrunner.deliver.digest import digest_of
from reportrunner.emulator import Emulator
from reportrunner.site.filters import Formatter
from reportrunner.spec.validate import validate_paths

ROOT = Path(__file__).resolve().parents[2]
REPORT = "team-activity"  # specs/team-activity.yaml: an overview with compare
CALLS = "calls.outbound.all.count"
SLACK = {"to": "slack", "webhook_env": "HOOK"}

ACTIVITY = """\
kind: activity
id: act
title: Activity
request:
  type: comparison
  relative_range: last-week
  metrics: [calls.outbound.all.count, emails.sent.all.count]
deliver:
  - to: slack
    webhook_env: SLACK_WEBHOOK_URL
    when: threshold
    threshold:
      metric: {metric}
      above: 10
"""

FUNNEL = """\
id: fun
title: Funnel
request:
  pipeline: pipe_4vukv2FUlFh9FDiVYAop1U
  type: created-cohort
  cohort_relative_range: last-month
deliver:
  - to: slack
    webhook_env: SLACK_WEBHOOK_URL
    when: threshold
    threshold: {{metric: {metric}, below: 0.25}}
"""


def _diagnostics(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "specs").mkdir(exist_ok=True)
    (tmp_path / "specs" / "one.yaml").write_text(text, encoding="utf-8")
    result = validate_paths([tmp_path / "specs"], root=tmp_path)
    return [str(d) for d in result.diagnostics]


@pytest.mark.parametrize("metric", [CALLS, "emails.sent.all.count"])
def test_a_threshold_on_one_of_the_requested_metrics_is_valid(tmp_path: Path, metric: str) -> None:
    assert _diagnostics(tmp_path, ACTIVITY.format(metric=metric)) == []
    (spec,) = validate_paths([tmp_path / "specs"], root=tmp_path).specs
    (delivery,) = spec.deliver
    assert delivery.threshold is not None and delivery.threshold.metric == metric


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A catalogue metric the report does not fetch: its value would never be there.
        (
            ACTIVITY.format(metric="calls.outbound.all.cuont"),
            "specs/one.yaml:13:15: error: threshold metric 'calls.outbound.all.cuont' is not one "
            "of this report's request.metrics (calls.outbound.all.count, emails.sent.all.count); "
            "did you mean 'calls.outbound.all.count'?",
        ),
        (
            ACTIVITY.format(metric="leads.created.all.count"),
            "specs/one.yaml:13:15: error: threshold metric 'leads.created.all.count' is not one "
            "of "
            "this report's request.metrics (calls.outbound.all.count, emails.sent.all.count)",
        ),
        # A funnel headline name is not an activity metric key.
        (
            ACTIVITY.format(metric="count_win_rate"),
            "specs/one.yaml:13:7: error: each metric must be a metric key such as "
            "calls.outbound.all.count",
        ),
        # The funnel keeps its enum: an activity key is refused there.
        (
            FUNNEL.format(metric=CALLS),
            "specs/one.yaml:11:25: error: deliver entry 1.threshold.metric must be one of count, "
            "count_total_won",
        ),
        (FUNNEL.format(metric="win_rate"), "(found \"win_rate\"); did you mean 'value_win_rate'?"),
    ],
)
def test_a_wrong_threshold_metric_is_located_and_explained(
    tmp_path: Path, text: str, expected: str
) -> None:
    diagnostics = _diagnostics(tmp_path, text)
    assert len(diagnostics) == 1 and expected in diagnostics[0], diagnostics


def test_the_funnel_threshold_stays_valid(tmp_path: Path) -> None:
    assert _diagnostics(tmp_path, FUNNEL.format(metric="count_win_rate")) == []


def _with_metric(data: dict[str, Any], key: str, value: float) -> dict[str, Any]:
    """A copy of an activity report's data.json whose base total of `key` is `value`."""
    changed = copy.deepcopy(data)
    base = changed["responses"]["activity"]["base"]
    base["aggregations"]["totals"][key] = value
    return changed


def test_the_digest_of_an_activity_report_carries_its_metrics(
    site_data: dict[str, Any],
) -> None:
    data = site_data[REPORT]
    digest = digest_of(data, Formatter("en_US"), None, (CALLS,))
    shown = [
        CALLS,
        "calls.outbound.all.sum_duration",
        "emails.sent.all.count",
        "opportunities.won.all.count",
    ]
    assert set(shown) <= set(digest.numbers)
    # The page's first four metrics, the threshold's among them, in the page's order.
    assert [line.key for line in digest.lines] == shown
    assert (
        digest.numbers[CALLS]
        == data["responses"]["activity"]["base"]["aggregations"]["totals"][CALLS]
    )


@pytest.mark.parametrize(("side", "offset", "sent"), [("above", -1, True), ("above", 0, False)])
def test_a_threshold_on_an_activity_metric_decides_on_the_real_digest(
    slack: FakeSlack, site_data: dict[str, Any], side: str, offset: int, sent: bool
) -> None:
    data = site_data[REPORT]
    calls = data["responses"]["activity"]["base"]["aggregations"]["totals"][CALLS]
    assert calls > 1  # the emulator's team makes calls every week
    delivery = {**SLACK, "when": "threshold", "threshold": {"metric": CALLS, side: calls + offset}}
    result = run_once([delivery], {REPORT: data}, {"HOOK": slack.url})
    if not sent:
        assert result.outcomes[0].skipped == ((REPORT, "threshold not met"),)
        assert slack.received == []
        return
    assert [o.status for o in result.outcomes] == ["sent"]
    alert = slack.received[0]["blocks"][1]["text"]["text"]
    # The catalogue's name of the metric, and the line in its unit.
    assert f"Threshold met: Outbound Calls - All Types above {calls - 1:,}" in alert, alert


def test_below_on_an_activity_metric_and_changed_then_quiet(
    tmp_path: Path, slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    data = site_data[REPORT]
    below = {**SLACK, "when": "threshold", "threshold": {"metric": CALLS, "below": 5}}
    assert run_once([below], {REPORT: data}, {"HOOK": slack.url}).outcomes[0].status == "skipped"
    quiet = _with_metric(data, CALLS, 3)
    assert run_once([below], {REPORT: quiet}, {"HOOK": slack.url}).outcomes[0].status == "sent"
    # `changed` reads the activity metrics: the same numbers twice are news once.
    site = tmp_path / "site"
    changed = {**SLACK, "when": "changed"}
    statuses = []
    for run in (data, data, quiet):
        result = run_once(
            [changed], {REPORT: run}, {"HOOK": slack.url}, state_file.read_folder(site)
        )
        state_file.write(site, result.state)
        statuses.append(result.outcomes[0].status)
    assert statuses == ["sent", "skipped", "sent"]


def test_skip_empty_skips_an_activity_report_with_every_metric_zero(
    slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    data = site_data[REPORT]
    empty = copy.deepcopy(data)
    totals = empty["responses"]["activity"]["base"]["aggregations"]["totals"]
    for key in totals:
        totals[key] = 0
    delivery = {**SLACK, "when": "always", "skip_empty": True}
    result = run_once([delivery], {REPORT: empty}, {"HOOK": slack.url})
    assert result.outcomes[0].skipped[0][0] == REPORT
    assert run_once([delivery], {REPORT: data}, {"HOOK": slack.url}).outcomes[0].status == "sent"


def test_deliver_dry_run_of_an_activity_report_with_a_threshold(
    tmp_path: Path, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` against the emulator as Close sends the alert; `deliver --dry-run` writes it."""
    (tmp_path / "specs").mkdir()
    spec = (ROOT / "specs" / "team-activity.yaml").read_text(encoding="utf-8")
    spec += (
        "deliver:\n  - to: slack\n    webhook_env: SLACK_WEBHOOK_URL\n    when: threshold\n"
        "    threshold: {metric: calls.outbound.all.count, above: 0}\n"
    )
    (tmp_path / "specs" / "team-activity.yaml").write_text(spec, encoding="utf-8")
    shutil.copy(ROOT / "reportrunner.yaml", tmp_path / "reportrunner.yaml")
    monkeypatch.chdir(tmp_path)
    now = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
    with Emulator(api_key="act-key", now=now) as close:
        env = {
            "CLOSE_API_KEY": "act-key",
            "CLOSE_API_URL": close.base_url,
            "SLACK_WEBHOOK_URL": slack.url,
        }
        run = CliRunner().invoke(main, ["run", "--out", "site"], env=env, catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert len(slack.received) == 1  # the run itself delivered: the threshold is met
    state = (tmp_path / "site" / state_file.FILE).read_text(encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["deliver", "--site", "site", "--dry-run"],
        env={"SLACK_WEBHOOK_URL": slack.url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert slack.attempts == 1  # a dry run sends nothing
    (preview,) = (tmp_path / "delivery-preview").iterdir()
    body = json.loads(preview.read_text(encoding="utf-8"))
    texts = "\n".join(b["text"]["text"] for b in body["blocks"] if b["type"] == "section")
    assert "Threshold met: Outbound Calls - All Types above 0 in Team activity" in texts
    assert body == slack.received[0]  # the message the run sent, word for word
    # A dry run records nothing.
    assert (tmp_path / "site" / state_file.FILE).read_text(encoding="utf-8") == state
