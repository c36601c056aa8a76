"""The emulator's request handler: one pipeline from raw HTTP request to reply.

`Handler.handle_any` reads the request, applies a scripted fault (delay, drop…; the answers that
misbehave on the wire are written by wire.py), the latency,
the random 503s of `fail_rate`, the per-key rate limit and HTTP Basic authentication, then
routes: the report POSTs (funnel, activity) to reports.py, the GET reports (status changes,
sent e-mails; parameters checked by getparams.py) to statuses.py and sentemails.py, the other
GETs to routes.py (the activity metric catalogue among them). Every reply carries `RateLimit`
except the fault styles that imitate Close's older or partial forms and the `retry-after`
limiter's (limiters.py); the key may be any of the organisation's keys.
"""

from __future__ import annotations

import base64
import binascii
import logging
import socket
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from reportrunner import windows
from reportrunner.emulator import (
    faults,
    getparams,
    limiters,
    reports,
    routes,
    scope,
    sentemails,
    statuses,
    wire,
)
from reportrunner.model import ENDPOINT_PATHS

if TYPE_CHECKING:
    from reportrunner.emulator.server import Emulator

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

UNAUTHORIZED = (
    "The server could not verify that you are authorized to access the URL requested.  You "
    "either supplied the wrong credentials (e.g. a bad password), or your browser doesn't "
    "understand how to supply the credentials required."
)
REPORT_PATHS = {path: endpoint for endpoint, path in ENDPOINT_PATHS.items()}
ACTIVITY_PATH = "/report/activity/"
ACTIVITY_METRICS_PATH = "/report/activity/metrics/"


@dataclass(frozen=True)
class Incoming:
    """One request as read: `relative` is the path under /api/v1 (the whole path otherwise)."""

    method: str
    path: str
    relative: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    raw: bytes


