"""Block Kit payloads: checked by the webhook stand-in, within Slack's limits at any size."""

from __future__ import annotations

import copy
import re
from typing import Any

from dlvhelp import run_once
from dlvslack import FakeSlack, block_kit_problems

SLACK = [{"to": "slack", "webhook_env": "HOOK"}]


def _many(site_data: dict[str, Any], count: int, title: str) -> dict[str, dict[str, Any]]:
    base = site_data["q1-cohort-yoy"]
    reports = {}
    for index in range(count):
        data = copy.deepcopy(base)
        data["id"] = f"report-{index:03d}"
        data["title"] = f"{title} {index}"
        reports[data["id"]] = data
    return reports


def test_one_message_lists_every_report_with_numbers_change_and_link(
    slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    result = run_once(SLACK, site_data, {"HOOK": slack.url})
    assert [o.status for o in result.outcomes] == ["sent"]
    assert len(slack.received) == 1 and slack.rejected == []
    body = slack.received[0]
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Acme revenue — 2026-12-02", "emoji": False},
    }
    texts = "\n".join(b["text"]["text"] for b in body["blocks"] if b["type"] == "section")
    for report_id in site_data:
        assert f"<https://acme.github.io/reports/{report_id}/|" in texts
    assert "• Opportunities: *" in texts
    assert ", better" in texts or ", worse" in texts  # signed change in words
    # This month's and this quarter's reports are still running: the page's own label.
    assert re.search(r"_\((week|month|quarter|year) to date, day \d+ of \d+\)_", texts), texts


def test_a_run_with_many_long_reports_is_cut_to_fit_with_a_link(
    slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    reports = _many(site_data, 120, "A very long report title " + "x" * 200)
    run_once(SLACK, reports, {"HOOK": slack.url})
    assert slack.rejected == []
    body = slack.received[0]
    assert block_kit_problems(body) == []
    assert len(body["blocks"]) <= 50
    last_section = [b for b in body["blocks"] if b["type"] == "section"][-1]["text"]["text"]
    assert "more reports" in last_section
    assert "<https://acme.github.io/reports/|See every report on the site>" in last_section


def test_titles_cannot_mention_or_link(slack: FakeSlack, site_data: dict[str, Any]) -> None:
    data = copy.deepcopy(site_data["q1-cohort-yoy"])
    data["title"] = "<!channel> <https://evil.example|click> & co"
    run_once(SLACK, {"q1-cohort-yoy": data}, {"HOOK": slack.url}, base_url=None)
    text = slack.received[0]["blocks"][1]["text"]["text"]
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co" in text


def test_the_stand_in_rejects_what_slack_rejects() -> None:
    assert block_kit_problems({"blocks": []}) == ["0 blocks (1 to 50 allowed)"]
    too_many = {"blocks": [{"type": "divider"}] * 51}
    assert block_kit_problems(too_many) == ["51 blocks (1 to 50 allowed)"]
    long_header = {
        "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    }
    assert block_kit_problems(long_header) == ["block 0: header text of 151 characters"]
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}}
    assert block_kit_problems({"blocks": [section]}) == ["block 0: section text of 3001 characters"]


def test_a_stages_only_report_shows_its_stages(slack: FakeSlack, site_data: dict[str, Any]) -> None:
    data = site_data["renewals-stages"]
    assert "totals" not in data["responses"]  # the example spec asks for stages only
    run_once(SLACK, {"renewals-stages": data}, {"HOOK": slack.url})
    text = slack.received[0]["blocks"][1]["text"]["text"]
    stages = data["responses"]["stages"]["base"]["aggregations"]["stages"]
    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(bullets) == len(stages) > 0, text
    assert bullets[0].endswith(f": *{stages[0]['count']:,}*"), text
