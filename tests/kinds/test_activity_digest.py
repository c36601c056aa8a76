"""Slack and e-mail deliveries of an activity report say what its page says."""

from __future__ import annotations

import json
from pathlib import Path

from reportrunner.deliver.digest import digest_of
from reportrunner.filters import Formatter

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
