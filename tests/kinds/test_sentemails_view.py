"""The sent e-mails view: rates from counts, signs, flags by the noise rule, every comparison."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from reportrunner.kinds import kind_named
from reportrunner.kinds.sentemails.stats import MIN_SENDS, rate_verdict, sends_verdict, z_score
from reportrunner.kinds.sentemails.view import SentEmailsView, sent_emails_view
from reportrunner.site.filters import Formatter

FIXTURES = Path(__file__).resolve().parents[1] / "render" / "golden" / "sent-emails" / "fixtures"
FMT = Formatter()
MINUS = "\u2212"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return loaded


def row(name: str, tid: str | None, total: int, opened: int, responded: int) -> dict[str, Any]:
    return {"name": name, "template_id": tid, "template_url": None, "is_shared": True,
            "total": total, "opened": opened, "responded": responded,
            "percentage_opened": round(100 * opened / total) if total else 0,
            "percentage_responded": round(100 * responded / total) if total else 0}  # fmt: skip


def view(data: dict[str, Any], **kw: Any) -> SentEmailsView:
    result = sent_emails_view(data, FMT, **kw)
    assert isinstance(result, SentEmailsView)
    return result


def overall_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A report without dates or comparison (Close's overall report)."""
    none = {"kind": "overall", "value": None, "start": None, "end": None,
            "date_start": None, "date_end": None}  # fmt: skip
    return {
        "id": "all", "title": "All time", "kind": "sent-emails", "timezone": "UTC",
        "fetched_at": "2026-12-02T09:30:05Z", "compare": "none", "judged_against": None,
        "request": {}, "windows": {"compared": None, "report": none},
        "responses": {"sent_emails": {"base": {"sent_email_stats": rows}}}, "names": {},
    }  # fmt: skip


def test_templates_are_ranked_by_sends_with_rates_from_the_counts() -> None:
    page = view(fixture("last-week"))
    assert [t.name for t in page.templates] == [
        "Cold intro — EMEA",
        "Follow-up after demo",
        'Renewal reminder <Q1> & "VIP" | =cmd',
        "Pricing follow-up",
    ]
    assert [t.rank for t in page.templates] == [1, 2, 3, 4]
    cold = page.templates[0]
    # 146 / 610, not Close's stale 35 %.
    assert cold.opened.text == "23.9%" and cold.replied.text == "3.0%"
    assert page.total is not None and page.total.name == "All Emails"
    assert (page.total.sent_text, page.total.opened.text) == ("1,840", "40.0%")
    assert any("Close says 35% opened, the counts give 23.9%" in note for note in page.notes)
    assert any("703 of the 1,840 e-mails sent used no template" in note for note in page.notes)


def test_changes_carry_real_signs_and_only_a_real_fall_is_flagged() -> None:
    page = view(fixture("last-week"))
    cold, demo, renewal, pricing = page.templates
    assert cold.sent_change == "+30" and cold.opened.change == f"{MINUS}11.1 pts"
    assert cold.flags == ["Open rate fell"] and cold.opened.judgement == "worse"
    assert "Reply rate fell" not in cold.flags  # −2 points: below the 5-point guard
    # 55 % against 50 % of 400 sends: 5 points, but within chance (z ≈ 1.4): not flagged.
    assert demo.opened.change == "+5 pts" and demo.opened.verdict == "steady"
    assert renewal.status == "new" and renewal.sent_change == "new" and renewal.opened.change == "—"
    # 2 of 12 against 9 of 15: a big drop on a tiny sample is shown, never judged.
    assert pricing.opened.change == f"{MINUS}43.3 pts" and pricing.opened.verdict == "few-sends"
    assert pricing.flags == [] and pricing.opened.judgement == "none"
    assert pricing.opened.why_not == "few sends"
    assert page.headline_note == ""
    small = fixture("last-week")
    small["responses"]["sent_emails"]["compared"]["sent_email_stats"][0]["total"] = 20
    assert "(1,840 against 20)" in view(small).headline_note
    assert [t.name for t in page.flagged] == ["Cold intro — EMEA"]
    assert [t.name for t in page.gone] == ["Webinar invite"]
    assert (
        page.gone[0].then == ("300", "30.0%", "2.0%") and page.gone[0].sent_change == f"{MINUS}300"
    )
    assert page.idle == ["Old promo"]


def test_the_headline_judges_like_for_like_periods_with_the_noise_guard() -> None:
    page = view(fixture("last-week"))
    assert page.comparison is not None and page.comparison.kind == "like-for-like"
    sent, opened, replied = page.headline
    assert (sent.text, sent.compared_text) == ("1,840", "1,900")
    assert sent.delta_text == "▼ down 60 (3%)" and sent.judgement == "chance"  # under 10 %
    assert opened.text == "40.0%" and opened.delta_text == "= no change"
    assert replied.delta_text == "▼ down 1 pts" and replied.judgement == "chance"
    assert page.against_words == "the previous period"
    assert page.filters == [("Sent by", "Ava Thompson")]
    assert page.coverage[0] == "Sent e-mails last week — Nov 23 – 29, 2026, Europe/Berlin".replace(
        " – ", "\u2009–\u2009"
    )


