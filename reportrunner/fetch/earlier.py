"""The earlier site's history, read before publishing: `--history-from` a folder or a URL.

Publishing does no network I/O: the pipeline reads the earlier history here first (a published
site over HTTP within a deadline and a size cap, or a site folder) and hands the checked
snapshots to the site stage. Everything read is untrusted: a document that is not usable is a
warning, and that report's trend restarts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from reportrunner.redact import redact
from reportrunner.site.files import id_problem
from reportrunner.site.history import LoadedHistory, parse_document, read_folder

#: Connect timeout and overall deadline (connect to last byte) of each --history-from URL, and
#: the cap on its decoded size: a slow or hostile old site must not stall or swamp a run.
TIMEOUT = (5.0, 20.0)
MAX_BYTES = 20_000_000


class HttpStatus(ValueError):
    """A --history-from URL answered something other than 200 (404: nothing published yet)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def get_json(session: Any, url: str) -> Any:
    """GET a JSON document of an earlier site within TIMEOUT and MAX_BYTES (decoded).

    Raises HttpStatus, ValueError (not JSON, nested too deeply), the bounded reader's
    ReportRunnerErrors (too slow, too large) or a requests exception: all mean "not usable".
    """
    from reportrunner.fetch import bounded

    response = bounded.send(
        session,
        "GET",
        url,
        bounds=bounded.Bounds(deadline=TIMEOUT[1], max_bytes=MAX_BYTES, connect_timeout=TIMEOUT[0]),
        headers={"Accept": "application/json"},
    )
    if response.status_code != 200:
        raise HttpStatus(response.status_code)
    try:
        return json.loads(response.content.decode("utf-8"))
    except RecursionError:  # a document nested too deeply is bad input, not a crash
        raise ValueError("nested too deeply") from None


def read_url(base_url: str, ids: Iterable[str]) -> LoadedHistory:
    """Histories from a published site: its manifest says which reports exist there."""
    import requests  # imported here: only --history-from with a URL needs it

    from reportrunner.errors import ReportRunnerError
    from reportrunner.fetch.bounded import new_session
    from reportrunner.fetch.client import USER_AGENT

    loaded = LoadedHistory()
    base = base_url if base_url.endswith("/") else base_url + "/"
    manifest_url = urljoin(base, "manifest.json")
    with new_session() as session:
        session.headers["User-Agent"] = USER_AGENT
        try:
            manifest = get_json(session, manifest_url)
            published = {entry["id"] for entry in manifest["reports"] if isinstance(entry, dict)}
        except (
            requests.RequestException,
            ReportRunnerError,
            ValueError,
            KeyError,
            TypeError,
        ) as exc:
            loaded.warnings.append(
                redact(
                    f"--history-from: could not read {manifest_url} ({exc}); "
                    "continuing without the earlier history."
                )
            )
            return loaded
        for report_id in ids:
            if report_id not in published:
                continue
            # Always our own layout, never a path taken from the remote manifest: the old site
            # decides which reports exist, not which URLs we fetch.
            url = urljoin(base, "history/" + quote(report_id, safe="") + ".json")
            try:
                loaded.snapshots[report_id] = parse_document(
                    get_json(session, url), report_id, url, warnings=loaded.warnings
                )
            except (requests.RequestException, ReportRunnerError, ValueError) as exc:
                loaded.warnings.append(
                    redact(f"--history-from: skipped {url} ({exc}); its trend restarts here.")
                )
    return loaded


def read_source(source: str, ids: Iterable[str], now: datetime | None = None) -> LoadedHistory:
    """`--history-from`: an http(s) URL of a published site, or a site folder.

    `ids` come from specs anyone may write: one that could not name a report folder (a path,
    `..`, a control character) is never read, whatever the source.
    """
    wanted = [report_id for report_id in dict.fromkeys(ids) if not id_problem(report_id)]
    if urlsplit(source).scheme in ("http", "https"):
        return read_url(source, wanted)
    folder = Path(source).expanduser()
    if not folder.is_dir():
        return LoadedHistory(
            warnings=[
                f"--history-from: {source} is neither a folder nor an http(s) URL; "
                "continuing without the earlier history."
            ]
        )
    return read_folder(folder, wanted, now)
