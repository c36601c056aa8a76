"""Report folders built in worker processes when a site has many reports.

Building a report's folder (view model, trend charts, templates, JSON) is CPU work, and every
report is independent: with many reports, a few forked processes build them side by side (on
2 cores, close to twice as fast). The workers inherit the main process's `Renderer` (the same
templates, compiled, in the same sandbox), the secrets to mask and the staging folder, so they
build exactly what it would, and each writes its reports' files itself, through a `SiteWriter`
of its own that masks the same secrets (sending the texts back, some 70 MB for a site, cost
the main process as much as writing them). Error isolation is unchanged: `build_report` fails
a report alone, and anything else a worker raises (a template error that stops the whole
site) makes the main process build that report itself, raising the same error with its
context (exceptions do not cross processes whole); a worker that dies leaves the rest of the
reports to the main process, once every other worker has stopped writing."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from reportrunner.site import history
from reportrunner.site.files import id_problem
from reportrunner.site.indexview import IndexEntry
from reportrunner.site.render import Renderer
from reportrunner.site.report import Carried, PublishedReport, ReportItem, build_report
from reportrunner.site.writer import Sink, SiteWriter

#: Reports from which a site is built in worker processes: starting them costs a fraction of
#: a second, which a few dozen reports (or fewer with long histories) earn back.
MIN_REPORTS = 48
#: Reports handed to a worker at a time (fewer round trips; the order is kept).
CHUNK = 4


def build_one(
    writer: Sink,
    renderer: Renderer,
    given_item: ReportItem | Carried,
    given: history.History | None,
    site: Path,
) -> Built:
    """One report's folder and its history file (the same in a worker and in-process), the
    warnings reading its history gave (`history.Unread` is read here), and the status the
    report came with (`Carried` is read here too)."""
    item = given_item if isinstance(given_item, ReportItem) else given_item.item()
    snapshots, warnings, verbatim = history.resolve(given)
    report, entry = build_report(writer, renderer, item, snapshots, site)
    if snapshots and not id_problem(item.id):
        where = ("history", f"{item.id}.json")
        if verbatim is not None:  # the file read, checked in full and unchanged: as it was
            writer.text(where, verbatim)
        else:
            writer.json(where, history.document(item.id, snapshots), None)
    return report, entry, warnings, item.status


Job = tuple["ReportItem | Carried", "history.History | None", Path]
#: A built report: its manifest entry, index entry, warnings, and the status it came with.
Built = tuple[PublishedReport, IndexEntry, list[str], str]


class _Worker:
    """What a worker builds with: the parent's renderer, the site's jobs, the staging folder
    and the secrets, inherited by fork (set before it). A worker is sent only a job's index:
    pickling each report's data to the workers cost the main process about as much as
    building the pages cost a worker."""

    renderer: Renderer | None = None
    jobs: Sequence[Job] = ()
    root: Path | None = None
    secrets: Sequence[str] = ()
    writer: SiteWriter | None = None  # made in each worker at its first job


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
    if _Worker.renderer is None or _Worker.root is None or index >= len(_Worker.jobs):
        return None  # pragma: no cover - set before the fork
    try:
        if _Worker.writer is None:  # no threads: a job's files are written when it returns
            _Worker.writer = SiteWriter(_Worker.root, _Worker.secrets, threads=1)
            _Worker.writer.mkdir("history")  # made by the main process: now known here
        return build_one(_Worker.writer, _Worker.renderer, *_Worker.jobs[index])
    except Exception:
        return None


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
        items: Sequence[ReportItem | Carried],
        histories: Mapping[str, history.History],
        site: Path,
        root: Path,
        secrets: Sequence[str] = (),
    ) -> None:
        """`site` is the previous site (pages a report keeps), `root` the staging folder the
        workers write into, with `secrets` masked."""
        self.renderer = renderer
        self._jobs: list[Job] = [(item, histories.get(item.id), site) for item in items]
        self._root, self._secrets = root, tuple(secrets)
        self._count = workers(len(items))
        self._pool: ProcessPoolExecutor | None = None
        self._collections: tuple[tuple[int, int, int], bool] | None = None

    def __enter__(self) -> Builder:
        self._collections = _fewer_collections()
        if self._count:
            _Worker.renderer, _Worker.jobs = self.renderer, self._jobs
            _Worker.root, _Worker.secrets, _Worker.writer = self._root, self._secrets, None
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
        _Worker.renderer, _Worker.jobs, _Worker.root, _Worker.secrets = None, (), None, ()
        if self._collections is not None:
            _restore_collections(self._collections)
            self._collections = None

    def build(self, writer: Sink) -> Iterator[Built]:
        """Every report's folder and history file, in the order of the items given (the
        workers' written by them, the rest through `writer`), with what `build_one` says."""
        done = 0
        jobs = self._jobs
        if self._pool is not None:
            try:
                for built in self._pool.map(_build, range(len(jobs)), chunksize=CHUNK):
                    yield build_one(writer, self.renderer, *jobs[done]) if built is None else built
                    done += 1
            except (BrokenProcessPool, pickle.PicklingError):
                # A worker died (killed, out of memory): the others are stopped before the
                # rest is built here, so none writes a file this process writes too.
                self._pool.shutdown(wait=True, cancel_futures=True)
        for job in jobs[done:]:
            yield build_one(writer, self.renderer, *job)
