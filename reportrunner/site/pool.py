"""Report folders built in worker processes when a site has many reports.

Building a report's folder (view model, trend charts, templates, JSON) is CPU work, and every
report is independent: with many reports, a few forked processes build them side by side (on
2 cores, close to twice as fast). The workers inherit the main process's `Renderer` (the same
templates, compiled, in the same sandbox) and the secrets registered with `redact`, so they
build exactly what it would; they record the files instead of writing them, and the main
process writes the records, in report order, through the one `SiteWriter`, which masks
secrets. Error isolation is unchanged: `build_report` fails a report alone, and anything else
a worker raises (a template error that stops the whole site) makes the main process build that
report itself, raising the same error with its context (exceptions do not cross processes
whole); a worker that dies leaves the rest of the reports to the main process."""

from __future__ import annotations

import ctypes
import gc
import json
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportrunner.site import history
from reportrunner.site.files import id_problem
from reportrunner.site.indexview import IndexEntry
from reportrunner.site.render import Renderer
from reportrunner.site.report import PublishedReport, ReportItem, build_report
from reportrunner.site.writer import Sink

#: Reports from which a site is built in worker processes: starting them costs a fraction of
#: a second, which a few dozen reports (or fewer with long histories) earn back.
MIN_REPORTS = 48
#: Reports handed to a worker at a time (fewer round trips; the order is kept).
CHUNK = 4


@dataclass
class Recorder:
    """A worker's stand-in for the `SiteWriter`: the folders and texts, in order, unwritten."""

    files: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)

    def mkdir(self, *parts: str) -> None:
        self.files.append((parts, None))

    def text(self, parts: tuple[str, ...], text: str) -> None:
        self.files.append((parts, text))

    def json(self, parts: tuple[str, ...], value: Any, indent: int | None = 2) -> None:
        # As SiteWriter.json encodes it: the main process only masks and writes.
        self.text(parts, json.dumps(value, indent=indent, ensure_ascii=False) + "\n")

    def replay(self, writer: Sink) -> None:
        for parts, text in self.files:
            if text is None:
                writer.mkdir(*parts)
            else:
                writer.text(parts, text)


def build_one(
    writer: Sink,
    renderer: Renderer,
    item: ReportItem,
    given: history.History | None,
    site: Path,
) -> tuple[PublishedReport, IndexEntry, list[str]]:
    """One report's folder and its history file (the same in a worker and in-process), and
    the warnings reading its history gave (`history.Unread` is read here)."""
    snapshots, warnings, verbatim = history.resolve(given)
    report, entry = build_report(writer, renderer, item, snapshots, site)
    if snapshots and not id_problem(item.id):
        where = ("history", f"{item.id}.json")
        if verbatim is not None:  # the file read, checked in full and unchanged: as it was
            writer.text(where, verbatim)
        else:
            writer.json(where, history.document(item.id, snapshots), None)
    return report, entry, warnings


Job = tuple[ReportItem, "history.History | None", Path]
Built = tuple[PublishedReport, IndexEntry, list[str], Recorder]


class _Worker:
    """What a worker builds with: the parent's renderer and the site's jobs, inherited by fork
    (set before it). A worker is sent only a job's index: pickling each report's data to the
    workers cost the main process about as much as building the pages cost a worker."""

    renderer: Renderer | None = None
    jobs: Sequence[Job] = ()


#: Signals the main process handles (the CLI stops the run on them); workers leave them to it.
_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _die_with_parent() -> bool:
    """Ask Linux to kill this worker when the main process ends (PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(1, signal.SIGKILL) == 0)
    except (OSError, AttributeError):  # not Linux
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def _worker_start(parent: int) -> None:
    """In each worker: Ctrl-C and SIGTERM are the main process's business, and a worker never
    outlives it. A killed main process would otherwise leave workers holding its descriptors,
    the site lock among them, and the next run would be refused."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    if not _die_with_parent():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it ended before the request took effect
        os._exit(0)


def _build(index: int) -> Built | None:
    if _Worker.renderer is None or index >= len(_Worker.jobs):  # pragma: no cover - set before
        return None
    item, given, site = _Worker.jobs[index]
    recorder = Recorder()
    try:
        report, entry, warnings = build_one(recorder, _Worker.renderer, item, given, site)
    except Exception:
        return None
    return report, entry, warnings, recorder


