"""`reportrunner serve`: the site on 127.0.0.1, rebuilt when its sources change, pages reloading.

Three small parts. `PreviewServer` serves a folder on the loopback interface only (the pages
are sales numbers) and, in the HTML it sends (never on disk), adds a script that long-polls
`/__reportrunner/changes?since=N` and reloads the page when the site was rebuilt; the page's
Content-Security-Policy gets a nonce for that one script. `Watcher.snapshot()` is a pure look
at the sources' mtimes and sizes (polling: no new dependency, works on every file system);
the caller compares snapshots and rebuilds. `PreviewServer.changed()` wakes every waiting
browser (and test) at once: waiting is event-driven, never a sleep.
"""

from __future__ import annotations

import functools
import html
import json
import re
import secrets
import sys
import threading
from collections.abc import Iterable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
CHANGES = "/__reportrunner/changes"
#: How long one long-poll waits before answering "no change" (the browser asks again).
LONG_POLL = 25.0

_RELOAD = """<script nonce="{nonce}">
(async () => {{
  let seen = {generation};
  for (;;) {{
    try {{
      const answer = await fetch("{changes}?since=" + seen, {{cache: "no-store"}});
      const body = await answer.json();
      if (body.generation !== seen) {{ location.reload(); return; }}
    }} catch (error) {{
      await new Promise((done) => setTimeout(done, 2000));  // server restarting
    }}
  }}
}})();
</script>
"""
_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")', re.I)

Snapshot = frozenset[tuple[str, int, int]]


class Watcher:
    """The files under `paths` (folders are walked), seen by path, mtime and size."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = tuple(dict.fromkeys(Path(p) for p in paths))

    def _files(self) -> Iterator[Path]:
        for path in self.paths:
            if path.is_dir():
                yield from (p for p in path.rglob("*") if p.is_file())
            elif path.is_file():
                yield path

    def snapshot(self) -> Snapshot:
        """What the sources look like now (no state changes: compare two snapshots)."""
        seen = set()
        for path in self._files():
            try:
                status = path.stat()
            except OSError:
                continue  # removed while we looked: the next snapshot differs anyway
            seen.add((str(path), status.st_mtime_ns, status.st_size))
        return frozenset(seen)


def _allow(policy: str, nonce: str) -> str:
    """`policy` that also lets the reload script run and long-poll.

    A browser obeys the first `script-src` and ignores a repeated one, so the nonce joins the
    page's own directive (the index already has one, for its search script).
    """
    source = f"'nonce-{html.escape(nonce)}'"
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    names = [d.split()[0].lower() for d in directives]
    for name, value in (("script-src", source), ("connect-src", "'self'")):
        if name in names:
            at = names.index(name)
            directives[at] = f"{directives[at]} {value}"
        else:
            directives.append(f"{name} {value}")
    return "; ".join(directives)


class _Handler(SimpleHTTPRequestHandler):
    server: PreviewServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a browser's requests are not worth a line each on the terminal

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        # Another name for this address (a web page's DNS rebinding to 127.0.0.1) would let
        # that page read the sales numbers: only the names of this server are answered.
        port = self.server.server_address[1]
        if self.headers.get("Host", f"{HOST}:{port}") not in (
            f"{HOST}:{port}",
            f"localhost:{port}",
        ):
            self._send(403, "text/plain; charset=utf-8", f"use {self.server.url}\n".encode())
            return
        url = urlsplit(self.path)
        if url.path == CHANGES:
            since = parse_qs(url.query).get("since", ["-1"])[0]
            known = re.fullmatch(r"[0-9]{1,18}", since)  # str.isdigit takes "²", int() does not
            generation = self.server.wait_for_change(int(since) if known else -1)
            self._send(200, "application/json", json.dumps({"generation": generation}).encode())
            return
        target = Path(self.translate_path(url.path))
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            self._send(200, "text/html; charset=utf-8", self.server.with_reload(target))
            return
        super().do_GET()

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class PreviewServer(ThreadingHTTPServer):
    """Serves `folder` on 127.0.0.1:`port` (0: a free one) until `close()`; a context manager."""

    daemon_threads = True

    def __init__(self, folder: Path, port: int = 0) -> None:
        self.folder = Path(folder).absolute()
        self.generation = 0
        self._changed = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None
        handler = functools.partial(_Handler, directory=str(self.folder))
        super().__init__((HOST, port), handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def start(self) -> PreviewServer:
        self._thread = threading.Thread(target=self.serve_forever, name="preview", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()  # waiting long-polls answer now
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=10)
        self.server_close()

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A page that reloads drops its long-poll, so the answer meets a closed socket: normal,
        # not a traceback on the author's terminal. Anything else is reported as usual.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def changed(self) -> int:
        """The site was rebuilt: wake every waiting page; returns the new generation."""
        with self._changed:
            self.generation += 1
            self._changed.notify_all()
            return self.generation

    def wait_for_change(self, since: int, timeout: float = LONG_POLL) -> int:
        """The generation once it differs from `since` (or after `timeout`, or when closing)."""
        with self._changed:
            self._changed.wait_for(
                lambda: self.generation != since or self._closing, timeout=timeout
            )
            return self.generation

    def with_reload(self, page: Path) -> bytes:
        """The page as stored, plus the reload script (allowed by a nonce in its CSP)."""
        text = page.read_text(encoding="utf-8", errors="replace")
        nonce = secrets.token_urlsafe(12)
        script = _RELOAD.format(nonce=nonce, generation=self.generation, changes=CHANGES)
        text = _CSP.sub(lambda m: f"{m[1]}{_allow(m[2], nonce)}{m[3]}", text, count=1)
        at = text.lower().rfind("</body>")
        text = text[:at] + script + text[at:] if at >= 0 else text + script
        return text.encode("utf-8")
