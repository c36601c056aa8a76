"""Rate-limit parsing: every wire form Close has used (the Pacer has tests/runner/test_pacer.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from reportrunner.fetch.ratelimit import (
    DEFAULT_RETRY_WAIT,
    MIN_WAIT,
    RateLimitInfo,
    parse_headers,
    parse_legacy_body,
    parse_ratelimit_header,
    parse_retry_after,
    retry_wait,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("limit=100, remaining=50, reset=5", RateLimitInfo(100, 50, 5.0)),
        ("limit=100; remaining=100; reset=1", RateLimitInfo(100, 100, 1.0)),
        ("limit=10,remaining=0,reset=0.595956", RateLimitInfo(10, 0, 0.595956)),
        ("reset=2.5; remaining=3; limit=40", RateLimitInfo(40, 3, 2.5)),
        ('limit=5, remaining=1, reset="0.4", policy="5;w=1"', RateLimitInfo(5, 1, 0.4)),
        ("LIMIT=7 ; Remaining = 2 ; RESET = 1.25", RateLimitInfo(7, 2, 1.25)),
        ("remaining=0", RateLimitInfo(None, 0, None)),
    ],
)
def test_ratelimit_header_forms(value: str, expected: RateLimitInfo) -> None:
    assert parse_ratelimit_header(value) == expected


@pytest.mark.parametrize("value", [None, "", "garbage", "limit=abc", "reset=-1", "reset=nan"])
def test_ratelimit_header_unusable(value: str | None) -> None:
    assert parse_ratelimit_header(value) is None


def test_separate_headers_case_insensitive() -> None:
    headers = {"ratelimit-limit": "100", "RateLimit-Remaining": "99", "RATELIMIT-RESET": "0.7"}
    assert parse_headers(headers) == RateLimitInfo(100, 99, 0.7)


def test_combined_header_wins_and_separate_fill_gaps() -> None:
    headers = {"RateLimit": "remaining=3, reset=1.5", "RateLimit-Limit": "20"}
    assert parse_headers(headers) == RateLimitInfo(20, 3, 1.5)
    headers = {"RateLimit": "limit=5, remaining=0, reset=0.2", "RateLimit-Remaining": "4"}
    assert parse_headers(headers) == RateLimitInfo(5, 0, 0.2)


def test_legacy_x_rate_limit_headers() -> None:
    headers = {
        "X-Rate-Limit-Limit": "600",
        "X-Rate-Limit-Remaining": "599",
        "X-Rate-Limit-Reset": "14.51",
    }
    assert parse_headers(headers) == RateLimitInfo(600, 599, 14.51)


def test_no_rate_limit_headers() -> None:
    assert parse_headers({"Content-Type": "application/json"}) is None


def test_retry_after_seconds_and_date() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    now = datetime(2026, 11, 30, 9, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Mon, 30 Nov 2026 09:00:07 GMT", now=now) == 7.0
    assert parse_retry_after("Mon, 30 Nov 2026 08:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": {"rate_reset": 1, "message": "API call count exceeded"}}, 1.0),
        ({"error": {"rate_reset": "0.870663"}}, 0.870663),
        ({"rate_reset": "0.595956", "rate_limit": 320, "rate_window": 8}, 0.595956),
        ({"rate_reset": 2.25}, 2.25),
        ({"error": "The server could not verify"}, None),
        ({"error": {"rate_reset": "later"}}, None),
        ([1, 2], None),
        (None, None),
    ],
)
def test_legacy_body(body: object, expected: float | None) -> None:
    assert parse_legacy_body(body) == expected


def test_retry_wait_prefers_exhausted_ratelimit_header() -> None:
    headers = {"RateLimit": "limit=10; remaining=0; reset=0.35", "Retry-After": "1"}
    assert retry_wait(headers) == pytest.approx(0.35)


def test_retry_wait_other_limit_uses_body_then_retry_after() -> None:
    # remaining > 0: a stricter limit was hit; the header's reset is about another limit.
    headers = {"RateLimit": "limit=100, remaining=40, reset=9", "Retry-After": "2"}
    assert retry_wait(headers, {"error": {"rate_reset": 0.8}}) == pytest.approx(0.8)
    assert retry_wait(headers) == 2.0


def test_retry_wait_fallbacks() -> None:
    assert retry_wait({"RateLimit-Reset": "1.5"}) == 1.5
    assert retry_wait({}) == DEFAULT_RETRY_WAIT
    assert retry_wait({"Retry-After": "0"}) == MIN_WAIT
