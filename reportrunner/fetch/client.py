"""CloseClient: every HTTP call to Close goes through here, with its retries and error mapping.

One `requests.Session` per worker thread (sessions are not guaranteed thread-safe), Basic auth
with the key as user and an empty password, and every call bounded by `bounded.send`: an
overall deadline (`timeout`, connect to last byte) and a cap on the decoded answer. Transient
trouble (5xx, dropped connections, the deadline, a 200 whose body is not JSON) is retried with
exponential backoff and jitter, `max_attempts` times in all; an oversized answer is not. A 429
waits what Close announces (at least `ratelimit.MIN_WAIT`) and retries without counting as a
failure, shared with every worker through the `Pacer`, at most `max_rate_limited` times per
request and within a per-report wait budget. What cannot be
retried becomes one exception from `reportrunner.errors`: `RequestRejected` (400/404: this
report fails), `AuthError` (401/403: the run stops), `ApiUnreachable` (no connection at all:
the run stops) or `ApiError`. Messages carry the URL without credentials and never the key.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from reportrunner import __version__
from reportrunner.errors import ApiError, AuthError
from reportrunner.fetch import bounded
from reportrunner.fetch.answers import (
    RequestRejected,
    auth_error,
    describe,
    excerpt,
    give_up,
    is_unreachable,
    json_or_none,
    rejected,
    safe_url,
)
from reportrunner.fetch.apikey import emulator_key, key_problem, split_keys
from reportrunner.fetch.bounded import AnswerTooLarge, DeadlineExceeded
from reportrunner.fetch.callstats import CallStats, WaitBudget
from reportrunner.fetch.ratelimit import (
    Pacer,
    RateLimitInfo,
    WaitTooLong,
    parse_headers,
    retry_wait,
    scope_of,
)
from reportrunner.redact import register_secret

__all__ = [
    "CallStats",
    "ClientSettings",
    "CloseClient",
    "RequestRejected",
    "WaitBudget",
    "emulator_key",
    "key_problem",
    "safe_url",
]

USER_AGENT = f"reportrunner/{__version__}"


@dataclass(frozen=True)
class ClientSettings:
    """How to reach Close and how patient to be. `api_key` never appears in a repr."""

    base_url: str
    api_key: str = field(repr=False)
    timeout: float = 60.0  # overall deadline of one request, connect to last byte, seconds
    connect_timeout: float = 10.0
    max_answer_bytes: int = bounded.DEFAULT_MAX_BYTES  # decoded
    max_attempts: int = 4  # failures (not 429s) before a request gives up
    max_rate_limited: int = 30  # 429 answers before a request gives up (docs/running.md)
    max_rate_limit_wait: float = 600.0  # per report
    backoff_base: float = 0.5
    backoff_cap: float = 30.0


class CloseClient:
    """Thread-safe client: call `post_json`/`get_json` from any number of worker threads."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        pacer: Pacer | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        # Registered here, not only by the CLI: used from Python, a server echoing the key in
        # an error body must not put it into exception texts or report errors either.
        register_secret(settings.api_key)
        #: Several keys of one organisation (commas or whitespace between them): each is
        #: paced apart, and all of them against the organisation's shared limit once an
        #: answer shows it (pacer.py), so keys beyond what it allows add nothing, not 429s.
        self.keys = split_keys(settings.api_key)
        self._active = list(range(len(self.keys)))
        self.settings = settings
        self._bounds = bounded.Bounds(
            deadline=settings.timeout,
            max_bytes=settings.max_answer_bytes,
            connect_timeout=settings.connect_timeout,
        )
        self.base_url = settings.base_url.rstrip("/")
        self.pacer = pacer or Pacer(clock=clock, sleep=sleep)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.stats = CallStats()  # whole-client totals
        #: Set by a 401/403 on the last usable key: from then on no thread sends anything.
        self._rejected_key: AuthError | None = None
        self.warnings: list[str] = []  # keys dropped on the way (never their values)

    # -- sessions -------------------------------------------------------------------------
    def _session(self, key: int = 0) -> requests.Session:
        sessions: dict[int, requests.Session] | None = getattr(self._local, "sessions", None)
        if sessions is None:
            sessions = self._local.sessions = {}
        session = sessions.get(key)
        if session is None:
            session = bounded.new_session()
            session.auth = (self.keys[key], "")
            session.headers["User-Agent"] = USER_AGENT
            session.headers["Accept"] = "application/json"
            sessions[key] = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _usable_keys(self) -> tuple[str, ...]:
        """The pacer's names of the keys not rejected: their positions, as text.

        Every key is used: the pacer holds them all to the organisation's limit once it has
        shown itself, so no number of keys has to be assumed (close-api.md §4 says 3x a
        key's, as an example).
        """
        with self._lock:
            return tuple(str(k) for k in self._active)

    def _drop_key(self, key: int, error: AuthError) -> bool:
        """Stop using a rejected key if another one remains; False when it was the last."""
        with self._lock:
            if key in self._active and len(self._active) > 1:
                self._active.remove(key)
                self.warnings.append(
                    f"key {key + 1} of {len(self.keys)} in CLOSE_API_KEY was rejected "
                    f"({error.status}); the run goes on with the other keys"
                )
                return True
            return key not in self._active and bool(self._active)

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def __enter__(self) -> CloseClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public calls ---------------------------------------------------------------------
    def post_json(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        stats: CallStats | None = None,
        budget: WaitBudget | None = None,
    ) -> Any:
        """POST a JSON body and return the parsed JSON answer (report POSTs are read-only)."""
        return self._call("POST", path, body=body, headers=headers, stats=stats, budget=budget)

    def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        stats: CallStats | None = None,
        budget: WaitBudget | None = None,
    ) -> Any:
        """GET a resource and return the parsed JSON answer."""
        return self._call("GET", path, params=params, headers=headers, stats=stats, budget=budget)

    # -- the retry loop -------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        stats: CallStats | None = None,
        budget: WaitBudget | None = None,
    ) -> Any:
        url = self.base_url + path
        shown = safe_url(url)
        local = CallStats()
        budget = budget or WaitBudget(self.settings.max_rate_limit_wait)
        failures = 0
        only_unreachable = True
        try:
            while True:
                self._stop_if_key_rejected()
                group = scope_of(path)
                key = self._wait_for_pacer(budget, local, shown, group)
                if self._rejected_key is not None:  # rejected while this thread waited
                    self.pacer.release(None)
                    self._stop_if_key_rejected()
                local.requests += 1
                try:
                    response = bounded.send(
                        self._session(key),
                        method,
                        url,
                        bounds=self._bounds,
                        json=dict(body) if body is not None else None,
                        params=dict(params) if params is not None else None,
                        headers=dict(headers) if headers else None,
                    )
                except AnswerTooLarge as exc:
                    self.pacer.release(None)
                    # The same request gets the same answer: retrying would only repeat it.
                    raise ApiError(
                        f"{method} {shown}: {exc}; it was not read further",
                        url=shown,
                        hint="narrow the report (fewer users or groups per request) or check "
                        "CLOSE_API_URL: Close's report answers are far smaller.",
                    ) from None
                except DeadlineExceeded as exc:
                    self.pacer.release(None)
                    only_unreachable = False
                    problem = str(exc)
                except requests.RequestException as exc:
                    self.pacer.release(None)
                    only_unreachable = only_unreachable and is_unreachable(exc)
                    problem = describe(exc)
                else:
                    refused = response.status_code == 429
                    # An answer without any RateLimit header still tells the pacer it got through.
                    info = parse_headers(response.headers) or RateLimitInfo()
                    self.pacer.release(info, refused=refused)
                    try:
                        outcome = self._judge(method, response, shown, local, budget)
                    except AuthError as error:
                        if response.status_code == 401 and self._drop_key(key, error):
                            continue  # another key takes this request
                        self._rejected_key = error
                        raise
                    if outcome is _RETRY_NOW:
                        continue
                    if not isinstance(outcome, _Transient):
                        return outcome
                    only_unreachable = False
                    problem = outcome.problem
                failures += 1
                if failures >= self.settings.max_attempts:
                    raise give_up(method, shown, problem, failures, only_unreachable)
                local.retries += 1
                self._sleep(self._backoff(failures))
        finally:
            with self._lock:
                self.stats.add(local)
            if stats is not None:
                stats.add(local)

    def _stop_if_key_rejected(self) -> None:
        first = self._rejected_key
        if first is not None:
            raise AuthError(first.message, url=first.url, status=first.status, hint=first.hint)

    def _wait_for_pacer(self, budget: WaitBudget, local: CallStats, shown: str, group: str) -> int:
        """Wait for a send slot of whichever usable key frees one first; that key's position."""
        try:
            name, waited = self.pacer.acquire_any(
                self._usable_keys(), group=group, max_wait=budget.remaining
            )
        except WaitTooLong as exc:
            local.rate_limit_wait += exc.waited
            budget.charge(exc.waited)
            raise ApiError(
                f"gave up on {shown}: Close's rate limit would need another {exc.needed:.0f} s "
                f"of waiting, beyond the {budget.limit:.0f} s allowed per report",
                url=shown,
                status=429,
                hint="run fewer reports at once, spread the schedule, or raise the wait limit.",
            ) from None
        local.rate_limit_wait += waited
        budget.charge(waited)
        return int(name)

    def _backoff(self, failures: int) -> float:
        """Exponential backoff with full jitter in [0.5, 1.5) of the nominal delay."""
        nominal = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** (failures - 1))
        return float(nominal * (0.5 + self._rng.random()))

    def _judge(
        self,
        method: str,
        response: requests.Response,
        shown: str,
        local: CallStats,
        budget: WaitBudget,
    ) -> Any:
        """The parsed answer, `_RETRY_NOW` after a 429, a `_Transient` failure, or raise."""
        status = response.status_code
        if 200 <= status < 300:
            if status == 204 or not response.content:
                return {}
            try:
                return response.json()
            except ValueError:
                # Truncated or HTML body with a 200: a proxy or a cut connection; retry.
                return _Transient(f"a {status} answer whose body is not valid JSON")
        if status == 429:
            local.rate_limited += 1
            if local.rate_limited >= self.settings.max_rate_limited:
                raise ApiError(
                    f"gave up on {shown}: Close answered 429 Too Many Requests "
                    f"{local.rate_limited} times for this request",
                    url=shown,
                    status=429,
                    body=excerpt(response),
                    hint="another client may be using the same key's limit; spread the "
                    "schedule or run fewer reports at once.",
                )
            wait = retry_wait(response.headers, json_or_none(response))
            if wait > budget.remaining:
                raise ApiError(
                    f"gave up on {shown}: Close kept answering 429 Too Many Requests; waiting "
                    f"another {wait:.0f} s would exceed the {budget.limit:.0f} s allowed per "
                    "report",
                    url=shown,
                    status=429,
                    body=excerpt(response),
                    hint="run fewer reports at once, spread the schedule, or raise the wait limit.",
                )
            self.pacer.hold(wait)
            return _RETRY_NOW
        if status in (401, 403):
            raise auth_error(response, shown)
        if status >= 500:
            return _Transient(f"Close answered {status} {response.reason or ''}".rstrip())
        raise rejected(method, response, shown)


@dataclass(frozen=True)
class _Transient:
    problem: str


_RETRY_NOW = object()
