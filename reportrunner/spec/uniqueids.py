"""Report ids must be unique: each names an output folder. One error per reuse, on the reuse.

Only the later report (in file order) is wrong: the first keeps its folder and still runs, and
the error points at where the id was first used, so a duplicate is counted once and no
untouched spec gets an annotation in a pull request.
"""

from __future__ import annotations

from reportrunner.model import Diagnostic
from reportrunner.spec.project import Draft


def unique_ids(checked: list[tuple[Draft, list[Diagnostic]]]) -> None:
    """Append an error to the diagnostics of every draft reusing an earlier draft's id."""
    first: dict[str, Draft] = {}
    for draft, diagnostics in checked:
        report_id = draft.data.get("id")
        if not isinstance(report_id, str):
            continue
        earlier = first.setdefault(report_id, draft)
        if earlier is draft:
            continue
        line = earlier.locate("/id").line
        other = (
            f"line {line} of this file" if earlier.file == draft.file else f"{earlier.file}:{line}"
        )
        where = draft.locate("/id")
        diagnostics.append(
            Diagnostic(
                where.file,
                where.line,
                where.column,
                "error",
                f"report id {report_id!r} is already used by {other}; ids must be unique (each "
                "names an output folder): rename this one, or add an id: line",
                "/id",
            )
        )
