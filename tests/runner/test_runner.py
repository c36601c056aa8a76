"""run_reports end to end over real HTTP against the emulator."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any

import pytest

from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.org import GROUPS, PIPELINES, SAVED_SEARCHES, USERS
from reportrunner.errors import ApiUnreachable, AuthError, Interrupted, UsageError
from reportrunner.fetch.runner import RunEvent, RunSettings, run_reports
from reportrunner.model import Location, ReportOutcome, Spec

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
KEY = "test-key"
NEW_BUSINESS = PIPELINES[0].id


def spec(report_id: str, request: dict[str, Any], **extra: Any) -> Spec:
    body = {"pipeline": NEW_BUSINESS, **request}
    extra.setdefault("title", report_id.title())
    return Spec(id=report_id, request=body, source=f"specs/{report_id}.yaml", **extra)


CREATED = {"type": "created-cohort", "cohort_relative_range": "this-quarter"}


def settings(emu: Emulator, specs: list[Spec], **extra: Any) -> RunSettings:
    return RunSettings(specs=specs, base_url=emu.base_url, api_key=KEY, now=NOW, **extra)


def posts(emu: Emulator) -> list[Any]:
    return [r for r in emu.requests if r.method == "POST"]


def test_base_and_compared_requests(emulator: Emulator) -> None:
    compared = spec("compared", {**CREATED, "compared_relative_range": "last-quarter"})
    result = run_reports(settings(emulator, [compared]))
    assert result.failed == 0
    bodies = [(r.path.rsplit("/", 2)[-2], r.body) for r in posts(emulator)]
    for endpoint in ("totals", "stages"):
        assert (endpoint, compared.request) in bodies
        base = {k: v for k, v in compared.request.items() if k != "compared_relative_range"}
        assert (endpoint, base) in bodies
    data = result.outcomes[0].data
    assert data is not None
    # Nov 18 is inside this quarter: last quarter is also fetched to date (same span).
    assert set(data["responses"]["totals"]) == {"base", "compared", "compared_to_date"}
    assert data["responses"]["totals"]["base"] != data["responses"]["totals"]["compared"]
    assert data["windows"]["compared"]["value"] == "last-quarter"
    assert data["windows"]["compared_to_date"]["start"] == data["windows"]["compared"]["start"]
    assert data["stats"]["requests"] == 6


def test_identical_requests_are_sent_once(emulator: Emulator) -> None:
    one = spec("one", CREATED)
    two = spec("two", CREATED, title="Same request, other title")
    result = run_reports(settings(emulator, [one, two]))
    assert [o.status for o in result.outcomes] == ["ok", "ok"]
    assert result.planned_requests == 4 and result.unique_requests == 2
    assert len(posts(emulator)) == 2
    first, second = (o.data for o in result.outcomes)
    assert first is not None and second is not None
    assert first["responses"] == second["responses"]


def test_users_are_read_page_by_page_and_named(emulator: Emulator) -> None:
    owners = spec("owners", {**CREATED, "users": [GROUPS[0].id, USERS[1].id]})
    result = run_reports(settings(emulator, [owners]))
    user_pages = [r for r in emulator.requests if r.path.endswith("/user/")]
    assert len(user_pages) >= 2
    data = result.outcomes[0].data
    assert data is not None
    names = data["names"]
    assert names["pipeline"] == {"id": NEW_BUSINESS, "name": PIPELINES[0].name}
    assert names["groups"] == {GROUPS[0].id: GROUPS[0].name}
    assert names["users"][USERS[1].id] == USERS[1].full_name
    for row in data["responses"]["totals"]["base"]["data"]:
        assert names["users"][row["user_id"]] != row["user_id"], "every user has a name"
    statuses = names["statuses"]
    assert {s.id for s in PIPELINES[0].statuses} == set(statuses)


def test_saved_search_named(emulator: Emulator) -> None:
    search = SAVED_SEARCHES[1]
    query = {"type": "saved_search", "saved_search_id": search.id}
    result = run_reports(settings(emulator, [spec("webinar", {**CREATED, "query": query})]))
    data = result.outcomes[0].data
    assert data is not None
    assert data["names"]["saved_search"] == {"id": search.id, "name": search.name}


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        ("Asia/Kolkata", NOW, "5.5"),
        ("Europe/Berlin", NOW, "1"),
        ("Europe/Berlin", datetime(2026, 7, 1, 12, tzinfo=timezone.utc), "2"),
        ("America/St_Johns", NOW, "-3.5"),
    ],
)
def test_tz_offset_header(emulator: Emulator, zone: str, now: datetime, expected: str) -> None:
    zoned = spec("zoned", CREATED, timezone=zone, endpoints=("totals",))
    run = RunSettings(specs=[zoned], base_url=emulator.base_url, api_key=KEY, now=now)
    result = run_reports(run)
    assert result.failed == 0
    (request,) = posts(emulator)
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["x-tz-offset"] == expected
    data = result.outcomes[0].data
    assert data is not None and data["tz_offset"] == float(expected)


@pytest.mark.parametrize("style", ["semicolon", "separate", "legacy-nested", "legacy-flat"])
def test_429_then_success_is_not_a_failure(emulator: Emulator, style: str) -> None:
    emulator.inject(Fault.rate_limit(style=style, reset=0.2), path="/report/")
    result = run_reports(settings(emulator, [spec("limited", CREATED, endpoints=("totals",))]))
    outcome = result.outcomes[0]
    assert outcome.status == "ok", outcome.error
    assert result.stats.rate_limited == 1 and result.stats.retries == 0
    assert outcome.data is not None
    assert outcome.data["stats"]["rate_limit_wait_seconds"] >= 0.19


@pytest.mark.parametrize(
    "fault",
    [Fault.status(503), Fault.truncated_json(), Fault.delay(1.2), Fault.drop()],
    ids=["503", "truncated-json", "timeout", "dropped"],
)
def test_transient_failure_then_success(emulator: Emulator, fault: Fault) -> None:
    emulator.inject(fault, path="/report/")
    run = settings(emulator, [spec("flaky", CREATED, endpoints=("totals",))], timeout=0.5)
    result = run_reports(run, sleep=lambda seconds: None)
    outcome = result.outcomes[0]
    assert outcome.status == "ok", outcome.error
    assert outcome.data is not None and outcome.data["stats"]["retries"] == 1


def test_proactive_pacing_avoids_429s() -> None:
    """A low limit (20/s, burst 5) and 4 workers: the pacer keeps 429s to (almost) none."""
    specs = [
        spec(f"paced-{index}", {"type": "created-cohort", "cohort_datetime_range": {
            "start": f"2026-{1 + index % 9:02d}-01T00:00:00Z",
            "end": f"2026-{2 + index % 9:02d}-{1 + index // 9:02d}T00:00:00Z"}})
        for index in range(20)
    ]  # fmt: skip
    with Emulator(api_key=KEY, now=NOW, rate_limit=20, burst=5) as emu:
        result = run_reports(settings(emu, specs, jobs=4))
        refused = sum(1 for r in emu.requests if r.status == 429)
    assert result.failed == 0
    assert result.stats.requests >= 40
    assert refused <= 2, f"{refused} of {result.stats.requests} requests were refused"


def test_400_on_one_report_while_others_succeed(emulator: Emulator) -> None:
    bad = Spec(
        id="bad",
        title="Bad",
        request={**CREATED, "pipeline": "pipe_doesnotexist0000000"},
        source="specs/bad.yaml",
        locations={"/request/pipeline": Location("specs/bad.yaml", 7, 13)},
    )
    good = [spec("good-1", CREATED), spec("good-2", {**CREATED, "users": [USERS[0].id]})]
    result = run_reports(settings(emulator, [good[0], bad, good[1]]))
    by_id = {o.id: o for o in result.outcomes}
    assert by_id["good-1"].status == "ok" and by_id["good-2"].status == "ok"
    failed = by_id["bad"]
    assert failed.status == "failed" and failed.data is None
    assert failed.error is not None
    assert "specs/bad.yaml:7" in failed.error
    assert "pipeline" in failed.error and "400" in failed.error
    assert "Object does not exist" in failed.error
    (diagnostic,) = failed.diagnostics
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == ("specs/bad.yaml", 7, 13)
    assert diagnostic.pointer == "/request/pipeline"


def test_401_stops_the_run(emulator: Emulator) -> None:
    specs = [spec(f"r{index}", {**CREATED, "users": [USERS[index].id]}) for index in range(8)]
    run = RunSettings(specs=specs, base_url=emulator.base_url, api_key="wrong", now=NOW, jobs=2)
    with pytest.raises(AuthError) as caught:
        run_reports(run)
    assert "401" in str(caught.value)
    # The names look-up goes first; at most the other worker's request was already on its way.
    assert len(emulator.requests) <= 2


def test_unreachable_api_stops_the_run(closed_port: int) -> None:
    port = closed_port
    run = RunSettings(
        specs=[spec("x", CREATED)], base_url=f"http://127.0.0.1:{port}/api/v1", api_key=KEY
    )
    with pytest.raises(ApiUnreachable) as caught:
        run_reports(run, sleep=lambda seconds: None)
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_stop_event_interrupts_promptly() -> None:
    stop = threading.Event()
    with Emulator(api_key=KEY, now=NOW, latency=0.3) as emu:
        specs = [spec(f"slow-{i}", {**CREATED, "users": [USERS[i].id]}) for i in range(6)]
        timer = threading.Timer(0.2, stop.set)
        timer.start()
        with pytest.raises(Interrupted):
            run_reports(settings(emu, specs, jobs=1), stop=stop)
        timer.cancel()
        sent = len(emu.requests)
    assert sent < 6


def test_rejected_specs_and_only(emulator: Emulator) -> None:
    invalid = ReportOutcome(id="broken", title="Broken", source="specs/broken.yaml",
                            status="failed", error="invalid spec")  # fmt: skip
    specs = [spec("a", CREATED), spec("b", {**CREATED, "users": [USERS[2].id]})]
    events: list[RunEvent] = []
    result = run_reports(settings(emulator, specs, rejected=[invalid]), on_event=events.append)
    assert [o.id for o in result.outcomes] == ["broken", "a", "b"]
    assert events[0].kind == "start" and events[-1].kind == "done"
    reports = [e for e in events if e.kind == "report"]
    assert [e.done for e in reports] == [1, 2, 3] and all(e.total == 3 for e in reports)
    only = run_reports(settings(emulator, specs, rejected=[invalid], only=["b"]))
    assert [o.id for o in only.outcomes] == ["b"]
    with pytest.raises(UsageError, match="nope"):
        run_reports(settings(emulator, specs, only=["nope"]))


def test_nothing_to_fetch_makes_no_request() -> None:
    quiet = spec("quiet", CREATED, endpoints=())
    run = RunSettings(specs=[quiet], base_url="http://127.0.0.1:9/api/v1", api_key=KEY, now=NOW)
    result = run_reports(run)
    assert [o.status for o in result.outcomes] == ["ok"]
    assert result.stats.requests == 0 and result.unique_requests == 0
