"""Every request bounded: an overall deadline (connect to last byte) and a decoded-size cap.

Issue 10, item 4, over real HTTP: the emulator's wire faults drip a body one byte every 0.5 s,
stall mid-headers or mid-body, send an oversized body, a gzip bomb, an endless chunked body or
a Content-Length that lies. Each must end within the deadline (hang guards are 10x that), be
refused without holding more than the cap in memory, and name what happened. The same reader
serves --history-from URLs, tried here with the same faults.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator

import pytest
import requests

from reportrunner.emulator import Emulator, Fault
from reportrunner.errors import ApiError
from reportrunner.fetch import bounded, earlier
from reportrunner.fetch.client import ClientSettings, CloseClient

KEY = "bounded-key"
DEADLINE = 1.0
HANG_GUARD = 10 * DEADLINE  # per attempt; normal is DEADLINE


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(api_key=KEY) as running:
        yield running


def _client(emu: Emulator, *, attempts: int = 2, deadline: float = DEADLINE) -> CloseClient:
    return CloseClient(
        ClientSettings(
            base_url=emu.base_url,
            api_key=KEY,
            timeout=deadline,
            max_attempts=attempts,
        ),
        sleep=lambda seconds: None,  # backoff costs no real time; deadlines stay real
    )


STALLS = {
    "drip one byte every 0.5 s": Fault.drip(0.5),
    "stall mid-headers": Fault.stall_headers(30),
    "stall mid-body": Fault.stall_body(30),
}


@pytest.mark.parametrize("name", list(STALLS))
def test_a_slow_server_is_cut_at_the_deadline_and_retried_within_the_cap(
    emu: Emulator, name: str
) -> None:
    emu.inject(STALLS[name], STALLS[name], path="/me/")
    started = time.monotonic()
    with _client(emu) as client, pytest.raises(ApiError) as caught:
        client.get_json("/me/")
    seconds = time.monotonic() - started
    assert seconds < 2 * HANG_GUARD, f"{name}: {seconds:.1f} s for two attempts"
    assert f"no answer within the timeout ({DEADLINE:g} s," in str(caught.value)
    assert "failed after 2 attempts" in str(caught.value)
    assert len(emu.requests) == 2, "one request per attempt, no more"


def test_a_slow_answer_then_a_good_one_succeeds(emu: Emulator) -> None:
    emu.inject(Fault.drip(0.5), path="/me/")
    with _client(emu) as client:
        assert client.get_json("/me/")["id"]
    assert len(emu.requests) == 2


TOO_LARGE = {
    "plain oversized body": Fault.oversized(40 << 20),
    "gzip bomb, 256 MiB inflated": Fault.gzip_bomb(256 << 20),
    "endless chunked body": Fault.endless(),
    "Content-Length that lies (1 TiB)": Fault.lying_length(1 << 40),
}


@pytest.mark.parametrize("name", list(TOO_LARGE))
def test_an_oversized_answer_is_refused_once_without_holding_it(emu: Emulator, name: str) -> None:
    emu.inject(TOO_LARGE[name], path="/me/")
    tracemalloc.start()
    try:
        # A generous deadline: the emulator compresses the bomb first (about a second, slower
        # under tracemalloc), and this test is about the size, not the time.
        with _client(emu, attempts=4, deadline=60) as client, pytest.raises(ApiError) as caught:
            client.get_json("/me/")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"larger than {bounded.DEFAULT_MAX_BYTES} bytes, the limit" in str(caught.value), name
    assert len(emu.requests) == 1, f"{name}: an oversized answer is not retried"
    # The body is held at most once (plus the chunk being decoded), never inflated in full.
    assert peak < 2 * bounded.DEFAULT_MAX_BYTES, f"{name}: peak {peak:,} bytes"


def test_the_cap_counts_decoded_bytes_and_small_gzip_answers_decode(emu: Emulator) -> None:
    session = bounded.new_session()
    emu.inject(Fault.gzip_bomb(1000), Fault.gzip_bomb(1001), path="/me/")
    limits = bounded.Bounds(deadline=DEADLINE, max_bytes=1000)
    answer = bounded.send(session, "GET", emu.base_url + "/me/", bounds=limits)
    assert answer.content == bytes(1000)  # exactly at the cap: accepted, decoded
    with pytest.raises(bounded.AnswerTooLarge):
        bounded.send(session, "GET", emu.base_url + "/me/", bounds=limits)


def test_a_short_body_under_a_lying_length_is_a_retried_transient(emu: Emulator) -> None:
    emu.inject(Fault.lying_length(5000), Fault.lying_length(5000), path="/me/")
    with _client(emu) as client, pytest.raises(ApiError) as caught:
        client.get_json("/me/")
    assert "failed after 2 attempts" in str(caught.value)
    assert len(emu.requests) == 2


HISTORY_FAULTS = {
    "drip": Fault.drip(0.5),
    "stall mid-headers": Fault.stall_headers(30),
    "gzip bomb": Fault.gzip_bomb(64 << 20),
    "endless": Fault.endless(),
}


@pytest.mark.parametrize("name", list(HISTORY_FAULTS))
def test_history_urls_use_the_same_bounds(
    emu: Emulator, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sized = name in ("gzip bomb", "endless")
    # The size cases get time to spare: the emulator compresses the bomb first.
    monkeypatch.setattr(earlier, "TIMEOUT", (DEADLINE, 30.0 if sized else DEADLINE))
    site = f"http://127.0.0.1:{emu.port}/site/"
    emu.inject(HISTORY_FAULTS[name], path="/site/manifest.json")
    started = time.monotonic()
    loaded = earlier.read_url(site, ["a"])
    assert time.monotonic() - started < (60 if sized else HANG_GUARD), name
    assert loaded.snapshots == {}
    (warning,) = loaded.warnings
    assert "could not read" in warning and "manifest.json" in warning, warning
    expected = "larger than" if sized else "no answer within the timeout"
    assert expected in warning, warning


def test_redirects_are_followed_within_bounds_and_never_carry_the_key_away(
    emu: Emulator,
) -> None:
    with Emulator(api_key="other") as elsewhere:
        with _client(emu) as client:
            emu.inject(Fault.status(302, "", headers={"Location": "/api/v1/me/"}), path="/me/")
            assert client.get_json("/me/")["id"]  # followed, with the key, to the same server
            away = Fault.status(302, "", headers={"Location": elsewhere.base_url + "/me/"})
            emu.inject(away, path="/me/")
            with pytest.raises(ApiError, match="302"):
                client.get_json("/me/")  # another host: not followed, the key stays here
        assert elsewhere.requests == []
        # Without credentials (a history URL), a redirect to another host is followed.
        session = bounded.new_session()
        emu.inject(Fault.status(301, "", headers={"Location": elsewhere.base_url + "/x/"}))
        answer = bounded.send(session, "GET", emu.base_url + "/x/", bounds=bounded.Bounds(5))
        assert answer.status_code == 401 and [r.path for r in elsewhere.requests] == ["/x/"]
        loop = Fault.status(302, "", headers={"Location": "/api/v1/loop/"})
        emu.inject(*[loop] * 10, path="/loop/")
        with pytest.raises(requests.TooManyRedirects):
            bounded.send(session, "GET", emu.base_url + "/loop/", bounds=bounded.Bounds(5))
