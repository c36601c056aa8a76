"""A minimal LSP client for the real yaml-language-server (npm), for the editor tests.

The server runs as `node …/yaml-language-server --stdio`; this speaks JSON-RPC over its pipes:
initialize, the settings an editor sends (validation and completion on, the schema store off
so nothing reaches the network), didOpen per file, then collects publishDiagnostics and answers
completion requests. Files carry their schema in the `# yaml-language-server: $schema=` line,
as users' files do, so the test exercises exactly what an editor shows.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
SETTINGS = {
    "yaml": {
        "validate": True,
        "completion": True,
        "hover": True,
        "format": {"enable": False},
        "schemaStore": {"enable": False},
        "schemas": {},
    }
}
#: Hang guard for one answer: a local server answers in well under a second.
TIMEOUT = 60.0


@dataclass(frozen=True)
class EditorDiagnostic:
    line: int  # 1-based, as validate prints
    column: int
    severity: int  # LSP: 1 error, 2 warning, 3 information, 4 hint
    message: str


class YamlLanguageServer:
    """`with YamlLanguageServer(root) as server:` a running server; closed on exit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._next_id = 0
        self._answers: dict[int, Any] = {}
        self._diagnostics: dict[str, list[EditorDiagnostic]] = {}
        self._published: dict[str, int] = {}
        self._lock = threading.Condition()
        self._process = subprocess.Popen(
            ["node", str(SERVER), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=root,
        )
        assert self._process.stdout is not None and self._process.stdin is not None
        self._out: IO[bytes] = self._process.stdin
        self._reader = threading.Thread(target=self._read, args=(self._process.stdout,))
        self._reader.daemon = True
        self._reader.start()

    def __enter__(self) -> YamlLanguageServer:
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": self.root.as_uri(),
                "workspaceFolders": [{"uri": self.root.as_uri(), "name": "project"}],
                "capabilities": {
                    "workspace": {"configuration": True},
                    "textDocument": {
                        "publishDiagnostics": {},
                        "completion": {"completionItem": {"snippetSupport": False}},
                    },
                },
                "initializationOptions": {},
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self._process.wait(timeout=10)
        except (OSError, TimeoutError, subprocess.TimeoutExpired):
            pass
        finally:
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait()

    # --- JSON-RPC --------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self._out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._out.flush()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self._handle(json.loads(stream.read(length)))

    def _handle(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is not None and "id" in message:  # a request from the server
            result: Any = None
            if method == "workspace/configuration":
                items = message["params"]["items"]
                result = [
                    SETTINGS["yaml"] if item.get("section") == "yaml" else None for item in items
                ]
            self._send({"id": message["id"], "result": result})
            return
        with self._lock:
            if method == "textDocument/publishDiagnostics":
                params = message["params"]
                self._diagnostics[params["uri"]] = [
                    EditorDiagnostic(
                        d["range"]["start"]["line"] + 1,
                        d["range"]["start"]["character"] + 1,
                        d.get("severity", 1),
                        d["message"],
                    )
                    for d in params["diagnostics"]
                ]
                self._published[params["uri"]] = self._published.get(params["uri"], 0) + 1
            elif "id" in message:
                self._answers[message["id"]] = message.get("result", message.get("error"))
            self._lock.notify_all()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        with self._lock:
            while ident not in self._answers:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"yaml-language-server did not answer {method}")
                self._lock.wait(left)
            return self._answers.pop(ident)

    # --- documents -------------------------------------------------------------------------

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.resolve().as_uri()
        content = path.read_text(encoding="utf-8") if text is None else text
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": content}},
        )
        return uri

    def diagnostics(self, uri: str, settle: float = 1.0) -> list[EditorDiagnostic]:
        """The diagnostics last published for `uri`, once no new ones came for `settle` s."""
        deadline = time.monotonic() + TIMEOUT
        with self._lock:
            while uri not in self._published:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no diagnostics for {uri}")
                self._lock.wait(left)
            while True:
                seen = self._published[uri]
                self._lock.wait(settle)
                if self._published[uri] == seen:
                    return list(self._diagnostics[uri])

    def completion(self, uri: str, line: int, column: int) -> list[str]:
        """Labels proposed at 1-based `line`, `column` of an open document."""
        answer = self.request(
            "textDocument/completion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": line - 1, "character": column - 1},
            },
        )
        items = answer.get("items", []) if isinstance(answer, dict) else answer or []
        return [item["label"] for item in items]
