"""The Close API emulator as a real HTTP server on a loopback port, usable as a context manager.

`Emulator` owns a `ThreadingHTTPServer` (one thread per connection, HTTP/1.1 keep-alive so
clients reuse connections), the synthetic dataset, the organisation's keys and the rate
limiter behind the `RateLimit` header (one of the models of limiters.py), the queue of scripted
faults and the log of recorded requests; the request pipeline itself is `handler.Handler`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import socket
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer
from typing import Any

from reportrunner.emulator import faults, limiters
from reportrunner.emulator.dataset import Dataset, generate, with_names
from reportrunner.emulator.handler import API_PREFIX, Handler, Incoming
from reportrunner.emulator.routes import PAGE_MAX

log = logging.getLogger(__name__)

DEFAULT_API_KEY = "emulator-key"
#: The nominal limit shown in `RateLimit` when no --rate-limit is set (never enforced).
NOMINAL_RATE = 1000


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator saw it. `path` is relative to /api/v1 when under it.

    `headers` never include Authorization; `status` is 0 for a dropped connection.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 50 clients connecting at once must not overflow the backlog
    emulator: Emulator

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints tracebacks to stderr; a client hanging up mid-answer is routine.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)

    def close_open_sockets(self) -> None:
        """Wake handler threads blocked on idle keep-alive connections so they end now."""
        with self.sockets_lock:
            pending = list(self.open_sockets)
        for sock in pending:
            with contextlib.suppress(OSError):  # already closed by the peer
                sock.shutdown(socket.SHUT_RDWR)


class Emulator:
    """A running Close API emulator; use as `with Emulator(...) as emu:` (see architecture.md)."""

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        seed: int = 1,
        now: datetime | None = None,
        latency: float = 0.0,
        rate_limit: float | None = None,
        burst: int | None = None,
        fail_rate: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        names: Mapping[str, str] | None = None,
        org_seed: int | None = None,
        page_size: int = PAGE_MAX,
        limiter: str = "default",
        other_keys: Sequence[str] = (),
    ) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        # Written so that nan fails too (nan compares false with every bound).
        if not 0.0 <= fail_rate <= 1.0:
            raise ValueError(f"fail_rate must be between 0 and 1, got {fail_rate}")
        if not (latency >= 0.0 and math.isfinite(latency)):
            raise ValueError(f"latency must be a finite number >= 0 seconds, got {latency}")
        if rate_limit is not None and not (rate_limit > 0 and math.isfinite(rate_limit)):
            raise ValueError(f"rate_limit must be a finite number > 0, got {rate_limit}")
        if not 1 <= page_size <= PAGE_MAX:
            raise ValueError(f"page_size must be between 1 and {PAGE_MAX}, got {page_size}")
        # Default and maximum `_limit` of lists; small in tests so that clients paginate.
        self.page_size = page_size
        self.api_key = api_key
        self.seed = seed
        self.now = now
        self.latency = latency
        self.fail_rate = fail_rate
        self.host = host
        self.port = port
        # org_seed: another organization (other ids and names) than the documented one.
        self.dataset: Dataset = generate(seed, now, org_seed)  # checks that `now` is aware
        if names:  # display names by id, e.g. hostile strings for escaping tests
            self.dataset = with_names(self.dataset, names)
        if limiter not in limiters.LIMITERS:
            raise ValueError(
                f"unknown limiter {limiter!r}; choose one of {', '.join(limiters.LIMITERS)}"
            )
        # Every key of the organisation; each has its own limit (and `org` one shared limit).
        self.keys = frozenset([api_key, *other_keys])
        self.limiter: limiters.Limiter
        if rate_limit is None:
            if limiter != "default":
                raise ValueError(f"the {limiter} limiter needs a rate_limit")
            nominal = faults.TokenBucket(NOMINAL_RATE, NOMINAL_RATE, enforce=False)
            self.limiter = limiters.Default(nominal)
        else:
            self.limiter = limiters.build(limiter, rate_limit, burst or max(1, round(rate_limit)))
        self.faults = faults.FaultQueue()
        self.stopping = threading.Event()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle ---

    def start(self) -> Emulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self.stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"close-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        server.close_open_sockets()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- public API ---

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{API_PREFIX}"

    def inject(self, *faults_: faults.Fault, path: str | None = None) -> None:
        """Queue faults; each is consumed by one request whose path starts with `path`."""
        self.faults.push(faults_, path)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def current_time(self) -> datetime:
        """The pinned `now`, or the real current time."""
        return self.now or datetime.now(timezone.utc)

    # --- used by the handler ---

    def roll(self) -> float:
        with self._lock:
            return self._random.random()

    def record(self, request: Incoming, status: int) -> None:
        try:
            body: Any = json.loads(request.raw) if request.raw else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        safe = {k: v for k, v in request.headers.items() if k != "authorization"}
        recorded = RecordedRequest(
            request.method, request.relative, request.query, safe, body, status
        )
        with self._lock:
            self._requests.append(recorded)
