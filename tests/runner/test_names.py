"""Id → name look-ups against the emulator: every user page, deactivated members, fallbacks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.org import GROUPS, PIPELINES, SAVED_SEARCHES, USERS
from reportrunner.errors import AuthError
from reportrunner.fetch.client import ClientSettings, CloseClient
from reportrunner.fetch.names import fetch_names

KEY = "names_test_key"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(api_key=KEY, page_size=5) as server:  # small pages: every look-up pages
        yield server


def _client(emu: Emulator, key: str = KEY) -> CloseClient:
    return CloseClient(ClientSettings(base_url=emu.base_url, api_key=key), sleep=lambda s: None)


def test_every_name_is_read_once(emu: Emulator) -> None:
    search = SAVED_SEARCHES[0]
    with _client(emu) as client:
        names = fetch_names(client, saved_search_ids=[search.id])
    assert names.problems == []
    # Every user, including the deactivated one only /organization/{id}/ knows about.
    assert names.users == {user.id: user.full_name for user in USERS}
    inactive = [user.id for user in USERS if not user.active]
    assert names.inactive_users == set(inactive)
    assert names.groups == {group.id: group.name for group in GROUPS}
    assert names.group_members[GROUPS[0].id] == list(GROUPS[0].member_ids)
    assert names.pipelines == {pipeline.id: pipeline.name for pipeline in PIPELINES}
    first = PIPELINES[0].statuses[0]
    assert names.statuses[PIPELINES[0].id][first.id].label == first.label
    assert names.saved_searches == {search.id: search.name}
    user_pages = [r for r in emu.requests if r.path.endswith("/user/")]
    assert len(user_pages) >= 2, "the emulator pages /user/; every page must be read"
    skips = [r.query.get("_skip", "0") for r in user_pages]
    assert len(set(skips)) == len(skips)


def test_missing_saved_search_falls_back_to_id(emu: Emulator) -> None:
    with _client(emu) as client:
        names = fetch_names(client, saved_search_ids=["save_doesnotexist"])
    assert names.missing_saved_searches == {"save_doesnotexist"}
    report = names.for_report(
        {"pipeline": "pipe_unknown", "query": {"saved_search_id": "save_doesnotexist"}}, {}
    )
    assert report["saved_search"] == {"id": "save_doesnotexist", "name": "save_doesnotexist"}
    assert report["pipeline"] == {"id": "pipe_unknown", "name": "pipe_unknown"}


def test_failed_lookup_is_a_problem_not_a_crash(emu: Emulator) -> None:
    emu.inject(*[Fault.status(500)] * 4, path="/group/")
    with _client(emu) as client:
        names = fetch_names(client)
    assert names.groups == {}
    assert any(problem.startswith("groups") for problem in names.problems)
    assert names.pipelines  # the rest was still read


def test_for_report_collects_users_from_request_and_responses(emu: Emulator) -> None:
    with _client(emu) as client:
        names = fetch_names(client)
    request = {"pipeline": PIPELINES[0].id, "users": [GROUPS[1].id, USERS[0].id]}
    responses = {"totals": {"base": {"data": [{"user_id": USERS[9].id}, {"user_id": "user_x"}]}}}
    report = names.for_report(request, responses)
    assert report["groups"] == {GROUPS[1].id: GROUPS[1].name}
    assert report["users"] == {
        USERS[0].id: USERS[0].full_name,
        USERS[9].id: USERS[9].full_name,  # deactivated, still named
        "user_x": "user_x",  # unknown: falls back to the id
    }
    assert report["saved_search"] is None
    assert report["pipeline"]["name"] == PIPELINES[0].name


def test_rejected_key_stops_the_lookups(emu: Emulator) -> None:
    with _client(emu, key="not-the-key") as client, pytest.raises(AuthError):
        fetch_names(client)
    assert len(emu.requests) == 1


def test_forbidden_lookup_stops_the_lookups(emu: Emulator) -> None:
    # The client sends nothing more after a 403; recording it as one look-up's problem and
    # going on would only repeat it as every later look-up's problem.
    emu.inject(Fault.status(403), path="/group/")
    with _client(emu) as client, pytest.raises(AuthError) as caught:
        fetch_names(client)
    assert caught.value.status == 403
    assert not [r for r in emu.requests if r.path.endswith("/pipeline/")]
