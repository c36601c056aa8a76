"""Build a folder beside its destination and swap it in with renames, never half-written.

The staging folder lives in the destination's parent (same file system, so `rename` is atomic).
The swap moves the old folder aside, renames the new one into place and only then deletes the
old one; if the second rename fails the old folder is put back. A process killed between the two
renames leaves `.<name>.previous-*`, which the next build renames back before doing anything.

Kept generic: whether a non-empty folder may be replaced is the caller's `Owner` callback
(site/build.py recognises its own manifest); here live the checks any replaced folder needs (not a
file, not `/`, home, the current folder or a parent), following a symlinked destination to its
target, and the per-folder lock (`exclusive`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportrunner.errors import ReportRunnerError, UsageError

#: Staging folders older than this are leftovers of a killed run and are removed.
LEFTOVER_SECONDS = 6 * 3600


#: Why a non-empty folder may not be replaced (None when it is ours); the caller decides.
Owner = Callable[[Path], "str | None"]


def destination(out: Path) -> Path:
    """The absolute folder `out` names; a symbolic link is followed to the folder it points at.

    Swapping renames: done on a link, it would replace the link with a real folder and the
    folder actually served would never change again. So the link's target is what is built
    and swapped, and the link keeps pointing at it.
    """
    out = Path(os.path.abspath(out))  # noqa: PTH100 - absolute without following links
    if not out.is_symlink():
        return out
    try:
        target = out.resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling link or a loop
        raise UsageError(
            f"--out {out} is a symbolic link to {out.readlink()}, which does not exist",
            hint="create the folder it points at, or remove the link and run again.",
        ) from None
    return target


def check_destination(out: Path, owner: Owner | None = None) -> None:
    """Refuse a file, a folder holding the current one, and a non-empty folder not ours."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder", hint="choose a folder path.")
    what = _protected(out.resolve())
    if what:
        raise UsageError(
            f"refusing to replace {out}: it is {what} (the root, your home folder, or the "
            "current folder or one of its parents; the whole --out folder is replaced)",
            hint="choose a folder of its own for the site, for example --out site.",
        )
    if out.is_dir() and any(out.iterdir()):
        problem = owner(out) if owner else "it is not empty"
        if problem:
            raise UsageError(
                f"refusing to replace {out}: {problem}, so it is not a site reportrunner built",
                hint="choose a new or empty folder for --out (the whole folder is replaced); "
                "nothing was changed.",
            )


def _protected(real: Path) -> str | None:
    """What a folder that must never be replaced is (None for any other folder)."""
    here = Path.cwd().resolve()
    try:
        home: Path | None = Path.home().resolve()
    except (KeyError, RuntimeError):  # no HOME and no passwd entry
        home = None
    if real.parent == real:
        return "the root of the file system"
    if real == home:
        return "your home folder"
    if real == here:
        return "the current folder"
    if real in here.parents:
        return "a parent of the current folder"
    return None


def recover(out: Path, *, locked: bool = False) -> None:
    """Undo a swap that was cut between its two renames; drop staging leftovers.

    With `locked` (the caller holds `exclusive(out)`), no other build can be writing beside
    `out`, so every staging folder there is a leftover of a killed or interrupted run.
    """
    previous = sorted(out.parent.glob(f".{out.name}.previous-*"), key=lambda p: p.stat().st_mtime)
    if not out.exists() and previous:
        previous.pop().replace(out)
    cutoff = time.time() - LEFTOVER_SECONDS
    for leftover in previous:
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        # Unlocked, a younger one may belong to a build running right now; leave it alone.
        if locked or leftover.stat().st_mtime < cutoff:
            shutil.rmtree(leftover, ignore_errors=True)


def swap(staging: Path, out: Path) -> None:
    """Rename `staging` to `out`; the previous folder is moved aside first, then deleted."""
    previous = None
    if out.exists():
        previous = out.parent / f".{out.name}.previous-{os.getpid()}-{secrets.token_hex(4)}"
        out.replace(previous)
    try:
        staging.replace(out)
    except BaseException:
        if previous is not None:
            previous.replace(out)
        raise
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


@dataclass(frozen=True)
class SiteLock:
    """Proof that this process holds the lock of one output folder (see `exclusive`)."""

    folder: Path


@contextmanager
def exclusive(out: Path) -> Iterator[SiteLock]:
    """Hold the lock of the one output folder `out` (a real folder path, see `destination`).

    The lock is `flock` on `.<name>.lock` beside `out`, so two builds never swap the same site
    at once while builds of sibling folders proceed. The file is removed on release; a process
    that opened it just before then finds, once locked, that the name points elsewhere and
    tries again. The kernel drops the lock however the process ends. Without `fcntl`
    (Windows) there is no lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield SiteLock(out)
        return
    path = out.parent / f".{out.name}.lock"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = _locked(fcntl, path, out)
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    try:
        yield SiteLock(out)
    finally:
        with suppress(OSError):
            path.unlink()
        os.close(handle)  # closing the descriptor releases the lock


def _locked(fcntl: Any, path: Path, out: Path) -> int:
    """An open, locked descriptor of the lock file at `path` (refused if another holds it)."""
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            raise UsageError(
                f"another reportrunner is writing the site {out} right now",
                hint="wait for it to finish (in CI, give the publishing jobs one concurrency "
                "group), then run again.",
            ) from None
        try:
            same = os.path.samestat(os.fstat(handle), path.stat())
        except FileNotFoundError:
            same = False
        if same:
            return handle
        os.close(handle)  # the holder removed it as we opened it: lock the new one


@contextmanager
def staged(out: Path, owner: Owner | None = None) -> Iterator[Path]:
    """Yield an empty folder beside `out`; swap it in if the block finishes, else delete it.

    `out` must be what `destination` returned; `owner` says whether a non-empty `out` may be
    replaced (see `check_destination`).

    File-system failures (a read-only or missing parent, a full disk) become errors that name
    the folder, instead of looking like a bug; the previous site is left as it was.
    """
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        check_destination(out, owner)
        recover(out)
        folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    try:
        folder.chmod(0o755)  # mkdtemp makes it private; a published site is world-readable
        yield folder
        swap(folder, out)
    except OSError as exc:
        raise ReportRunnerError(
            f"could not finish writing the site to {out}: {_reason(exc)}; "
            "the previous site is unchanged",
            hint="free some disk space or fix the folder's permissions, then run again.",
        ) from None
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


def _reason(exc: OSError) -> str:
    """`strerror: file` of a file-system error, without Python's `[Errno n]` noise."""
    reason = exc.strerror or type(exc).__name__
    return f"{reason}: {exc.filename}" if exc.filename else reason


def _cannot_write(out: Path, exc: OSError) -> UsageError:
    return UsageError(
        f"cannot write the site to {out}: {_reason(exc)}",
        hint="choose an --out folder in a writable place.",
    )


def inside(root: Path, *parts: str) -> Path:
    """`root/parts…`, refusing any result outside `root` (absolute parts, `..`, links)."""
    target = root.joinpath(*parts).resolve()
    base = root.resolve()
    if target != base and base not in target.parents:
        raise UsageError(f"refusing to write {'/'.join(parts)!r}: it is outside {root}")
    return target