def test_a_running_week_is_judged_on_its_complete_days_against_the_same_days() -> None:
    page = view(fixture("this-week"))
    versus = page.comparison
    assert versus is not None and versus.kind == "to-date" and versus.role == "compared_to_date"
    assert versus.label == "Same days of the previous period"
    assert versus.full_label == "All of the previous period"
    assert page.against_words == "the same days of the previous period"
    assert page.headline_note == ""  # 48 against 52 sends: enough
    sent = page.headline[0]
    assert (sent.text, sent.compared_text, sent.full_text) == ("48", "52", "131")
    assert page.progress_text == "week to date, day 3 of 7"
    assert "(so far: 2 of 7 days)" in page.coverage[0]
    # 9 of 30 against 18 of 33: just enough sends, a 24.5-point fall beyond chance.
    assert page.templates[0].flags == ["Open rate fell"]
    # 14 against 16 sends of the follow-up: too few to judge.
    assert page.templates[1].opened.verdict == "few-sends"


def test_the_first_day_and_full_period_show_the_compared_figures_without_judging() -> None:
    data = fixture("this-week")
    data["judged_against"] = None
    data["windows"].pop("compared_to_date")
    data["windows"].pop("period")
    data["windows"]["report"]["end"] = "2026-12-07T00:00:00+01:00"
    data["responses"]["sent_emails"].pop("compared_to_date")
    page = view(data)
    assert page.comparison is not None and page.comparison.kind == "full-period"
    assert not page.comparison.judged and "no complete day yet" in page.comparison.note
    assert page.against_words == "all of the previous period"
    assert page.headline[0].compared_text == "131"
    assert all(card.judgement == "none" for card in page.headline)
    assert all(t.flags == [] and t.opened.judgement == "none" for t in page.templates)
    assert "week to date, day 3 of 7" in page.coverage[0]
    assert page.progress_text == "week to date, day 3 of 7"
    data["comparison"] = "full-period"
    assert "as this report asks" in view(data).comparison.note  # type: ignore[union-attr]


def test_periods_of_different_lengths_are_never_judged() -> None:
    data = fixture("last-week")
    data["judged_against"] = None
    data["windows"]["compared"]["start"] = "2026-10-01T00:00:00+02:00"
    page = view(data)
    assert page.comparison is not None and page.comparison.kind == "different-lengths"
    assert page.headline[0].delta_text == "" and page.flagged == []
    # Sends of periods of different lengths are not set side by side; rates (per e-mail) are.
    cold = page.templates[0]
    assert cold.sent_change == "" and cold.opened.change == f"{MINUS}11.1 pts"
    assert cold.opened.judgement == "none" and page.templates[2].sent_change == "new"


def test_a_data_json_without_judged_against_is_decided_from_its_windows() -> None:
    data = fixture("last-week")
    del data["judged_against"]
    page = view(data)
    assert page.comparison is not None and page.comparison.kind == "like-for-like"
    assert [t.name for t in page.flagged] == ["Cold intro — EMEA"]


def test_overall_mode_with_zero_and_contradicting_rows() -> None:
    page = view(
        overall_data(
            [
                row("All Emails", None, 735434, 3474546, 348741),
                row("Promo Email", "tmpl_p", 101, 40, 9),
                row("Unused", "tmpl_u", 0, 0, 0),
            ]
        )
    )
    assert page.comparison is None and page.coverage == ["Sent e-mails at any time (UTC)"]
    sent, opened, replied = page.headline
    assert sent.text == "735,434" and opened.text == "—" and replied.text == "47.4%"
    assert page.total is not None and page.total.opened.text == "—"
    assert any("contradict each other in 1 row(s)" in note for note in page.notes)
    assert page.templates[0].opened.text == "39.6%" and page.templates[0].sent_change == ""
    assert page.idle == ["Unused"]
    assert page.csv.header[:6] == [
        "rank",
        "status",
        "template_id",
        "template_name",
        "shared",
        "sent",
    ]
    assert "compared_sent" not in page.csv.header
    assert page.csv.rows[-1][:3] == [None, "total", ""]


def test_no_sends_and_no_all_emails_row() -> None:
    empty = view(overall_data([]))
    assert empty.templates == [] and empty.total is None
    assert [card.text for card in empty.headline] == ["0", "—", "—"]
    summed = view(overall_data([row("A", "tmpl_a", 10, 5, 1), row("B", "tmpl_b", 30, 3, 3)]))
    assert summed.total is not None and summed.total.sent_text == "40"
    assert summed.total.opened.text == "20.0%"
    assert any("no “All Emails” row" in note for note in summed.notes)


