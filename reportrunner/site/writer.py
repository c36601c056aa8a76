"""The one writer of site files: every text goes inside the staging folder, masked, as UTF-8.

Close can echo the API key back in a 200 answer (a user named after it), and a page, CSV or
data.json then carries it. Masking each page would miss the next one, so every file the site
builder writes (data.json, pages, CSVs, manifest, history) is written here, and the writer
masks the secrets it is given and those registered with `redact`, in the forms the formats
spell them (JSON, HTML, CSV and Markdown escapes: `redact.spellings`). Only secrets:
`redact`'s URL-credential rule would also match across CSV cells and JSON strings of ordinary
data. Text that cannot be UTF-8 (lone
surrogates from a file name) is written with backslash escapes instead of failing the site.

Creating a file is the slow part of publishing on a busy disk (1–3 ms each where a thousand
reports make 6,000 files), and it waits on the file system, not on Python: texts are masked
and encoded here, in the caller's thread, and then written by a few threads, so creations
overlap. `close` (the end of the `with` block) waits for every write and raises the first
error, inside the staging block, so a failed write still fails the site.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from reportrunner.redact import MASK, registered, spellings
from reportrunner.site.staging import inside

#: Threads creating files; more overlap more creations on a slow disk (measured: 16 threads
#: create files about twice as fast as one on the shared 2-core machine).
THREADS = 16
#: Writes waiting at most (bounds the memory held by texts not yet written).
PENDING = 256
#: No link is followed at the last component; a file is created readable by all (umask);
#: bytes as they are (Windows would otherwise translate newlines).
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
_FLAGS |= getattr(os, "O_BINARY", 0)


def _plain_name(part: str) -> bool:
    """One path component that cannot leave its folder (no separator, `.`, `..` or NUL)."""
    return part not in ("", ".", "..") and not {"/", os.sep, "\0"} & set(part)


def _write(path: Path, data: bytes) -> None:
    descriptor = os.open(path, _FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:  # os.write may write less than asked
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


class Sink(Protocol):
    """What a report's folder is written through (a `SiteWriter`)."""

    def mkdir(self, *parts: str) -> Any: ...

    def text(self, parts: tuple[str, ...], text: str) -> Any: ...

    def json(self, parts: tuple[str, ...], value: Any, indent: int | None = 2) -> Any: ...


class SiteWriter:
    """Writes files under `root` (refusing paths outside it), masking `secrets` in each.

    Use it as a context manager (or call `close`): writes may still be under way until then.
    """

    def __init__(self, root: Path, secrets: Iterable[str] = (), threads: int = THREADS) -> None:
        self.root = root
        self._base = root.resolve()
        forms: set[str] = set()
        for secret in [*secrets, *registered()]:
            if secret:
                forms |= spellings(secret)
        self._forms = sorted(forms, key=len, reverse=True)  # longest first: no partial masks
        # Folders this writer made and checked: a file in one of them needs no path lookup.
        self._folders: dict[tuple[str, ...], Path] = {(): self._base}
        self._pool = ThreadPoolExecutor(threads, "sitewriter") if threads > 1 else None
        self._slots = threading.BoundedSemaphore(PENDING)
        self._failure: BaseException | None = None

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        elif self._pool is not None:  # the site fails: stop before its folder is removed
            self._pool.shutdown(wait=True, cancel_futures=True)

    def mask(self, text: str) -> str:
        """`text` with every secret given to the writer, and every registered one, masked."""
        for form in self._forms:
            text = text.replace(form, MASK)
        return text

    def mkdir(self, *parts: str) -> Path:
        parent = self._folders.get(parts[:-1]) if parts else None
        if parent is not None and _plain_name(parts[-1]):
            # A new folder in one this writer made: created as named, no path to resolve
            # (resolving every report's folder was a third of the main process's work with
            # 1,000 reports). Anything already there, even a link, takes the checked path.
            folder = parent / parts[-1]
            try:
                folder.mkdir()
            except FileExistsError:
                pass
            else:
                self._folders[parts] = folder
                return folder
        folder = inside(self.root, *parts)
        folder.mkdir(parents=True, exist_ok=True)
        self._folders[parts] = folder
        return folder

    def _path(self, parts: tuple[str, ...]) -> Path:
        folder = self._folders.get(parts[:-1])
        if folder is not None and parts and _plain_name(parts[-1]):
            return folder / parts[-1]
        return inside(self.root, *parts)  # anything else: resolved and checked

    def text(self, parts: tuple[str, ...], text: str) -> Path:
        """Write `text` to root/parts… (perhaps in the background); returns the path."""
        path = self._path(parts)
        data = self.mask(text).encode("utf-8", errors="backslashreplace")
        if self._failure is not None:
            raise self._failure
        if self._pool is None:
            _write(path, data)
            return path
        self._slots.acquire()
        self._pool.submit(_write, path, data).add_done_callback(self._done)
        return path

    def _done(self, future: Future[None]) -> None:
        self._slots.release()
        error = None if future.cancelled() else future.exception()
        if error is not None and self._failure is None:
            self._failure = error

    def json(self, parts: tuple[str, ...], value: Any, indent: int | None = 2) -> Path:
        """`value` as JSON; `indent=None` is one line, by the C encoder (indented JSON is
        encoded in pure Python, 10x slower: the large data and history files use None)."""
        return self.text(parts, json.dumps(value, indent=indent, ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Wait for every write; the first one that failed raises its OSError here."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self._failure is not None:
            raise self._failure
