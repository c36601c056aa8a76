"""Slack and e-mail deliveries of an activity report say what its page says."""

from __future__ import annotations

import json
from pathlib import Path

from reportrunner.deliver.digest import digest_of
from reportrunner.site.filters import Formatter

FIXTURES = Path(__file__).resolve().parents[1] / "render" / "fixtures"


def test_the_digest_of_an_activity_report_has_its_metrics_and_verdicts() -> None:
    data = json.loads((FIXTURES / "activity-overview.json").read_text(encoding="utf-8"))
    digest = digest_of(data, Formatter("en_US"), "https://example.test/reports")
    assert digest.url == "https://example.test/reports/team-activity-this-week/"
    assert digest.progress == "week to date, day 3 of 7"
    assert [(line.label, line.text, line.change) for line in digest.lines] == [
        ("Outbound Calls - All Types", "110", "up 12 (12%), better"),
        ("Outbound Calls - Average Duration", "3 minutes", "up 1.5 seconds (1%), better"),
        ("Sent Emails - All Types", "293", "up 32 (12%), better"),
        ("Opportunities - Lost", "3", "up 2 (200%), worse"),
    ]
    assert digest.coverage.startswith("Activity this week")


def test_changed_and_empty_read_the_activity_metrics() -> None:
    data = json.loads((FIXTURES / "activity-overview.json").read_text(encoding="utf-8"))
    digest = digest_of(data, Formatter("en_US"), None)
    assert digest.numbers["calls.outbound.all.count"] == 110
    assert digest.numbers["count"] is None  # the funnel's keys stay, empty
    assert not digest.empty
    totals = data["responses"]["activity"]["base"]["aggregations"]["totals"]
    for key in totals:
        totals[key] = 0
    assert digest_of(data, Formatter("en_US"), None).empty
