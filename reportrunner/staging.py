"""Build a folder beside its destination and swap it in with renames, never half-written.

The staging folder lives in the destination's parent (same file system, so `rename` is atomic).
The swap moves the old folder aside, renames the new one into place and only then deletes the
old one; if the second rename fails the old folder is put back. A process killed between the two
renames leaves `.<name>.previous-*`, which the next build renames back before doing anything.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reportrunner.errors import ReportRunnerError, UsageError

#: Staging folders older than this are leftovers of a killed run and are removed.
LEFTOVER_SECONDS = 6 * 3600


def check_destination(out: Path) -> None:
    """Refuse to replace a file, or a non-empty folder that is not a reportrunner site."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder", hint="choose a folder path.")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise UsageError(
            f"refusing to replace {out}: it is not empty and holds no manifest.json, so it is "
            "not a site reportrunner built",
            hint="choose a new or empty folder for --out (the whole folder is replaced).",
        )


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


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold a lock on `out`'s parent folder so two builds never swap the same site at once.

    The lock is `flock` on the folder itself (no lock file to leave behind); it is released
    when the process ends, however it ends. Without `fcntl` (Windows) there is no lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(out.parent, os.O_RDONLY)
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"another reportrunner is writing a site in {out.parent} right now",
                hint="wait for it to finish (in CI, give the publishing jobs one concurrency "
                "group), then run again.",
            ) from None
        yield
    finally:
        os.close(handle)  # closing the descriptor releases the lock


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """Yield an empty folder beside `out`; swap it in if the block finishes, else delete it.

    File-system failures (a read-only or missing parent, a full disk) become errors that name
    the folder, instead of looking like a bug; the previous site is left as it was.
    """
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        check_destination(out)
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