def workers(reports: int) -> int:
    """Worker processes for a site of `reports` reports (0: build in this process).

    Only by fork, and only while no other thread runs: a lock another thread held would stay
    held in the child (so `serve`, with its server threads, builds in-process), and other start
    methods re-run the caller's main module, which a script calling `site.build.publish` need not
    guard. The workers inherit the renderer, its compiled templates and registered secrets.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if reports < MIN_REPORTS or (cpus or 1) < 2 or threading.active_count() > 1:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(cpus or 1, 8)


#: The youngest generation's threshold while a site is built (Python's default is 700): a
#: history of 365 snapshots decodes into some 20,000 objects, none of them in a cycle, and
#: each default collection walked them again.
BUILD_THRESHOLD = 50_000


def _fewer_collections() -> tuple[tuple[int, int, int], bool]:
    """Collect cyclic garbage less often while a site is built; returns the old thresholds.

    What exists when the build starts (the fetched data, compiled templates) lives through it:
    frozen (`gc.freeze`), collections skip it, and a forked worker's collections do not touch
    (and copy) the pages it shares with the main process. Reference counting still frees
    everything else at once; the cycle collector still runs, only less often. Measured on
    the rebuild of 200 reports x 365 snapshots: 10-15% less CPU. Returns the thresholds to
    restore and whether this call froze (objects a caller froze stay frozen).
    """
    previous = gc.get_threshold()
    froze = gc.get_freeze_count() == 0
    if froze:
        gc.freeze()
    gc.set_threshold(BUILD_THRESHOLD, *previous[1:])
    return previous, froze


def _restore_collections(saved: tuple[tuple[int, int, int], bool]) -> None:
    thresholds, froze = saved
    gc.set_threshold(*thresholds)
    if froze:
        gc.unfreeze()


class Builder:
    """Builds report folders, in worker processes when `workers` says so (a context manager:
    enter it before anything starts a thread, such as the site writer)."""

    def __init__(
        self,
        renderer: Renderer,
        items: Sequence[ReportItem],
        histories: Mapping[str, history.History],
        site: Path,
    ) -> None:
        self.renderer = renderer
        self._jobs: list[Job] = [(item, histories.get(item.id), site) for item in items]
        self._count = workers(len(items))
        self._pool: ProcessPoolExecutor | None = None
        self._collections: tuple[tuple[int, int, int], bool] | None = None

    def __enter__(self) -> Builder:
        self._collections = _fewer_collections()
        if self._count:
            _Worker.renderer, _Worker.jobs = self.renderer, self._jobs
            # A signal landing during the fork would be swallowed by the at-fork handlers
            # (the run would not stop): held back until the workers exist, then delivered.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
            try:
                self._pool = ProcessPoolExecutor(
                    self._count,
                    multiprocessing.get_context("fork"),
                    initializer=_worker_start,
                    initargs=(os.getpid(),),
                )
                self._pool.submit(int).result()  # fork every worker now, while no thread runs
            except (OSError, BrokenProcessPool):
                self.__exit__()  # no workers: built here, as without them
            finally:
                try:
                    signal.pthread_sigmask(signal.SIG_SETMASK, held)
                except BaseException:  # the held signal, raised: no one else will stop them
                    self.__exit__()
                    raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        _Worker.renderer, _Worker.jobs = None, ()
        if self._collections is not None:
            _restore_collections(self._collections)
            self._collections = None

    def build(self, writer: Sink) -> Iterator[tuple[PublishedReport, IndexEntry, list[str]]]:
        """Every report's folder and history file, in the order of the items given, with the
        warnings of reading its history."""
        done = 0
        jobs = self._jobs
        if self._pool is not None:
            try:
                for built in self._pool.map(_build, range(len(jobs)), chunksize=CHUNK):
                    if built is None:
                        yield build_one(writer, self.renderer, *jobs[done])
                    else:
                        built[3].replay(writer)
                        yield built[0], built[1], built[2]
                    done += 1
            except (BrokenProcessPool, pickle.PicklingError):
                pass  # a worker died (killed, out of memory): the rest is built here
        for job in jobs[done:]:
            yield build_one(writer, self.renderer, *job)
