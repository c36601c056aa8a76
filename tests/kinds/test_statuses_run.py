"""Status-change reports planned through the shared dated plan and fetched over real HTTP from
the emulator, published beside a funnel report; a bad answer fails only its own report."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.org import PIPELINES, USERS
from reportrunner.fetch.runner import RunSettings, run_reports
from reportrunner.kinds import kind_named
from reportrunner.model import Project, Spec
from reportrunner.site.build import publish

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)  # a Wednesday (conftest's emulator)
KEY = "test-key"


def status_spec(kind: str, report_id: str, **fields: Any) -> Spec:
    return Spec(
        id=report_id,
        title=report_id.title(),
        request=fields.pop("request", {}),
        source=f"specs/{report_id}.yaml",
        kind=kind,  # type: ignore[arg-type]
        endpoints=(kind.replace("-", "_"),),
        timezone="Europe/Berlin",
        **fields,
    )


MOVEMENT = status_spec(
    "opportunity-statuses", "movement", range="last-week", compare="previous-period"
)
LEADS = status_spec("lead-statuses", "leads", range="this-week", compare="previous-period")
OVERALL = status_spec("lead-statuses", "overall")
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


def run(emu: Emulator, specs: list[Spec]) -> Any:
    return run_reports(RunSettings(specs=specs, base_url=emu.base_url, api_key=KEY, now=NOW))


def test_the_plan_is_the_dated_plan_of_each_kind_s_endpoint() -> None:
    plan = kind_named("opportunity-statuses").plan(MOVEMENT, NOW)
    roles = [(r.endpoint, r.role, r.target()) for r in plan.requests]
    path = "/report/statuses/opportunity/{organization_id}/"
    assert roles == [
        ("opportunity_statuses", "base", f"{path}?date_end=2026-11-16&date_start=2026-11-09"),
        ("opportunity_statuses", "compared", f"{path}?date_end=2026-11-09&date_start=2026-11-02"),
    ]
    assert plan.extra["judged_against"] == "compared"
    lead = kind_named("lead-statuses").plan(LEADS, NOW)
    assert [r.role for r in lead.requests] == ["base", "compared", "compared_to_date"]
    assert all(
        r.target().startswith("/report/statuses/lead/{organization_id}/?") for r in lead.requests
    )
    overall = kind_named("lead-statuses").plan(OVERALL, NOW)
    assert [r.target() for r in overall.requests] == ["/report/statuses/lead/{organization_id}/"]
    assert overall.windows["report"]["kind"] == "overall"


def test_both_kinds_run_against_the_emulator_and_publish(
    emulator: Emulator, tmp_path: Path
) -> None:
    result = run(emulator, [FUNNEL, MOVEMENT, LEADS, OVERALL])
    outcomes = {o.id: o for o in result.outcomes}
    assert {k: o.status for k, o in outcomes.items()} == dict.fromkeys(outcomes, "ok"), [
        o.error for o in result.outcomes
    ]
    gets = [r for r in emulator.requests if r.path.startswith("/report/statuses/")]
    organization = gets[0].path.split("/")[4]
    assert organization.startswith("orga_")
    assert {"date_start": "2026-11-09", "date_end": "2026-11-16"} in [r.query for r in gets]
    assert {} in [r.query for r in gets]  # the overall report sends no dates
    movement = outcomes["movement"].data
    assert movement is not None
    assert set(movement["responses"]["opportunity_statuses"]) == {"base", "compared"}
    types = {value["type"] for value in movement["names"]["statuses"].values()}
    assert types == {"active", "won", "lost"}  # every pipeline's statuses, with their types
    leads = outcomes["leads"].data
    assert leads is not None and set(leads["responses"]["lead_statuses"]) == {
        "base", "compared", "compared_to_date",
    }  # fmt: skip
    out = tmp_path / "site"
    site = publish(out, Project(root=tmp_path), result.outcomes, now=NOW)
    assert {r.id: r.status for r in site.reports} == dict.fromkeys(outcomes, "ok")
    page = (out / "movement" / "index.html").read_text(encoding="utf-8")
    assert "Top transitions" in page and "By status" in page and "Compared like for like" in page
    lines = (out / "movement" / "report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("status_id,status_label,status_is_deleted,started,ended,entered")
    assert len(lines) == 1 + len(
        movement["responses"]["opportunity_statuses"]["base"]["status_overview"]
    )
    moves = (out / "movement" / "transitions.csv").read_text(encoding="utf-8-sig").splitlines()
    assert (
        moves[0] == "list,rank,from_status_id,from_status_label,to_status_id,to_status_label,count"
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = next(r["files"] for r in manifest["reports"] if r["id"] == "movement")
    assert files["transitions_csv"] == "movement/transitions.csv"
    assert "## By status" in (out / "leads" / "report.md").read_text(encoding="utf-8")
    history = json.loads((out / "history" / "movement.json").read_text(encoding="utf-8"))
    assert history["snapshots"][0]["metrics"]["won"] >= 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Open pipeline, net change" in index and "New leads" in index


def test_an_answer_of_the_wrong_shape_fails_that_report_only(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.inject(
        Fault.status(200, body={"status_overview": [{"status_id": 7}]}),
        path="/report/statuses/opportunity/",
    )
    result = run(emulator, [FUNNEL, MOVEMENT, OVERALL])
    outcomes = {o.id: o for o in result.outcomes}
    assert (outcomes["funnel"].status, outcomes["overall"].status) == ("ok", "ok")
    assert outcomes["movement"].status == "failed"
    error = outcomes["movement"].error or ""
    assert "/status_overview/0/status_id is a number, expected a string" in error
    assert "specs/movement.yaml" in error
    site = publish(tmp_path / "site", Project(root=tmp_path), result.outcomes, now=NOW)
    assert {r.id: r.status for r in site.reports}["movement"] == "failed"


def test_close_s_rejection_names_the_report(emulator: Emulator) -> None:
    bad = status_spec("lead-statuses", "bad", range="last-week", request={"user_id": "user_1"})
    outcome = run(emulator, [bad]).outcomes[0]
    assert outcome.status == "failed"
    assert "Close answered 400" in (outcome.error or "") and "user_id" in (outcome.error or "")


def test_a_user_filter_is_named_on_the_page(emulator: Emulator, tmp_path: Path) -> None:
    rep = USERS[0]
    mine = status_spec(
        "opportunity-statuses", "mine", range="last-week", request={"user_id": rep.id}
    )
    outcome = run(emulator, [mine]).outcomes[0]
    assert outcome.status == "ok", outcome.error
    assert outcome.data is not None
    assert outcome.data["names"]["users"] == {rep.id: rep.full_name}
    publish(tmp_path / "site", Project(root=tmp_path), [outcome], now=NOW)
    page = (tmp_path / "site" / "mine" / "index.html").read_text(encoding="utf-8")
    assert f"<strong>User:</strong> <bdi>{rep.full_name}</bdi>" in page
