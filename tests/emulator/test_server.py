"""The emulator's HTTP surface: auth, paths, GET endpoints, RateLimit headers, recording."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from reportrunner.emulator import Emulator
from reportrunner.emulator.routes import PAGE_MAX

RATELIMIT = re.compile(r"^limit=\d+, remaining=\d+, reset=\d+\.\d+$")


def _get(emu: Emulator, path: str, key: str | None = "test-key", **params: Any) -> Any:
    auth = (key, "") if key is not None else None
    return requests.get(emu.base_url + path, auth=auth, params=params, timeout=5)


def test_base_url_and_me(emulator: Emulator) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", emulator.base_url)
    response = _get(emulator, "/me/")
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["id"].startswith("user_")
    assert me["organizations"][0]["id"] == emulator.dataset.organization_id
    assert RATELIMIT.match(response.headers["RateLimit"]), response.headers


def test_wrong_key_missing_key_and_password_get_401_with_ratelimit(emulator: Emulator) -> None:
    for auth in (("wrong", ""), ("test-key", "secret"), None):
        response = requests.get(emulator.base_url + "/me/", auth=auth, timeout=5)
        assert response.status_code == 401, (auth, response.text)
        assert response.json()["error"].startswith("The server could not verify")
        assert "  You either supplied" in response.json()["error"]  # Close's double space
        assert RATELIMIT.match(response.headers["RateLimit"])


def test_unknown_paths_are_404_json(emulator: Emulator) -> None:
    for path in ("/nothing/", "/me", "/lead/"):
        response = _get(emulator, path)
        assert response.status_code == 404, path
        assert "error" in response.json()
        assert "RateLimit" in response.headers
    outside = requests.get(
        emulator.base_url.replace("/api/v1", "/other/"), auth=("test-key", ""), timeout=5
    )
    assert outside.status_code == 404
    assert "/api/v1/" in outside.json()["error"]


def test_users_paginate_with_small_pages_and_list_only_active(emulator: Emulator) -> None:
    USER_PAGE_MAX = emulator.page_size  # the suite's small pages
    seen: list[str] = []
    skip = 0
    while True:
        page = _get(emulator, "/user/", _skip=skip, _limit=USER_PAGE_MAX).json()
        assert len(page["data"]) <= USER_PAGE_MAX
        seen += [user["id"] for user in page["data"]]
        if not page["has_more"]:
            break
        skip += USER_PAGE_MAX
    active = [u.id for u in emulator.dataset.users if u.active]
    assert seen == active
    assert len(seen) > USER_PAGE_MAX  # clients really must paginate
    too_big = _get(emulator, "/user/", _limit=USER_PAGE_MAX + 1)
    assert too_big.status_code == 400
    assert "_limit" in too_big.json()["field-errors"]
    assert _get(emulator, "/user/", _skip=-1).status_code == 400


def test_deactivated_user_only_in_organization(emulator: Emulator) -> None:
    inactive = next(u for u in emulator.dataset.users if not u.active)
    assert _get(emulator, f"/user/{inactive.id}/").status_code == 404
    org = _get(emulator, f"/organization/{emulator.dataset.organization_id}/").json()
    assert [m["user_id"] for m in org["inactive_memberships"]] == [inactive.id]
    assert org["inactive_memberships"][0]["user_full_name"] == "Zoë Ødegaard"
    assert inactive.id not in [m["user_id"] for m in org["memberships"]]
    expanded = _get(
        emulator,
        f"/organization/{emulator.dataset.organization_id}/",
        _expand="inactive_memberships__user",
    ).json()
    assert expanded["inactive_memberships"][0]["user"]["first_name"] == "Zoë"


def test_groups_pipelines_statuses_saved_searches(emulator: Emulator) -> None:
    groups = _get(emulator, "/group/").json()["data"]
    assert groups and all("members" not in g for g in groups)
    one = _get(emulator, f"/group/{groups[0]['id']}/").json()
    assert one["members"] and all(m["user_id"].startswith("user_") for m in one["members"])
    pipelines = _get(emulator, "/pipeline/").json()
    assert "has_more" not in pipelines  # as in Close's documented example
    first = pipelines["data"][0]
    assert _get(emulator, f"/pipeline/{first['id']}/").json() == first
    assert {s["type"] for s in first["statuses"]} == {"active", "won", "lost"}
    statuses = _get(emulator, "/status/opportunity/").json()["data"]
    assert {s["pipeline_id"] for s in statuses} == {p.id for p in emulator.dataset.pipelines}
    searches = _get(emulator, "/saved_search/").json()["data"]
    assert [s["id"] for s in searches] == [s.id for s in emulator.dataset.saved_searches]
    assert _get(emulator, f"/saved_search/{searches[0]['id']}/").json()["name"] == "Large deals"
    assert _get(emulator, "/saved_search/save_nope/").status_code == 404
    assert _get(emulator, "/user/user_nope/").status_code == 404


def test_fields_selects_keys(emulator: Emulator) -> None:
    user = _get(emulator, "/user/", _fields="id,first_name").json()["data"][0]
    assert set(user) == {"id", "first_name"}


def test_write_methods_are_405(emulator: Emulator) -> None:
    response = requests.put(emulator.base_url + "/pipeline/", auth=("test-key", ""), timeout=5)
    assert response.status_code == 405
    report = requests.get(
        emulator.base_url + "/report/funnel/opportunity/totals/", auth=("test-key", ""), timeout=5
    )
    assert report.status_code == 405


def test_requests_are_recorded_without_authorization(emulator: Emulator) -> None:
    _get(emulator, "/me/")
    requests.post(
        emulator.base_url + "/report/funnel/opportunity/totals/",
        json={"pipeline": emulator.dataset.pipelines[0].id, "type": "created-cohort"},
        auth=("test-key", ""),
        headers={"X-TZ-Offset": "2"},
        timeout=5,
    )
    recorded = emulator.requests
    assert [(r.method, r.path, r.status) for r in recorded] == [
        ("GET", "/me/", 200),
        ("POST", "/report/funnel/opportunity/totals/", 400),
    ]
    assert all("authorization" not in r.headers for r in recorded)
    assert recorded[1].headers["x-tz-offset"] == "2"
    assert recorded[1].body["type"] == "created-cohort"
    emulator.clear_requests()
    assert emulator.requests == []


def test_keep_alive_session_reuses_connection(emulator: Emulator) -> None:
    with requests.Session() as session:
        session.auth = ("test-key", "")
        for _ in range(20):
            assert session.get(emulator.base_url + "/me/", timeout=5).status_code == 200


def test_stop_ends_idle_keep_alive_connections_promptly() -> None:
    import threading
    import time

    before = threading.active_count()
    emu = Emulator(api_key="k", seed=1).start()
    sessions = [requests.Session() for _ in range(5)]
    for session in sessions:
        assert session.get(emu.base_url + "/me/", auth=("k", ""), timeout=5).ok
    started = time.monotonic()
    emu.stop()
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 2
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() <= before, threading.enumerate()
    for session in sessions:
        session.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(emu.base_url + "/me/", auth=("k", ""), timeout=2)
    emu.stop()  # stopping twice is harmless


def test_constructor_rejects_nonsense() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        Emulator(now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="fail_rate"):
        Emulator(fail_rate=2)
    with pytest.raises(ValueError, match="api_key"):
        Emulator(api_key="")


def test_bad_content_length_is_400_and_closes_the_connection(emulator: Emulator) -> None:
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(emulator.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/report/funnel/opportunity/totals/ HTTP/1.1\r\n"
            b"Host: x\r\nContent-Length: abc\r\n\r\n"
        )
        answer = b""
        while chunk := sock.recv(4096):  # the server closes: the body's end is unknown
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer
    assert b"application/json" in head
    assert body == b'{"error": "Bad Content-Length."}'


def test_close_documented_pages_by_default() -> None:
    """Without `page_size`: `_limit` defaults to 100, the maximum is 100, above it a 400."""
    with Emulator(api_key="test-key") as emu:
        users = [u.id for u in emu.dataset.active_users]
        whole = _get(emu, "/user/").json()
        assert [u["id"] for u in whole["data"]] == users and whole["has_more"] is False
        two = _get(emu, "/user/", _limit=2).json()
        assert len(two["data"]) == 2 and two["has_more"] is True
        assert _get(emu, "/user/", _limit=PAGE_MAX).status_code == 200
        over = _get(emu, "/user/", _limit=PAGE_MAX + 1)
        assert over.status_code == 400
        assert f"between 1 and {PAGE_MAX}" in over.json()["field-errors"]["_limit"]
        searches = _get(emu, "/saved_search/", _limit=PAGE_MAX + 1)
        assert searches.status_code == 400


@pytest.mark.parametrize("size", [0, PAGE_MAX + 1])
def test_page_size_outside_its_range_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        Emulator(page_size=size)


def test_the_cli_page_maximum_is_the_emulators() -> None:
    from reportrunner.cli import emulator_cmd

    assert emulator_cmd.PAGE_MAX == PAGE_MAX
