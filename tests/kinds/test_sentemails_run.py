"""Sent e-mails reports fetched over real HTTP from the emulator, published beside a funnel."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.org import PIPELINES, USERS
from reportrunner.fetch.runner import RunSettings, run_reports
from reportrunner.model import Project, Spec
from reportrunner.site.build import publish

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)  # the emulator fixture's Wednesday
KEY = "test-key"


def sent(report_id: str, rng: Any, compare: str = "none", **request: str) -> Spec:
    return Spec(
        id=report_id,
        title=report_id.title(),
        request=dict(request),
        source=f"specs/{report_id}.yaml",
        kind="sent-emails",
        compare=compare,
        endpoints=("sent_emails",),
        timezone="Europe/Berlin",
        range=rng,
    )


LAST_WEEK = sent("last-week", "last-week", "previous-period")
THIS_WEEK = sent("this-week", "this-week", "previous-period")
OVERALL = sent("overall", None)
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


def _rows(data: dict[str, Any], role: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data["responses"]["sent_emails"][role]["sent_email_stats"]
    return rows


def test_each_report_keeps_every_answer_even_when_another_report_shares_the_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    result = run(emulator, [LAST_WEEK, THIS_WEEK, OVERALL, FUNNEL])
    assert [o.status for o in result.outcomes] == ["ok"] * 4, [o.error for o in result.outcomes]
    by_id = {o.id: o.data for o in result.outcomes}
    last, this = by_id["last-week"], by_id["this-week"]
    assert last is not None and this is not None
    # This week's compared period is last week: fetched once, kept under both roles.
    assert _rows(this, "compared") == _rows(last, "base")
    assert set(this["responses"]["sent_emails"]) == {"base", "compared", "compared_to_date"}
    gets = [r for r in emulator.requests if r.path.startswith("/report/sent_emails/")]
    assert len(gets) == 5  # last week, the week before, this week so far, its same days, overall
    assert {"date_start": "2026-11-09", "date_end": "2026-11-16"} in [r.query for r in gets]
    assert all(r.path.startswith("/report/sent_emails/orga_") for r in gets)
    for data in (last, this):
        overall, *templates = _rows(data, "base")
        assert overall["name"] == "All Emails" and overall["template_id"] is None
        assert sum(row["total"] for row in templates) <= overall["total"]
    out = tmp_path / "site"
    site = publish(out, Project(root=tmp_path), result.outcomes, now=NOW)
    assert {r.id: r.status for r in site.reports} == dict.fromkeys(by_id, "ok"), site.warnings
    page = (out / "last-week" / "index.html").read_text(encoding="utf-8")
    assert (
        "Templates by sends" in page and "Compared like for like with the previous period" in page
    )
    week = (out / "this-week" / "index.html").read_text(encoding="utf-8")
    assert "Same days of the previous period" in week and "so far: 2 of 7 days" in week
    table = list(csv.reader(io.StringIO((out / "last-week" / "report.csv").read_text("utf-8-sig"))))
    assert table[0][:6] == ["rank", "status", "template_id", "template_name", "shared", "sent"]
    assert table[-1][1] == "total" and int(table[-1][5]) == _rows(last, "base")[0]["total"]
    history = json.loads((out / "history" / "last-week.json").read_text(encoding="utf-8"))
    assert history["snapshots"][0]["metrics"]["sent"] == _rows(last, "base")[0]["total"]
    assert "E-mails sent" in (out / "index.html").read_text(encoding="utf-8")


def test_a_sender_filter_reaches_close_and_the_page_names_the_sender(emulator: Emulator) -> None:
    everyone = run(emulator, [LAST_WEEK]).outcomes[0].data
    user_id = USERS[0].id
    one = sent("one", "last-week", user_id=user_id)
    data = run(emulator, [one]).outcomes[0].data
    assert data is not None and everyone is not None
    assert _rows(data, "base")[0]["total"] <= _rows(everyone, "base")[0]["total"]
    sent_gets = [r for r in emulator.requests if r.path.startswith("/report/sent_emails/")]
    assert sent_gets[-1].query["user_id"] == user_id


def test_an_answer_of_the_wrong_shape_fails_that_report_only(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.inject(
        Fault.status(
            200,
            body={"sent_email_stats": [{"name": "x", "total": "9", "opened": 1, "responded": 0}]},
        ),
        path="/report/sent_emails/",
    )
    result = run(emulator, [FUNNEL, OVERALL])
    outcomes = {o.id: o for o in result.outcomes}
    assert outcomes["funnel"].status == "ok"
    assert outcomes["overall"].status == "failed"
    error = outcomes["overall"].error or ""
    assert "unexpected shape: /sent_email_stats/0/total is a string" in error, error
    assert "specs/overall.yaml" in error and "sent_emails request" in error
    site = publish(tmp_path / "site", Project(root=tmp_path), result.outcomes, now=NOW)
    assert {r.id: r.status for r in site.reports} == {"funnel": "ok", "overall": "failed"}
