"""Activity reports fetched over real HTTP from the emulator, published beside a funnel report."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.org import GROUPS, PIPELINES
from reportrunner.fetch.runner import RunSettings, run_reports
from reportrunner.model import Project, Spec
from reportrunner.site.build import publish

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)  # a Wednesday
KEY = "test-key"
METRICS = ["calls.outbound.all.count", "emails.sent.all.count", "opportunities.won.all.count"]


def activity(report_id: str, request: dict[str, Any], compare: str = "none") -> Spec:
    return Spec(
        id=report_id,
        title=report_id.title(),
        request=request,
        source=f"specs/{report_id}.yaml",
        kind="activity",
        compare=compare,
        endpoints=("activity",),
        timezone="Europe/Berlin",
    )


FUNNEL = Spec(
    id="funnel",
    title="Funnel",
    request={
        "pipeline": PIPELINES[0].id,
        "type": "created-cohort",
        "cohort_relative_range": "last-month",
    },
    source="specs/funnel.yaml",
)
OVERVIEW = activity(
    "overview",
    {"type": "overview", "relative_range": "this-week", "metrics": METRICS},
    "previous-period",
)
BOARD = activity(
    "board",
    {
        "type": "comparison",
        "relative_range": "last-month",
        "metrics": METRICS,
        "users": [GROUPS[0].id],
    },
    "same-days-last-month",
)


def run(emu: Emulator, specs: list[Spec]) -> Any:
    return run_reports(RunSettings(specs=specs, base_url=emu.base_url, api_key=KEY, now=NOW))


def test_the_runner_posts_each_role_s_body_and_keeps_every_answer(emulator: Emulator) -> None:
    result = run(emulator, [OVERVIEW, BOARD])
    assert [o.status for o in result.outcomes] == ["ok", "ok"], [o.error for o in result.outcomes]
    posted = [r.body for r in emulator.requests if r.method == "POST"]
    assert OVERVIEW.request in posted and BOARD.request in posted
    overview = result.outcomes[0].data
    assert overview is not None
    assert overview["kind"] == "activity" and overview["compare"] == "previous-period"
    assert set(overview["responses"]["activity"]) == {"base", "compared", "compared_to_date"}
    to_date = overview["responses"]["activity"]["compared_to_date"]
    compared = overview["responses"]["activity"]["compared"]
    # The same span of last week cannot hold more than all of last week.
    for key in METRICS:
        assert to_date["aggregations"]["totals"][key] <= compared["aggregations"]["totals"][key]
    board = result.outcomes[1].data
    assert board is not None
    rows = board["responses"]["activity"]["base"]["data"]
    assert {row["user_id"] for row in rows} == set(GROUPS[0].member_ids)
    # The run's look-ups name every rep of the leaderboard.
    assert set(board["names"]["users"]) >= set(GROUPS[0].member_ids)


def test_activity_and_funnel_reports_publish_side_by_side(
    emulator: Emulator, tmp_path: Path
) -> None:
    result = run(emulator, [FUNNEL, OVERVIEW, BOARD])
    out = tmp_path / "site"
    site = publish(out, Project(root=tmp_path), result.outcomes, now=NOW)
    assert [(r.id, r.status) for r in site.reports] == [
        ("funnel", "ok"),
        ("overview", "ok"),
        ("board", "ok"),
    ]
    assert sorted((out / "board").iterdir()) == [
        out / "board" / name for name in ("data.json", "index.html", "report.csv", "report.md")
    ]
    page = (out / "board" / "index.html").read_text(encoding="utf-8")
    assert "Leaderboard" in page and "of team" in page
    assert "Funnel by count" in (out / "funnel" / "index.html").read_text(encoding="utf-8")
    history = json.loads((out / "history" / "overview.json").read_text(encoding="utf-8"))
    assert history["snapshots"][0]["metrics"]["calls.outbound.all.count"] >= 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Outbound Calls - All Types" in index  # the activity row's numbers


def test_an_answer_of_the_wrong_shape_fails_that_report_only(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.inject(Fault.status(200, body={"data": "not a list"}), path="/report/activity/")
    result = run(emulator, [FUNNEL, OVERVIEW])
    outcomes = {o.id: o for o in result.outcomes}
    assert outcomes["funnel"].status == "ok"
    assert outcomes["overview"].status == "failed"
    error = outcomes["overview"].error or ""
    assert "unexpected shape: /data is a string, expected a list" in error
    assert "specs/overview.yaml" in error and "activity request" in error
    site = publish(tmp_path / "site", Project(root=tmp_path), result.outcomes, now=NOW)
    assert {r.id: r.status for r in site.reports} == {"funnel": "ok", "overview": "failed"}


def test_a_rejected_activity_request_names_the_spec_line(emulator: Emulator) -> None:
    bad = activity(
        "bad",
        {"type": "overview", "relative_range": "this-week", "metrics": ["calls.nope.all.count"]},
    )
    result = run(emulator, [bad])
    outcome = result.outcomes[0]
    assert outcome.status == "failed"
    assert "Close answered 400" in (outcome.error or "") and "metrics" in (outcome.error or "")
