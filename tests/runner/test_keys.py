"""Several API keys in CLOSE_API_KEY: parsing, redaction, and the client spreading requests
over them against the emulator's per-key + organisation limiter (real HTTP)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from reportrunner.cli._env import key_and_url_from_env
from reportrunner.emulator import Emulator
from reportrunner.emulator.org import PIPELINES
from reportrunner.errors import AuthError, ConfigError
from reportrunner.fetch.apikey import split_keys
from reportrunner.fetch.client import ClientSettings, CloseClient
from reportrunner.fetch.pacer import SHARED
from reportrunner.redact import redact

TOTALS = "/report/funnel/opportunity/totals/"
BODY = {"pipeline": PIPELINES[0].id, "type": "created-cohort", "cohort_relative_range": "all-time"}
FIRST, SECOND = "api_firstKEY01", "api_secondKEY2"


@pytest.mark.parametrize(
    "raw",
    [f"{FIRST},{SECOND}", f"{FIRST}, {SECOND}", f" {FIRST}\n{SECOND}\n", f"{FIRST}\t{SECOND}"],
)
def test_commas_and_whitespace_separate_keys(raw: str) -> None:
    assert split_keys(raw) == (FIRST, SECOND)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (f"{FIRST},,{SECOND}", "key 2 of 3 is empty"),
        (f"{FIRST},", "key 2 of 2 is empty"),
        (f"{FIRST},{SECOND},{FIRST}", "key 3 of 3 repeats key 1"),
        (f"{FIRST},{SECOND}\u2026", "key 2 of 2 cannot be sent in an HTTP header"),
    ],
)
def test_bad_key_lists_name_the_position_never_the_value(raw: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        split_keys(raw, source="CLOSE_API_KEY")
    text = str(caught.value) + (caught.value.hint or "")
    assert message in text
    assert FIRST not in text and SECOND not in text


def test_every_key_from_the_environment_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOSE_API_KEY", f"{FIRST}\n{SECOND}")
    keys, _ = key_and_url_from_env("http://x", needed_for="test", hint="")
    assert keys == f"{FIRST},{SECOND}"
    assert FIRST not in redact(f"a {FIRST}") and SECOND not in redact(f"b {SECOND}")


def _post_many(client: CloseClient, count: int, jobs: int) -> list[object]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda _: client.post_json(TOTALS, BODY), range(count)))


def _org_run(keys: list[str], count: int, jobs: int) -> tuple[CloseClient, dict[str, int]]:
    """`count` reports over `keys` against the org limiter (per key 4/s, burst 2; the
    organisation 12/s, burst 6); returns the client and the requests each key got through."""
    with Emulator(
        api_key=keys[0], other_keys=keys[1:], rate_limit=4, burst=2, limiter="org", latency=0.02
    ) as emu:
        settings = ClientSettings(base_url=emu.base_url, api_key=",".join(keys))
        with CloseClient(settings) as client:
            answers = _post_many(client, count, jobs)
        carried = dict(emu.limiter.admitted)  # type: ignore[attr-defined]
    assert len(answers) == count
    return client, carried


def test_two_keys_share_the_load() -> None:
    client, carried = _org_run([FIRST, SECOND], 24, jobs=6)
    assert len(carried) == 2 and min(carried.values()) >= 8, carried  # both carry a share
    # Each key's first burst can draw a 429 before an answer has shown the shared limit.
    assert client.stats.rate_limited <= 3, client.stats


@pytest.mark.slow
def test_a_fourth_key_is_held_to_the_org_limit_without_429s() -> None:
    keys = [f"api_orgKEY{n}x" for n in range(1, 5)]
    client, carried = _org_run(keys, 60, jobs=12)
    # Four keys could send 16/s; the organisation admits 12/s. Paced against the shared
    # limit it learned from the answers (limit=6 above a key's 2), next to none is refused:
    # only at the start, before any answer has shown the shared limit, can the four keys'
    # reserves (8) overrun the organisation's (6).
    # On a quiet machine 0-3 of ~63 requests are refused; on a loaded one (load 12, the
    # answers' timing jitters) 5-17 were (BENCHMARKS.md). The bound catches a storm — a client
    # that ignored the shared limit, or one burst of 35 refusals seen once in 14 quiet runs —
    # without failing on the load of the machine the tests run on.
    assert len(carried) == 4
    assert client.stats.rate_limited <= 20, client.stats
    assert client.pacer.estimated_rate(SHARED) is not None


def test_requests_spread_over_both_keys_within_each_keys_limit() -> None:
    with Emulator(
        api_key=FIRST, other_keys=[SECOND], rate_limit=4, burst=4, limiter="org", latency=0.02
    ) as emu:
        settings = ClientSettings(base_url=emu.base_url, api_key=f"{FIRST},{SECOND}")
        with CloseClient(settings) as client:
            answers = _post_many(client, 16, jobs=4)
        buckets = emu.limiter._keys._buckets  # type: ignore[attr-defined]
    assert len(answers) == 16
    assert set(buckets) == {FIRST, SECOND}  # both keys carried requests
    # 16 requests at 4/s with a burst of 4 per key: paced, next to no 429s.
    assert client.stats.rate_limited <= 2, client.stats


def test_a_rejected_key_is_dropped_and_the_others_go_on() -> None:
    with Emulator(api_key=SECOND, latency=0.01) as emu:
        settings = ClientSettings(base_url=emu.base_url, api_key=f"{FIRST},{SECOND}")
        with CloseClient(settings) as client:
            answers = _post_many(client, 6, jobs=2)
    assert len(answers) == 6
    assert client.warnings == [
        "key 1 of 2 in CLOSE_API_KEY was rejected (401); the run goes on with the other keys"
    ]


def test_when_every_key_is_rejected_the_run_stops() -> None:
    with Emulator(api_key="api_onlyRealKey", latency=0.01) as emu:
        settings = ClientSettings(base_url=emu.base_url, api_key=f"{FIRST},{SECOND}")
        with CloseClient(settings) as client, pytest.raises(AuthError) as caught:
            client.post_json(TOTALS, BODY)
    assert FIRST not in str(caught.value) and SECOND not in str(caught.value)
    assert caught.value.status == 401
