"""Close's rate-limit signals, parsed, and one shared `Pacer` that keeps every worker under them.

Close announces its limits in several shapes over the years (close-api.md §4): the RFC-draft
`RateLimit: limit=100, remaining=50, reset=5` header (live servers separate with `;`, and
`reset` is a decimal), the separate `RateLimit-Limit/-Remaining/-Reset` headers, `Retry-After`
(whole seconds or an HTTP date) and the deprecated JSON body `rate_reset` (flat or nested under
`error`, a number or a string). urllib3's `Retry` understands none of the decimal forms, so this
module parses them all, and the `Pacer` turns them into waiting: when the announced `remaining`
reaches zero every worker waits for `reset` instead of collecting 429s. Clock and sleep are
injected so tests never wait for real.
"""

from __future__ import annotations

import email.utils
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

#: Used when a 429 carries no usable hint at all (Close promises one, but be safe).
DEFAULT_RETRY_WAIT = 2.0
#: Never spin: a 429 that says "reset=0", `Retry-After: 0` or a date in the past still waits
#: this long before the retry (Close's own decimal resets are rarely below it). With the
#: client's cap on 429s per request, a server saying "now" forever costs a few seconds.
MIN_WAIT = 0.25
#: How often a waiting worker looks again while the pacer waits for an answer to learn from.
ANSWER_POLL = 0.01
#: Answers remembered to judge which of them the server counted after a given one.
RECENT_ANSWERS = 256

_PAIR = re.compile(r"^\s*([A-Za-z_-]+)\s*=\s*\"?([^\"]*?)\"?\s*$")


@dataclass(frozen=True)
class RateLimitInfo:
    """One response's view of the limit closest to being hit; any field may be unknown."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # seconds until the window ends (decimal)


def _number(text: Any) -> float | None:
    """A finite, non-negative number from an int, float or numeric string; None otherwise."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    elif isinstance(text, str):
        try:
            value = float(text.strip())
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value


def _integer(text: Any) -> int | None:
    value = _number(text)
    return int(value) if value is not None else None


def parse_ratelimit_header(value: str | None) -> RateLimitInfo | None:
    """Parse `limit=100, remaining=50, reset=5` with `,` or `;` separators (any order).

    Unknown keys (such as a `policy` parameter) are ignored; None when nothing is usable.
    """
    if not value:
        return None
    fields: dict[str, str] = {}
    for part in re.split(r"[,;]", value):
        match = _PAIR.match(part)
        if match:
            fields[match.group(1).lower()] = match.group(2)
    info = RateLimitInfo(
        limit=_integer(fields.get("limit")),
        remaining=_integer(fields.get("remaining")),
        reset=_number(fields.get("reset")),
    )
    return None if info == RateLimitInfo() else info


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header look-up that also works on a plain dict."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, item in headers.items():
        if key.lower() == lowered:
            return item
    return None


def parse_headers(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """The rate-limit state announced by a response's headers.

    The combined `RateLimit` header wins; the separate `RateLimit-*` (and the pre-2023
    `X-Rate-Limit-*`) headers fill whatever it leaves unknown.
    """
    combined = parse_ratelimit_header(_header(headers, "RateLimit")) or RateLimitInfo()
    limit, remaining, reset = combined.limit, combined.remaining, combined.reset
    for prefix in ("RateLimit-", "X-Rate-Limit-"):
        if limit is None:
            limit = _integer(_header(headers, prefix + "Limit"))
        if remaining is None:
            remaining = _integer(_header(headers, prefix + "Remaining"))
        if reset is None:
            reset = _number(_header(headers, prefix + "Reset"))
    info = RateLimitInfo(limit=limit, remaining=remaining, reset=reset)
    return None if info == RateLimitInfo() else info


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: delta-seconds (decimals tolerated) or an HTTP date."""
    if value is None or not value.strip():
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        moment = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (moment - current).total_seconds())


def parse_legacy_body(body: Any) -> float | None:
    """`rate_reset` from the deprecated 429 body: `{"error": {"rate_reset": 1}}` or flat."""
    if not isinstance(body, dict):
        return None
    nested = body.get("error")
    if isinstance(nested, dict) and "rate_reset" in nested:
        return _number(nested["rate_reset"])
    return _number(body.get("rate_reset"))


def retry_wait(headers: Mapping[str, str], body: Any = None) -> float:
    """How long to wait after a 429 before trying again, from every hint the answer carries.

    A `RateLimit` header that says `remaining=0` is the most precise (decimal reset). When it
    describes some other limit (remaining > 0: a stricter, unannounced limit was hit), Close
    says only `rate_reset` and `Retry-After` are meaningful, so those come next.
    """
    info = parse_headers(headers)
    candidates: list[float | None] = []
    if info is not None and info.remaining == 0:
        candidates.append(info.reset)
    candidates.append(parse_legacy_body(body))
    candidates.append(parse_retry_after(_header(headers, "Retry-After")))
    if info is not None:
        candidates.append(info.reset)
    for candidate in candidates:
        if candidate is not None:
            return max(candidate, MIN_WAIT)
    return DEFAULT_RETRY_WAIT


def scope_of(path: str) -> str:
    """The endpoint group a request counts against (Close may limit each apart, §4): the
    report endpoints, or the look-ups. `path` is relative to the API base."""
    return "reports" if path.lstrip("/").startswith("report/") else "lookups"


# The pacer lives in pacer.py; these names stay importable from here.
from reportrunner.fetch.pacer import Pacer, WaitTooLong  # noqa: E402

__all__ = [
    "DEFAULT_RETRY_WAIT",
    "MIN_WAIT",
    "Pacer",
    "RateLimitInfo",
    "WaitTooLong",
    "parse_headers",
    "parse_legacy_body",
    "parse_ratelimit_header",
    "parse_retry_after",
    "retry_wait",
    "scope_of",
]
