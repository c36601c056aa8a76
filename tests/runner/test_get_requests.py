"""GET requests with query strings (issue 12's status reports): plan key, URL, real HTTP."""

from __future__ import annotations

import time

from reportrunner.emulator import Emulator
from reportrunner.fetch.client import ClientSettings, CloseClient
from reportrunner.fetch.plan import planned_get, planned_request

PATH = "/report/statuses/lead/orga_x/"


def test_planned_get_sorts_its_query_and_prints_the_exact_url() -> None:
    one = planned_get("s", "base", PATH, {"date_start": "2026-11-01", "date_end": "2026-12-01"}, 1)
    two = planned_get("s", "base", PATH, {"date_end": "2026-12-01", "date_start": "2026-11-01"}, 1)
    assert one.key == two.key  # parameter order never makes two requests of one
    assert one.method == "GET" and one.body == {}
    assert one.target() == PATH + "?date_end=2026-12-01&date_start=2026-11-01"
    assert "Content-Type" not in one.headers() and one.headers()["X-TZ-Offset"] == "1"


def test_query_values_are_escaped_and_part_of_the_key() -> None:
    odd = planned_get("s", "base", PATH, {"query": "a&b=c d"}, 0)
    assert odd.target() == PATH + "?query=a%26b%3Dc+d"
    other = planned_get("s", "base", PATH, {"query": "a"}, 0)
    assert odd.key != other.key
    assert planned_get("s", "base", PATH, {"query": "a"}, 2).key != other.key  # offset counts


def test_a_post_is_unchanged() -> None:
    post = planned_request("totals", "base", "/report/x/", {"a": 1}, 0)
    assert post.method == "POST" and post.query is None and post.target() == "/report/x/"
    assert post.headers()["Content-Type"] == "application/json"


def test_client_sends_the_query_string_and_headers_over_http() -> None:
    with Emulator(api_key="k", seed=1) as emu:
        request = planned_get("s", "base", "/pipeline/", {"b": "2", "a": "x y"}, 5.5)
        settings = ClientSettings(base_url=emu.base_url, api_key="k")
        with CloseClient(settings, clock=time.monotonic, sleep=time.sleep) as client:
            client.get_json(
                request.path, params=dict(request.query or ()), headers=request.headers()
            )
        seen = emu.requests[-1]
    assert seen.method == "GET" and seen.path == "/pipeline/"
    assert seen.query == {"a": "x y", "b": "2"}
    headers = {k.lower(): v for k, v in seen.headers.items()}
    assert headers["x-tz-offset"] == "5.5"
