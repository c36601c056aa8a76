"""The Close API emulator as a real HTTP server on a loopback port, usable as a context manager.

`Emulator` owns a `ThreadingHTTPServer` (one thread per connection, HTTP/1.1 keep-alive so
clients reuse connections), the synthetic dataset, the per-key token bucket behind the
`RateLimit` header, the queue of scripted faults and the log of recorded requests. Requests go
through one pipeline in `_Handler.handle_any`: scripted fault → latency → random 503
(`fail_rate`) → rate limit → authentication → route. Every answer carries `RateLimit`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import random
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from reportrunner.emulator import faults, reports, routes
from reportrunner.emulator.dataset import Dataset, generate

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
DEFAULT_API_KEY = "emulator-key"
#: The nominal limit shown in `RateLimit` when no --rate-limit is set (never enforced).
NOMINAL_RATE = 1000

UNAUTHORIZED = (
    "The server could not verify that you are authorized to access the URL requested.  You "
    "either supplied the wrong credentials (e.g. a bad password), or your browser doesn't "
    "understand how to supply the credentials required."
)
REPORT_PATHS = {
    "/report/funnel/opportunity/totals/": "totals",
    "/report/funnel/opportunity/stages/": "stages",
}


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


@dataclass
class _Reply:
    status: int
    content_type: str
    payload: bytes
    headers: dict[str, str]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 50 clients connecting at once must not overflow the backlog
    emulator: Emulator

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_open_sockets(self) -> None:
        """Wake handler threads blocked on idle keep-alive connections so they end now."""
        with self.sockets_lock:
            pending = list(self.open_sockets)
        for sock in pending:
            with contextlib.suppress(OSError):  # already closed by the peer
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60  # an idle keep-alive connection is closed after a minute
    # Headers and body go out in separate writes; with Nagle's algorithm on, the client's
    # delayed ACK would add ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.handle_any("GET")

    def do_POST(self) -> None:
        self.handle_any("POST")

    def do_PUT(self) -> None:
        self.handle_any("PUT")

    def do_DELETE(self) -> None:
        self.handle_any("DELETE")

    def do_PATCH(self) -> None:
        self.handle_any("PATCH")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def handle_any(self, method: str) -> None:
        emu = self.server.emulator
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        path = split.path
        relative = path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        key = _basic_user(headers.get("authorization"))
        fault = emu.faults.take(path)
        if fault is not None and fault.kind == "delay":
            emu.stopping.wait(fault.seconds)
            fault = None
        if fault is not None and fault.kind == "drop":
            emu.record(method, relative, query, headers, raw, 0)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if emu.latency:
            emu.stopping.wait(emu.latency)
        reply = self.route(emu, method, path, relative, query, headers, raw, key, fault)
        emu.record(method, relative, query, headers, raw, reply.status)
        self.send(reply)

    def route(
        self,
        emu: Emulator,
        method: str,
        path: str,
        relative: str,
        query: dict[str, str],
        headers: dict[str, str],
        raw: bytes,
        key: str | None,
        fault: faults.Fault | None,
    ) -> _Reply:
        state = emu.bucket.acquire(key or "")
        limit_header = {
            "RateLimit": faults.ratelimit_header(state.limit, state.remaining, state.reset)
        }
        if fault is not None and fault.kind == "rate_limit":
            extra, body = faults.rate_limited_response(fault.style, state.limit, fault.reset)
            return _Reply(429, reports.JSON_TYPE, reports.dump(body), extra)
        if fault is not None and fault.kind == "status":
            return _fault_status(fault, limit_header)
        if fault is not None and fault.kind == "html":
            page = (
                f"<html><head><title>{fault.code} Error</title></head><body>"
                f"<h1>{fault.code} Error</h1><p>The server encountered a temporary error."
                "</p></body></html>"
            )
            return _Reply(fault.code, "text/html; charset=utf-8", page.encode(), limit_header)
        if emu.fail_rate and emu.roll() < emu.fail_rate:
            body = {"error": "Service temporarily unavailable, please retry."}
            return _Reply(503, reports.JSON_TYPE, reports.dump(body), limit_header)
        if not state.allowed:
            extra = {**limit_header, "Retry-After": faults.retry_after(state.reset)}
            body = {"error": faults.RATE_LIMIT_MESSAGE}
            return _Reply(429, reports.JSON_TYPE, reports.dump(body), extra)
        if key != emu.api_key:
            return _Reply(
                401, reports.JSON_TYPE, reports.dump({"error": UNAUTHORIZED}), limit_header
            )
        status, content_type, payload = _dispatch(emu, method, path, relative, query, headers, raw)
        if fault is not None and fault.kind == "truncated_json":
            payload = payload[: max(1, len(payload) // 2)]
        return _Reply(status, content_type, payload, limit_header)

    def send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.payload)


def _fault_status(fault: faults.Fault, headers: dict[str, str]) -> _Reply:
    body = fault.body
    if body is None:
        body = {"error": f"Scripted failure: HTTP {fault.code}."}
    if isinstance(body, str):
        return _Reply(fault.code, "text/plain; charset=utf-8", body.encode(), headers)
    return _Reply(fault.code, reports.JSON_TYPE, reports.dump(body), headers)


def _dispatch(
    emu: Emulator,
    method: str,
    path: str,
    relative: str,
    query: dict[str, str],
    headers: dict[str, str],
    raw: bytes,
) -> tuple[int, str, bytes]:
    if not path.startswith(API_PREFIX + "/"):
        return _error(404, f"Not found: {path}. The API lives under {API_PREFIX}/.")
    if not relative.endswith("/"):
        return _error(404, f"Not found: {path}. Close's paths end with a slash: {path}/")
    endpoint = REPORT_PATHS.get(relative)
    if endpoint is not None:
        if method != "POST":
            return _error(405, f"Method {method} not allowed on {path}; use POST.")
        return reports.answer_report(emu.dataset, endpoint, raw, headers, emu.current_time())
    answer = routes.handle_get(emu.dataset, relative, query)
    if answer is None:
        return _error(404, f"Not found: {path}.")
    if method != "GET":
        return _error(405, f"Method {method} not allowed on {path}; the emulator is read-only.")
    status, body = answer
    return status, reports.JSON_TYPE, reports.dump(body)


def _error(status: int, message: str) -> tuple[int, str, bytes]:
    return status, reports.JSON_TYPE, reports.dump({"error": message})


def _basic_user(value: str | None) -> str | None:
    """The user name of an HTTP Basic header when the password is empty, else None."""
    if not value or not value.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(value[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return user if sep and not password and user else None


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
    ) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        if now is not None and now.tzinfo is None:
            raise ValueError("now must be timezone-aware (e.g. datetime(..., tzinfo=timezone.utc))")
        if not 0.0 <= fail_rate <= 1.0:
            raise ValueError(f"fail_rate must be between 0 and 1, got {fail_rate}")
        if latency < 0:
            raise ValueError(f"latency must be >= 0 seconds, got {latency}")
        self.api_key = api_key
        self.seed = seed
        self.now = now
        self.latency = latency
        self.fail_rate = fail_rate
        self.host = host
        self.port = port
        self.dataset: Dataset = generate(seed, now)
        if rate_limit is None:
            self.bucket = faults.TokenBucket(NOMINAL_RATE, NOMINAL_RATE, enforce=False)
        else:
            self.bucket = faults.TokenBucket(rate_limit, burst or max(1, round(rate_limit)))
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

    def record(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        raw: bytes,
        status: int,
    ) -> None:
        try:
            body: Any = json.loads(raw) if raw else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        safe = {k: v for k, v in headers.items() if k != "authorization"}
        with self._lock:
            self._requests.append(RecordedRequest(method, path, query, safe, body, status))
