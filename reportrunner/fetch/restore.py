"""Restore the previous published site's data before a run: checked, and never fatal.

A GitHub Actions runner starts empty, yet a report that fails now must keep its last good data
(published as stale) and `run --only` must keep the other reports. So the publish workflow copies
`manifest.json` and every `<id>/data.json` of the previous site (the Pages URL, or a folder)
into the output folder first; `run --history-from` then brings the history.

Everything fetched is untrusted and checked: complete (the bounded reader's deadline and size
cap; a body cut short never parses), parseable JSON, and our format (a reportrunner manifest;
a data.json of format `DATA_FORMAT_VERSION` for the id the manifest lists). Any HTTP, transport
or JSON failure means "start afresh" for that file, with a warning naming it and the reason:
losing a stale fallback is better than failing the publish. Only ids that pass the site's id
rule are fetched, always at our own layout: the old site says which reports exist, never which
URLs are read. Lives apart from site/build.py because it runs before `run`, in the workflow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from reportrunner.errors import ReportRunnerError
from reportrunner.errors import Unusable as Unusable
from reportrunner.redact import redact
from reportrunner.site.files import data_problem, id_problem

#: Per file: a previous site's data.json is far smaller (docs/data-format.md).
MAX_BYTES = 20_000_000
#: Connect timeout and overall deadline of each file fetched from a URL.
TIMEOUT = (5.0, 30.0)


@dataclass
class Restored:
    """What was restored: report ids, and one warning per file that starts afresh."""

    ids: list[str] = field(default_factory=list)
    listed: int = 0
    warnings: list[str] = field(default_factory=list)


def restore(source: str, dest: Path) -> Restored:
    """Copy the checked manifest and data.json files of the site at `source` into `dest`."""
    result = Restored()
    with _Reader(source) as read:
        try:
            manifest = _manifest(read("manifest.json"))
        except Unusable as exc:
            if not exc.missing:  # a first publish has no earlier site: that is no warning
                result.warnings.append(redact(f"{read.where('manifest.json')}: {exc}"))
            return result
        entries = [e for e in manifest["reports"] if isinstance(e, dict)]
        result.listed = len(entries)
        kept: list[dict[str, Any]] = []
        restored: dict[str, bytes] = {}
        for entry in entries:
            report_id = entry.get("id")
            if not isinstance(report_id, str) or id_problem(report_id):
                result.warnings.append(redact(f"skipped a manifest entry with id {report_id!r}"))
                continue
            relative = f"{quote(report_id, safe='')}/data.json"
            try:
                restored[report_id] = _data(read(relative), report_id)
            except Unusable as exc:
                result.warnings.append(redact(f"{read.where(relative)}: {exc}"))
                continue
            kept.append(entry)
    if not kept:
        return result
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for report_id, body in restored.items():
            (dest / report_id).mkdir(exist_ok=True)
            (dest / report_id / "data.json").write_bytes(body)
        # The manifest lists only what was restored: a report whose data did not come back
        # starts afresh instead of being carried over as a listed report without data.
        (dest / "manifest.json").write_text(
            json.dumps({**manifest, "reports": kept}, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    except OSError as exc:
        raise ReportRunnerError(
            f"cannot write the restored site to {dest}: {exc.strerror or exc}",
            hint="the folder must be writable (the workflow uses _site in the checkout).",
        ) from exc
    result.ids = list(restored)
    return result


def _parse(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Unusable(f"not complete, valid JSON ({exc})") from None


def _manifest(body: bytes) -> dict[str, Any]:
    document = _parse(body)
    if not (
        isinstance(document, dict)
        and isinstance(document.get("reports"), list)
        and isinstance(document.get("reportrunner_version"), str)
        and isinstance(document.get("generated_at"), str)
    ):
        raise Unusable("not a reportrunner manifest (another tool's file?)")
    return document


def _data(body: bytes, report_id: str) -> bytes:
    document = _parse(body)
    if not isinstance(document, dict) or document.get("id") != report_id:
        raise Unusable(f"not the data.json of report {report_id!r}")
    problem = data_problem(document)
    if problem:
        raise Unusable(problem)
    return body


class _Reader:
    """Reads files of the previous site: bounded HTTP for a URL, size-capped files otherwise."""

    def __init__(self, source: str) -> None:
        self.remote = urlsplit(source).scheme in ("http", "https")
        self.base = source if source.endswith("/") else source + "/"
        self._session: Any = None
        self._read: Callable[[str], bytes] = self._url if self.remote else self._file

    def where(self, relative: str) -> str:
        return urljoin(self.base, relative) if self.remote else str(Path(self.base, relative))

    def __call__(self, relative: str) -> bytes:
        return self._read(relative)

    def __enter__(self) -> _Reader:
        if self.remote:
            from reportrunner.fetch.bounded import new_session
            from reportrunner.fetch.client import USER_AGENT

            self._session = new_session()
            self._session.headers["User-Agent"] = USER_AGENT
        return self

    def __exit__(self, *exc: object) -> None:
        if self._session is not None:
            self._session.close()

    def _file(self, relative: str) -> bytes:
        path = Path(self.base, relative)
        try:
            if not path.is_file():
                raise Unusable("not there", missing=True)
            if path.stat().st_size > MAX_BYTES:
                raise Unusable(f"larger than {MAX_BYTES} bytes")
            return path.read_bytes()
        except OSError as exc:
            raise Unusable(f"unreadable ({exc.strerror or exc})") from None

    def _url(self, relative: str) -> bytes:
        import requests

        from reportrunner.fetch import bounded

        limits = bounded.Bounds(
            deadline=TIMEOUT[1], max_bytes=MAX_BYTES, connect_timeout=TIMEOUT[0]
        )
        try:
            response = bounded.send(
                self._session,
                "GET",
                self.where(relative),
                bounds=limits,
                headers={"Accept": "application/json"},
            )
        except (requests.RequestException, ReportRunnerError, OSError, ValueError) as exc:
            raise Unusable(f"could not be fetched ({exc})") from None
        if response.status_code != 200:
            raise Unusable(f"HTTP {response.status_code}", missing=response.status_code == 404)
        return response.content
