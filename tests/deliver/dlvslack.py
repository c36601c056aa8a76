"""A local HTTP server standing in for a Slack incoming webhook, strict about Block Kit.

It checks what Slack checks (docs.slack.dev/reference/block-kit), independently of
reportrunner.deliver.slack so a wrong limit there cannot hide here: a JSON object with a
`blocks` list of 1 to 50 blocks of known types; header: plain_text of 1 to 150 characters;
section: text of 1 to 3,000 characters; context: 1 to 10 elements; top-level `text` at most
40,000 (Slack's hard limit); and 13,000 characters of block text in all (where Slack starts
answering `msg_blocks_too_long`, slackapi/bolt-js#2509). A bad payload gets 400
`invalid_blocks`, as from Slack. Answers can be scripted: a status (429 with Retry-After, 500,
403…) or a dropped connection, each used by one request, in order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN_PATH = "/services/T0CANARY/B0CANARY/xoxcanarysecret42"
KNOWN = {"header", "section", "context", "divider", "actions"}


def block_kit_problems(body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("blocks"), list):
        return ["not an object with a blocks list"]
    blocks: list[Any] = body["blocks"]
    problems = []
    if not 1 <= len(blocks) <= 50:
        problems.append(f"{len(blocks)} blocks (1 to 50 allowed)")
    if len(str(body.get("text", ""))) > 40000:
        problems.append("text longer than 40,000 characters")
    total = 0
    for index, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in KNOWN:
            problems.append(f"block {index}: type {kind!r}")
            continue
        if kind in ("header", "section"):
            text = block.get("text")
            if not isinstance(text, dict) or not isinstance(text.get("text"), str):
                problems.append(f"block {index}: no text object")
                continue
            limit = 150 if kind == "header" else 3000
            if kind == "header" and text.get("type") != "plain_text":
                problems.append(f"block {index}: a header needs plain_text")
            if not 1 <= len(text["text"]) <= limit:
                problems.append(f"block {index}: {kind} text of {len(text['text'])} characters")
            total += len(text["text"])
        if kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                problems.append(f"block {index}: context needs 1 to 10 elements")
            else:
                total += sum(len(str(e.get("text", ""))) for e in elements if isinstance(e, dict))
    if total > 13000:
        problems.append(f"{total} characters of block text: msg_blocks_too_long")
    return problems


@dataclass
class FakeSlack:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)  # accepted payloads
    attempts: int = 0
    script: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    rejected: list[list[str]] = field(default_factory=list)

    def answer(self, status: int, **headers: str) -> None:
        self.script.append(("status", status, headers))

    def drop(self) -> None:
        self.script.append(("drop", 0, {}))


def _handler(state: FakeSlack, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _reply(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
            data = text.encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            with lock:
                state.attempts += 1
                step = state.script.pop(0) if state.script else None
            if self.path != TOKEN_PATH:
                self._reply(404, "no_service")
                return
            if step and step[0] == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if step:
                self._reply(step[1], "rate_limited" if step[1] == 429 else "error", step[2])
                return
            if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                self._reply(400, "invalid_payload")
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._reply(400, "invalid_payload")
                return
            problems = block_kit_problems(body)
            with lock:
                if problems:
                    state.rejected.append(problems)
                else:
                    state.received.append(body)
            self._reply(400, "invalid_blocks") if problems else self._reply(200, "ok")

    return Handler


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    state = FakeSlack()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state, threading.Lock()))
    state.url = f"http://127.0.0.1:{server.server_address[1]}{TOKEN_PATH}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
