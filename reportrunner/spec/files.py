"""Which files are specs, and how diagnostics name them.

Folders are searched recursively for `*.yaml` / `*.yml`, skipping hidden folders (.github,
.git) and the project file. Names are relative to the project root (or the current folder)
and computed with string work only: a run may name ten thousand files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from reportrunner.errors import UsageError
from reportrunner.spec.project import PROJECT_FILE, printable

SPEC_SUFFIXES = (".yaml", ".yml")


def name_problem(path: Path) -> str | None:
    """Why a spec's file name is shown escaped (None when it is plain text)."""
    if str(path).isprintable():
        return None
    return (
        "the file name is not valid UTF-8 or holds control characters; it is shown escaped "
        "in messages and on the site: rename the file to plain text"
    )


class Namer:
    """Short, stable, printable names for diagnostics: relative to the root (or cwd).

    The bases are computed once; naming a file is string work only, no file-system calls.
    """

    def __init__(self, root: Path) -> None:
        self.bases = [str(root.absolute()), str(Path.cwd())]

    def __call__(self, path: Path) -> str:
        text = str(path) if path.is_absolute() else str(Path.cwd() / path)
        for base in self.bases:
            prefix = base.rstrip(os.sep) + os.sep
            if text.startswith(prefix):
                return printable(Path(text[len(prefix) :]).as_posix())
        return printable(path.as_posix())


def collect_files(paths: Sequence[Path], root: Path) -> list[Path]:
    """Spec files named by `paths`: files as given, folders searched for *.yaml / *.yml.

    Hidden folders (.github, .git, …) and the project file itself are skipped.
    """
    project = str((root / PROJECT_FILE).absolute())
    found: dict[Path, None] = {}

    def unreadable(exc: OSError) -> None:
        # A folder that cannot be listed is kept as an entry of its own, so loading it becomes
        # a diagnostic instead of its specs silently missing from the run.
        found.setdefault(Path(str(exc.filename)), None)

    for path in paths:
        if path.is_file():
            found[path] = None
        elif path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path, onerror=unreadable):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if not name.endswith(SPEC_SUFFIXES):
                        continue
                    candidate = Path(dirpath, name)
                    if name != PROJECT_FILE or str(candidate.absolute()) != project:
                        found[candidate] = None
        else:
            raise UsageError(
                f"{path}: no such file or folder",
                hint="pass spec files or folders (default: specs/)",
            )
    return list(found)
