"""One verdict for an invalid reportrunner.yaml, printed the same way by every command.

The file affects every report, so a command that reads it stops before doing anything else:
its diagnostics (file:line:col, as `validate` prints them) go to stderr, then a ProjectError
gives exit status 2 (README's table). Specs' own diagnostics are the calling command's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportrunner.cli._common import say
from reportrunner.errors import ProjectError
from reportrunner.model import Diagnostic, Project


def stop_if_invalid(diagnostics: Sequence[Diagnostic], consequence: str) -> None:
    """Print reportrunner.yaml's diagnostics and raise ProjectError if any is an error.

    `consequence` finishes the sentence "reportrunner.yaml is invalid, so …".
    """
    errors = [d for d in diagnostics if d.severity == "error"]
    if not errors:
        return
    for diagnostic in diagnostics:
        say(str(diagnostic), err=True)
    count = f"{len(errors)} error" + ("s" if len(errors) != 1 else "")
    raise ProjectError(
        f"reportrunner.yaml is invalid ({count} above), so {consequence}",
        hint="fix the lines above; `reportrunner validate` checks the file again.",
    )


def valid_project(root: Path, consequence: str) -> Project:
    """reportrunner.yaml in `root` (defaults when absent), or stop as `stop_if_invalid` says."""
    from reportrunner.spec.validate import check_project

    project, diagnostics = check_project(root)
    stop_if_invalid(diagnostics, consequence)
    return project
