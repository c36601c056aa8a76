"""The organisation id in a report's path: one `GET /me/` per run, over real HTTP.

A stand-in kind (registered for the test only) plans the emulator's lead status report with
`kinds/dated.plan_dated`, so the runner's look-up is tested apart from any kind's pages.
"""

from __future__ import annotations

import sys
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest

from reportrunner import kinds
from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.org import PIPELINES
from reportrunner.errors import AuthError, Interrupted
from reportrunner.fetch.plan import ReportPlan
from reportrunner.fetch.runner import RunSettings, run_reports
from reportrunner.kinds.dated import plan_dated
from reportrunner.model import Spec

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
KEY = "test-key"
PATH = "/report/statuses/lead/{organization_id}/"


@dataclass(frozen=True)
class _DatedKind:
    name: str = "lead-statuses"
    endpoints: dict[str, str] = field(default_factory=lambda: {"lead_statuses": PATH})

    def plan(self, spec: Spec, now: datetime) -> ReportPlan:
        return plan_dated(spec, now, endpoint="lead_statuses", path=PATH)

    def shape_problem(self, endpoint: str, answer: Any) -> str | None:
        return None if isinstance(answer, dict) else "not an object"


@pytest.fixture
def dated_kind(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    module = types.ModuleType("reportrunner_test_datedkind")
    module.KIND = _DatedKind()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(kinds.REGISTRY, "lead-statuses", module.__name__)
    yield


def moves(report_id: str, range_: str = "last-week") -> Spec:
    return Spec(
        id=report_id,
        title=report_id,
        request={},
        source=f"specs/{report_id}.yaml",
        kind="lead-statuses",
        endpoints=("lead_statuses",),
        range=range_,
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


def run(emu: Emulator, specs: list[Spec]) -> dict[str, Any]:
    result = run_reports(RunSettings(specs=specs, base_url=emu.base_url, api_key=KEY, now=NOW))
    return {outcome.id: outcome for outcome in result.outcomes}


def test_the_id_is_looked_up_once_and_put_in_every_path(dated_kind: None) -> None:
    with Emulator(api_key=KEY, now=NOW) as emu:
        outcomes = run(emu, [moves("a"), moves("b", "last-month"), FUNNEL])
        organization = emu.dataset.organization_id
        paths = [request.path for request in emu.requests]
    assert all(outcome.status == "ok" for outcome in outcomes.values()), outcomes
    assert paths.count("/me/") == 1
    status_paths = [path for path in paths if "/report/statuses/" in path]
    assert status_paths == [f"/report/statuses/lead/{organization}/"] * 2
    answer = outcomes["a"].data["responses"]["lead_statuses"]["base"]
    assert answer["status_overview"], answer


def test_a_run_without_such_reports_does_not_ask(dated_kind: None) -> None:
    with Emulator(api_key=KEY, now=NOW) as emu:
        outcomes = run(emu, [FUNNEL])
        paths = [request.path for request in emu.requests]
    assert outcomes["funnel"].status == "ok"
    assert "/me/" not in paths


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"id": "user_1", "organizations": []}, "names no organisation id"),
        (
            {"organizations": [{"id": "orga_one"}, {"id": "orga_two"}]},
            "names 2 organisations",
        ),
        ({"organizations": [{"id": "../../user/x"}]}, "is not one"),
        ([1, 2], "names no organisation id"),
    ],
)
def test_an_unusable_me_fails_those_reports_only(dated_kind: None, answer: Any, words: str) -> None:
    with Emulator(api_key=KEY, now=NOW) as emu:
        emu.inject(Fault.status(200, answer), path="/me/")
        outcomes = run(emu, [moves("a"), FUNNEL])
        paths = [request.path for request in emu.requests]
    assert outcomes["funnel"].status == "ok"
    assert outcomes["a"].status == "failed"
    assert words in (outcomes["a"].error or ""), outcomes["a"].error
    assert "/me/" in (outcomes["a"].error or "")
    assert not [path for path in paths if "/report/statuses/" in path]


def test_a_me_that_keeps_failing_fails_those_reports_with_the_url(dated_kind: None) -> None:
    with Emulator(api_key=KEY, now=NOW) as emu:
        emu.inject(Fault.status(404), path="/me/")
        outcomes = run(emu, [moves("a"), moves("b", "last-month"), FUNNEL])
    assert outcomes["funnel"].status == "ok"
    for report_id in ("a", "b"):
        assert outcomes[report_id].status == "failed"
        assert "/me/" in (outcomes[report_id].error or ""), outcomes[report_id].error