def test_labels_are_plain_text_for_the_escaping_templates() -> None:
    page = view(overall_data([row("Ünïcode\u202e <img src=x> ", "tmpl_x", 5, 1, 0)]))
    assert page.templates[0].name.startswith("Ünïcode") and "\u202e" not in page.templates[0].name
    assert page.templates[0].anchor == "template-tmpl-x"


@pytest.mark.parametrize(
    ("now", "before", "fair", "verdict"),
    [
        ((30, 100), (50, 100), True, "fell"),
        ((30, 100), (50, 100), False, "unfair"),
        ((3, 10), (5, 10), True, "few-sends"),
        ((3, MIN_SENDS - 1), (50, 100), True, "few-sends"),
        ((48, 100), (50, 100), True, "steady"),  # 2 points: under the guard
        ((4800, 10000), (5200, 10000), True, "steady"),  # certain, but only 4 points
        ((44, 100), (50, 100), True, "steady"),  # 6 points on 100 sends: chance (z ≈ 0.85)
        ((60, 100), (40, 100), True, "rose"),
        ((0, 0), (5, 10), True, "none"),
        ((11, 10), (5, 10), True, "none"),  # contradicting counts: no rate, no verdict
    ],
)
def test_the_rate_rule(
    now: tuple[int, int], before: tuple[int, int], fair: bool, verdict: str
) -> None:
    assert rate_verdict(now[0], now[1], before[0], before[1], fair=fair) == verdict


def test_the_sends_rule_and_the_z_score() -> None:
    assert sends_verdict(1840, 1900, fair=True) == "steady"
    assert sends_verdict(1500, 1900, fair=True) == "fell"
    assert sends_verdict(20, 10, fair=True) == "few-sends"
    assert sends_verdict(2000, 1000, fair=False) == "unfair"
    assert z_score((0, 10), (0, 10)) == 0.0
    assert round(z_score((30, 100), (50, 100)), 2) == -2.89


def test_snapshot_and_trends_over_runs() -> None:
    kind = kind_named("sent-emails")
    data = fixture("last-week")
    snap = kind.snapshot(data)
    assert snap["metrics"] == {
        "sent": 1840, "opened": 736, "replied": 166, "open_rate": 0.4, "reply_rate": 166 / 1840,
    }  # fmt: skip
    assert snap["compared_metrics"]["sent"] == 1900  # type: ignore[index]
    later = copy.deepcopy(snap)
    later["fetched_at"] = "2026-12-09T09:30:05Z"
    page = view(data, history=[snap, later])
    assert [chart.title for chart in page.trends] == ["E-mails sent", "Open rate", "Reply rate"]
    assert page.history_runs == 2
    assert kind.outputs(page, ["html", "csv"]) == [
        ("index.html", "sentemails/report.html"),
        ("report.csv", "sentemails/report.csv"),
    ]


def test_deliveries_digest_the_three_headline_figures() -> None:
    from reportrunner.deliver.digest import digest_of

    digest = digest_of(fixture("last-week"), FMT, "https://reports.example/")
    assert [(line.label, line.text) for line in digest.lines] == [
        ("E-mails sent", "1,840"),
        ("Open rate", "40.0%"),
        ("Reply rate", "9.0%"),
    ]
    assert digest.lines[0].change == "down 60 (3%), within chance"
    assert digest.url == "https://reports.example/templates-last-week/"
    assert digest.numbers["sent"] == 1840 and not digest.empty


@pytest.mark.parametrize(
    "change",
    [
        {"windows": []},
        {"windows": {"report": "x", "compared": 7}},
        {"responses": {"sent_emails": {"base": [], "compared": "x"}}},
        {"responses": []},
        {"judged_against": "bogus"},
        {"judged_against": "compared_to_date"},
        {"names": {"users": ["x"]}},
        {"request": {"user_id": {"a": 1}}},
        {"fetched_at": "yesterday"},
    ],
)
def test_a_broken_data_json_fails_its_page_alone(change: dict[str, Any], tmp_path: Path) -> None:
    """data.json is read back from earlier sites: bad content is that report's failure only."""
    from datetime import datetime, timezone

    from reportrunner.model import Project, ReportOutcome
    from reportrunner.site.build import publish

    good, bad = fixture("this-week"), fixture("last-week")
    bad.update(change)
    outcomes = [
        ReportOutcome(good["id"], "g", "specs/g.yaml", "ok", data=good),
        ReportOutcome(bad["id"], "b", "specs/b.yaml", "ok", data=bad),
    ]
    now = datetime(2026, 12, 2, 9, 30, 5, tzinfo=timezone.utc)
    result = publish(tmp_path / "site", Project(root=tmp_path), outcomes, now=now)
    statuses = {report.id: report.status for report in result.reports}
    assert statuses[good["id"]] == "ok"
    assert statuses[bad["id"]] in ("ok", "failed")