@dataclass
class Reply:
    status: int
    content_type: str
    payload: bytes
    headers: dict[str, str]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any  # server._Server, which carries `.emulator`
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
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True  # the body's end is unknown: the stream is unusable
            self.send(Reply(*_error(400, "Bad Content-Length."), {}))
            return
        raw = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        path = split.path
        request = Incoming(
            method=method,
            path=path,
            relative=path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            raw=raw,
        )
        key = _basic_user(request.headers.get("authorization"))
        fault = emu.faults.take(request.relative, path)
        if fault is not None and fault.kind == "delay":
            emu.stopping.wait(fault.seconds)
            fault = None
        if fault is not None and fault.kind == "drop":
            emu.record(request, 0)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if emu.latency:
            emu.stopping.wait(emu.latency)
        state = emu.limiter.acquire(key or "", limiters.group_of(request.relative))
        try:
            reply = _route(emu, request, key, fault, state)
        except Exception as exc:  # a bug in the emulator: answer 500 rather than hang up
            log.exception("emulator error answering %s %s", method, path)
            body = reports.dump({"error": f"Emulator internal error: {type(exc).__name__}"})
            reply = Reply(500, reports.JSON_TYPE, body, _limit_header(state, emu.limiter.announces))
        if fault is not None and fault.kind == "truncated_json":
            reply.payload = reply.payload[: max(1, len(reply.payload) // 2)]
        emu.record(request, reply.status)
        if fault is not None and fault.kind in faults.WIRE_KINDS:
            self.close_connection = True  # the stream is not reusable after any of these
            wire.write(self.wfile, fault, reply.status, reply.payload, emu.stopping)
            return
        self.send(reply)

    def send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.payload)


def _route(
    emu: Emulator,
    request: Incoming,
    key: str | None,
    fault: faults.Fault | None,
    state: faults.BucketState,
) -> Reply:
    limit_header = _limit_header(state, emu.limiter.announces)
    if fault is not None and fault.kind == "rate_limit":
        extra, body = faults.rate_limited_response(fault.style, state.limit, fault.reset)
        return Reply(429, reports.JSON_TYPE, reports.dump(body), extra)
    if fault is not None and fault.kind == "status":
        return _fault_status(fault, dict(fault.headers) if fault.headers else limit_header)
    if fault is not None and fault.kind == "html":
        page = (
            f"<html><head><title>{fault.code} Error</title></head><body>"
            f"<h1>{fault.code} Error</h1><p>The server encountered a temporary error."
            "</p></body></html>"
        )
        return Reply(fault.code, "text/html; charset=utf-8", page.encode(), limit_header)
    if emu.fail_rate and emu.roll() < emu.fail_rate:
        body = {"error": "Service temporarily unavailable, please retry."}
        return Reply(503, reports.JSON_TYPE, reports.dump(body), limit_header)
    if not state.allowed:
        extra = {**limit_header, "Retry-After": faults.retry_after(state.reset)}
        body = {"error": faults.RATE_LIMIT_MESSAGE}
        return Reply(429, reports.JSON_TYPE, reports.dump(body), extra)
    if key not in emu.keys:
        return Reply(401, reports.JSON_TYPE, reports.dump({"error": UNAUTHORIZED}), limit_header)
    status, content_type, payload = _dispatch(emu, request)
    return Reply(status, content_type, payload, limit_header)


def _limit_header(state: faults.BucketState, announces: bool = True) -> dict[str, str]:
    if not announces:  # a server that says only Retry-After, on its 429s
        return {}
    return {"RateLimit": faults.ratelimit_header(state.limit, state.remaining, state.reset)}


def _fault_status(fault: faults.Fault, headers: dict[str, str]) -> Reply:
    body = fault.body
    if body is None:
        body = {"error": f"Scripted failure: HTTP {fault.code}."}
    if isinstance(body, str):
        return Reply(fault.code, "text/plain; charset=utf-8", body.encode(), headers)
    return Reply(fault.code, reports.JSON_TYPE, reports.dump(body), headers)


def _dispatch(emu: Emulator, request: Incoming) -> tuple[int, str, bytes]:
    method, path, relative = request.method, request.path, request.relative
    if not path.startswith(API_PREFIX + "/"):
        return _error(404, f"Not found: {path}. The API lives under {API_PREFIX}/.")
    if not relative.endswith("/"):
        return _error(404, f"Not found: {path}. Close's paths end with a slash: {path}/")
    if relative == ACTIVITY_PATH:
        if method != "POST":
            return _error(405, f"Method {method} not allowed on {path}; use POST.")
        return reports.answer_activity(
            emu.dataset, request.raw, request.headers, emu.current_time()
        )
    if relative == ACTIVITY_METRICS_PATH:
        if method != "GET":
            return _error(405, f"Method {method} not allowed on {path}; use GET.")
        return 200, reports.JSON_TYPE, reports.dump(routes.activity_metrics())
    status_kind = _status_report(relative, emu)
    if status_kind is not None:
        if method != "GET":
            return _error(405, f"Method {method} not allowed on {path}; use GET.")
        return _answer_statuses(emu, status_kind, request)
    endpoint = REPORT_PATHS.get(relative)
    if endpoint is not None:
        if method != "POST":
            return _error(405, f"Method {method} not allowed on {path}; use POST.")
        return reports.answer_report(
            emu.dataset, endpoint, request.raw, request.headers, emu.current_time()
        )
    answer = routes.handle_get(emu.dataset, relative, request.query, emu.page_size)
    if answer is None:
        return _error(404, f"Not found: {path}.")
    if method != "GET":
        return _error(405, f"Method {method} not allowed on {path}; the emulator is read-only.")
    status, body = answer
    return status, reports.JSON_TYPE, reports.dump(body)


def _status_report(relative: str, emu: Emulator) -> str | None:
    """The getparams endpoint ("lead", "opportunity", "sent_emails") of a GET report path of
    this organisation, else None (another organisation's id is an unknown path: 404)."""
    org_id = emu.dataset.organization_id
    if relative == f"/report/sent_emails/{org_id}/":
        return "sent_emails"
    for kind in ("lead", "opportunity"):
        if relative == f"/report/statuses/{kind}/{org_id}/":
            return kind
    return None


def _answer_statuses(emu: Emulator, kind: str, request: Incoming) -> tuple[int, str, bytes]:
    try:
        zone = windows.parse_offset_header(request.headers.get("x-tz-offset"))
    except ValueError as exc:
        return reports.error_answer({}, [f"Invalid X-TZ-Offset header: {exc}."])
    try:
        params = getparams.parse(emu.dataset, kind, request.query, zone)
    except scope.RequestInvalid as exc:
        return reports.error_answer(exc.field_errors)
    if kind == "sent_emails":
        body = sentemails.report(emu.dataset, params)
    else:
        body = statuses.report(emu.dataset, kind, params, emu.current_time().timestamp())
    return 200, reports.JSON_TYPE, reports.dump(body)


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