def test_a_request_two_reports_share_in_two_roles_reaches_both(dated_kind: None) -> None:
    # This week's compared period is last week: one request, "compared" for one report and
    # "base" for the other; each report keeps the answer under its own role.
    this_week = moves("this-week", "this-week")
    this_week = Spec(**{**this_week.__dict__, "compare": "previous-period"})
    with Emulator(api_key=KEY, now=NOW) as emu:
        outcomes = run(emu, [this_week, moves("last-week", "last-week")])
        statuses = [request for request in emu.requests if "/report/statuses/" in request.path]
    assert len(statuses) == 3  # this week so far, the same days of last week, last week
    mine = outcomes["this-week"].data["responses"]["lead_statuses"]
    theirs = outcomes["last-week"].data["responses"]["lead_statuses"]
    assert set(mine) == {"base", "compared", "compared_to_date"}
    assert set(theirs) == {"base"}
    assert mine["compared"] == theirs["base"]


def _workers_left(before: set[threading.Thread]) -> list[str]:
    # Hang guard far above normal: a worker ends once it takes its end marker.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        left = [
            t.name
            for t in threading.enumerate()
            if t not in before and t.name.startswith("reportrunner-") and t.is_alive()
        ]
        if not left:
            return []
        time.sleep(0.05)
    return left


def test_a_rejected_key_at_me_leaves_no_worker_waiting(dated_kind: None) -> None:
    before = set(threading.enumerate())
    with Emulator(api_key=KEY, now=NOW) as emu:
        emu.inject(Fault.status(401), path="/me/")
        with pytest.raises(AuthError):
            run(emu, [moves("a"), FUNNEL])
    assert _workers_left(before) == []


def test_an_interrupt_while_me_is_asked_leaves_no_worker_waiting(dated_kind: None) -> None:
    before = set(threading.enumerate())
    stop = threading.Event()
    with Emulator(api_key=KEY, now=NOW) as emu:
        emu.inject(Fault.delay(2.0), path="/me/")
        timer = threading.Timer(0.3, stop.set)
        timer.start()
        with pytest.raises(Interrupted):
            settings = RunSettings(specs=[moves("a")], base_url=emu.base_url, api_key=KEY, now=NOW)
            run_reports(settings, stop=stop)
        timer.join()
    assert _workers_left(before) == []


def test_a_shared_request_that_fails_is_named_by_each_reports_own_role(dated_kind: None) -> None:
    # This week plans last week's request first, as its "compared"; for last week it is "base".
    this_week = Spec(**{**moves("this-week", "this-week").__dict__, "compare": "previous-period"})
    with Emulator(api_key=KEY, now=NOW) as emu:
        emu.inject(*[Fault.status(400)] * 3, path="/report/statuses/")
        outcomes = run(emu, [this_week, moves("last-week", "last-week")])
    assert outcomes["this-week"].status == outcomes["last-week"].status == "failed"
    error = outcomes["last-week"].error or ""
    assert "the lead_statuses request" in error and "(compared" not in error, error


def test_a_set_organisation_id_is_used_without_asking(dated_kind: None) -> None:
    with Emulator(api_key=KEY, now=NOW) as emu:
        organization = emu.dataset.organization_id
        # /me/ would name two organisations: api.organization_id says which one.
        emu.inject(
            Fault.status(200, {"organizations": [{"id": organization}, {"id": "orga_other"}]}),
            path="/me/",
        )
        settings = RunSettings(
            specs=[moves("a")],
            base_url=emu.base_url,
            api_key=KEY,
            now=NOW,
            organization_id=organization,
        )
        outcomes = {o.id: o for o in run_reports(settings).outcomes}
        paths = [request.path for request in emu.requests]
    assert outcomes["a"].status == "ok", outcomes["a"].error
    assert "/me/" not in paths
    assert f"/report/statuses/lead/{organization}/" in paths


def test_several_organisations_say_how_to_choose(dated_kind: None) -> None:
    with Emulator(api_key=KEY, now=NOW) as emu:
        answer = {"organizations": [{"id": "orga_one"}, {"id": "orga_two"}]}
        emu.inject(Fault.status(200, answer), path="/me/")
        outcomes = run(emu, [moves("a")])
    error = outcomes["a"].error or ""
    assert "orga_one, orga_two" in error and "api.organization_id" in error, error
