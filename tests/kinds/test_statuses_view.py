"""What a status-change page shows: per-status numbers with signs, flows, overall reports,
comparisons judged only when fair, and Close's own figures never trusted blindly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from reportrunner.kinds import kind_named
from reportrunner.kinds.statuses.view import StatusView
from reportrunner.site.filters import Formatter

FMT = Formatter("en_US")
FIXTURES = Path(__file__).resolve().parents[1] / "render" / "fixtures"
MINUS = "\u2212"


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def view_of(data: dict[str, Any], **options: Any) -> StatusView:
    found: StatusView = kind_named(data["kind"]).view(data, FMT, **options)
    return found


@pytest.fixture
def opportunities() -> dict[str, Any]:
    return load("opportunity-statuses")


@pytest.fixture
def leads() -> dict[str, Any]:
    return load("lead-statuses")


@pytest.fixture
def overall() -> dict[str, Any]:
    return load("lead-statuses-overall")


def _base(data: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = next(iter(data["responses"].values()))["base"]
    return answer


def test_each_status_has_its_counts_and_a_signed_change(opportunities: dict[str, Any]) -> None:
    view = view_of(opportunities)
    assert [c.key for c in view.columns] == [
        "started", "ended", "entered", "left", "gained", "lost", "change",
    ]  # fmt: skip
    rows = {row.name: row for row in view.statuses}
    assert len(rows) == len(_base(opportunities)["status_overview"])
    for answer_row in _base(opportunities)["status_overview"]:
        row = rows[answer_row["status_label"]]
        assert row.raw["change"] == answer_row["ended"] - answer_row["started"]
        change = row.raw["change"]
        assert row.text["change"] == (
            "0" if change == 0 else ("+" if change > 0 else MINUS) + f"{abs(change):,.0f}"
        )
        assert row.percent == pytest.approx(change / answer_row["started"])
        if change < 0:
            assert row.percent_text.startswith(MINUS)  # a real minus, as wide as the plus
    assert rows["Churned"].deleted and rows["Churned"].label == "Churned (deleted)"


def test_percentages_under_ten_keep_a_decimal_and_a_new_status_says_new(
    leads: dict[str, Any],
) -> None:
    answer = _base(leads)
    first = answer["status_overview"][0]
    first.update(started=2000, ended=2006, gained=6, lost=0, change=6, change_percent=0)
    second = answer["status_overview"][1]
    second.update(started=0, ended=4, gained=4, lost=0, change=4, change_percent=None)
    rows = view_of(leads).statuses
    assert rows[0].percent_text == "+0.3%"
    assert rows[1].percent is None and rows[1].percent_text == "new"


def test_close_s_own_change_figures_are_checked_against_its_counts(leads: dict[str, Any]) -> None:
    row = _base(leads)["status_overview"][0]
    row.update(started=100, ended=110, gained=10, lost=0, change=99, change_percent=50)
    view = view_of(leads)
    assert view.statuses[0].raw["change"] == 10 and view.statuses[0].percent_text == "+10%"
    assert any("Close's net change (+99) is not ended − started (+10)" in n for n in view.notes)
    assert any("Close's change of 50% does not match its counts (+10%)" in n for n in view.notes)
    row.update(gained=3)
    assert any("started + gained − lost is not ended" in n for n in view_of(leads).notes)


def test_rounding_of_close_s_percentages_is_no_disagreement(
    opportunities: dict[str, Any], leads: dict[str, Any]
) -> None:
    assert view_of(opportunities).notes == [] and view_of(leads).notes == []


def test_transitions_are_ranked_with_bars_and_new_records_come_from_new(
    leads: dict[str, Any],
) -> None:
    view = view_of(leads)
    moves = _base(leads)["status_transitions"]
    assert [t.count for t in view.transitions] == sorted((m["count"] for m in moves), reverse=True)
    assert view.transitions[0].bar == "100.0%" and view.transitions[0].rank == 1
    created = [t for t in view.transitions if t.created]
    assert created and all(t.source == "New" for t in created)
    assert {t.source for t in view.transitions if not t.created} <= {
        s["status_label"] for s in _base(leads)["status_overview"]
    }
    assert len(view.summary) == len(_base(leads)["status_transitions_summary"])
    assert len(view.flow) <= view.top


def test_ties_share_a_rank(leads: dict[str, Any]) -> None:
    moves = _base(leads)["status_transitions"]
    for move in moves[:3]:
        move["count"] = 5
    ranks = [t.rank for t in view_of(leads).transitions if t.count == 5]
    assert ranks[:3] == [1, 1, 1]


def test_an_overall_report_shows_only_what_close_returns(overall: dict[str, Any]) -> None:
    view = view_of(overall)
    assert view.overall and view.comparison is None and view.compared == []
    assert [c.key for c in view.columns] == ["ended", "entered", "left"]
    assert all("change" not in row.raw for row in view.statuses)
    assert (
        view.coverage[0] == "Lead status changes over all time (an overall report), Europe/Berlin"
    )
    assert [m.key for m in view.headline] == ["created", "moves", "customer"]
    assert view.csv.header == [
        "status_id",
        "status_label",
        "status_is_deleted",
        "ended",
        "entered",
        "left",
    ]


def test_a_finished_week_is_judged_like_for_like(opportunities: dict[str, Any]) -> None:
    view = view_of(opportunities)
    assert view.comparison is not None and view.comparison.judged
    assert view.comparison.note.startswith("Compared like for like with the previous period (")
    cards = {m.key: m for m in view.headline}
    assert list(cards) == ["won", "lost", "open_change", "created"]
    compared = next(iter(opportunities["responses"].values()))["compared"]
    types = {k: v["type"] for k, v in opportunities["names"]["statuses"].items()}
    for key, kind in (("won", "won"), ("lost", "lost")):
        now = sum(
            s["entered"]
            for s in _base(opportunities)["status_overview"]
            if types[s["status_id"]] == kind
        )
        was = sum(
            s["entered"] for s in compared["status_overview"] if types[s["status_id"]] == kind
        )
        assert (cards[key].value, cards[key].compared) == (now, was)
        if now != was:
            better = (now > was) == (key == "won")
            assert cards[key].judgement == ("better" if better else "worse")
    assert cards["open_change"].judgement == "none"  # no direction is right for open pipeline
    rows = {row.label: row for row in view.compared}
    assert rows["Won"].judgement in ("better", "worse", "same")
    assert rows["Demo"].judgement == "none"  # an active status: sign and words, no colour


def test_a_running_month_compares_its_complete_days_with_the_same_days(
    leads: dict[str, Any],
) -> None:
    view = view_of(leads)
    assert view.comparison is not None and view.comparison.role == "compared_to_date"
    assert view.comparison.label == "Same days of last month"
    assert view.comparison.full_label == "All of last month"
    assert "its complete days so far (Dec 1 – 2, 2026)" in view.comparison.note.replace(
        "\u2009", " "
    )
    assert view.progress_text == "month to date, day 3 of 31"
    assert "(complete days so far: 2 of 31)" in view.coverage[0]
    created = next(m for m in view.headline if m.key == "created")
    to_date = next(iter(leads["responses"].values()))["compared_to_date"]
    assert created.compared == sum(
        m["count"] for m in to_date["status_transitions"] if m["from_status_id"] is None
    )
    assert created.full_text  # all of last month beside the same days


def test_without_a_judged_answer_the_numbers_are_shown_but_never_coloured(
    leads: dict[str, Any],
) -> None:
    leads["judged_against"] = None  # e.g. the first day of a period
    del leads["windows"]["compared_to_date"]
    view = view_of(leads)
    assert view.comparison is not None and not view.comparison.judged
    assert all(m.judgement == "none" for m in view.headline)
    assert all(r.judgement == "none" for r in view.compared)
    assert "not judged" in view.comparison.note or "no complete day" in view.comparison.note


def test_periods_of_different_lengths_are_not_judged(opportunities: dict[str, Any]) -> None:
    opportunities["judged_against"] = None
    opportunities["windows"]["compared"]["start"] = "2026-10-23T00:00:00+02:00"
    view = view_of(opportunities)
    assert view.comparison is not None and view.comparison.kind == "different-lengths"
    assert all(m.delta_text == "" for m in view.headline)


def test_opportunity_types_fall_back_to_won_and_lost_labels(
    opportunities: dict[str, Any],
) -> None:
    opportunities["names"]["statuses"] = {}
    keys = [m.key for m in view_of(opportunities).headline]
    assert keys == ["won", "lost", "created"]  # no open pipeline card without types


def test_labels_are_plain_text_and_odd_ids_are_fine(leads: dict[str, Any]) -> None:
    row = _base(leads)["status_overview"][0]
    row["status_label"] = "Evil\u202e <b>label</b>\nnext"
    row["status_id"] = "stat_ odd/../id"
    for move in _base(leads)["status_transitions"]:
        move["from_status_id"] = move["from_status_id"] and "stat_ odd/../id"
    view = view_of(leads)
    assert view.statuses[0].label == "Evil <b>label</b> next"  # templates escape it
    assert view.statuses[0].anchor == "status--odd----id"


def test_filters_are_named(opportunities: dict[str, Any]) -> None:
    opportunities["request"] = {"smart_view_id": "save_1", "user_id": "user_9"}
    opportunities["names"]["users"] = {"user_9": "Ava Thompson"}
    assert view_of(opportunities).filters == [("Smart View", "save_1"), ("User", "Ava Thompson")]


def test_the_snapshot_keeps_headline_figures_and_status_counts(
    opportunities: dict[str, Any],
) -> None:
    kind = kind_named("opportunity-statuses")
    snapshot = kind.snapshot(opportunities)
    view = view_of(opportunities)
    for card in view.headline:
        assert snapshot["metrics"][card.key] == card.value
        assert snapshot["compared_metrics"][card.key] == card.compared
    first = _base(opportunities)["status_overview"][0]
    assert snapshot["metrics"][f"ended:{first['status_id']}"] == first["ended"]
    history = []
    for day, scale in ((1, 0.5), (2, 1.0)):
        item = copy.deepcopy(snapshot)
        item["fetched_at"] = f"2026-12-0{day}T09:30:05Z"
        item["metrics"] = {k: v * scale for k, v in item["metrics"].items()}
        history.append(item)
    trends = view_of(opportunities, history=history).trends
    assert [chart.key for chart in trends] == [f"run-{card.key}" for card in view.headline]


def test_csv_has_one_row_per_status(opportunities: dict[str, Any]) -> None:
    view = view_of(opportunities)
    assert view.csv.header[-2:] == ["change", "change_ratio"]
    assert len(view.csv.rows) == len(view.statuses)
    churned = next(row for row in view.csv.rows if row[1] == "Churned")
    assert churned[2] is True  # deleted, and the label stays Close's


def test_the_kind_s_outputs_follow_the_spec_s_formats(leads: dict[str, Any]) -> None:
    kind = kind_named("lead-statuses")
    assert kind.outputs(view_of(leads), ["html", "csv"]) == [
        ("index.html", "statuses/report.html"),
        ("report.csv", "statuses/report.csv"),
        ("transitions.csv", "statuses/transitions.csv"),
    ]


def test_the_transitions_csv_lists_every_move_then_the_summary(leads: dict[str, Any]) -> None:
    view = view_of(leads)
    table = view.transitions_csv
    assert table.header == [
        "list", "rank", "from_status_id", "from_status_label", "to_status_id",
        "to_status_label", "count",
    ]  # fmt: skip
    assert len(table.rows) == len(view.transitions) + len(view.summary)
    assert [row[0] for row in table.rows] == ["transitions"] * len(view.transitions) + [
        "summary"
    ] * len(view.summary)
    created = next(row for row in table.rows if row[3] == "New")
    assert created[2] == "" and created[4].startswith("stat_")


def test_a_delivery_digest_reads_the_same_headline(opportunities: dict[str, Any]) -> None:
    from reportrunner.deliver.digest import digest_of

    digest = digest_of(opportunities, FMT, "https://example.test/reports/")
    view = view_of(opportunities)
    assert [line.label for line in digest.lines] == [m.label for m in view.headline[:4]]
    won = digest.lines[0]
    assert won.text == view.headline[0].text and won.change.endswith(("better", "worse"))
    assert digest.numbers["won"] == view.headline[0].value and not digest.empty


def test_hostile_labels_are_escaped_in_markdown_and_csv(
    leads: dict[str, Any], tmp_path: Path
) -> None:
    from reportrunner.model import Project, ReportOutcome
    from reportrunner.site.build import publish

    row = _base(leads)["status_overview"][0]
    row["status_label"] = '=HYPERLINK("x") | *bold* <b>'
    outcome = ReportOutcome(leads["id"], "t", "specs/t.yaml", "ok", data=leads)
    publish(tmp_path / "site", Project(root=tmp_path), [outcome])
    folder = tmp_path / "site" / leads["id"]
    report = (folder / "report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert report[1].split(",", 1)[1].startswith('"\'=HYPERLINK(""x"") | *bold* <b>"')
    moves = (folder / "transitions.csv").read_text(encoding="utf-8-sig")
    assert "\"'=HYPERLINK(" in moves and ",=HYPERLINK" not in moves
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert "| *bold*" not in markdown and "\\| \\*bold\\*" in markdown
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "*bold* &lt;b&gt;" in page and "*bold* <b>" not in page


def test_a_missing_to_date_answer_is_never_judged_as_zero(leads: dict[str, Any]) -> None:
    del leads["responses"]["lead_statuses"]["compared_to_date"]
    view = view_of(leads)
    assert view.comparison is not None and view.comparison.role == "compared"
    assert not view.comparison.judged and all(m.judgement == "none" for m in view.headline)


def test_on_a_period_s_first_day_nothing_is_judged_and_the_page_says_why(
    leads: dict[str, Any],
) -> None:
    # kinds/dated.py on 1 December: no complete day yet, so the base covers the whole month
    # (Close clips it to now), the compared month is fetched, and nothing is judged.
    leads["fetched_at"] = "2026-12-01T09:30:05Z"
    windows = leads["windows"]
    windows["report"] = windows.pop("period")
    del windows["compared_to_date"]
    leads["judged_against"] = None
    del leads["responses"]["lead_statuses"]["compared_to_date"]
    view = view_of(leads)
    assert view.comparison is not None and not view.comparison.judged
    assert "its first day is not over" in view.comparison.note
    assert view.progress_text == "month to date, day 1 of 31"
    assert view.coverage[0].startswith(
        "Lead status changes this month — Dec 1, 2026 (month to date, day 1 of 31)"
    )
