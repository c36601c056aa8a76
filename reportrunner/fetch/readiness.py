"""Which reports have every request answered: linear bookkeeping for the runner.

The runner learns of one answered request at a time. Rescanning every pending report after
each answer made a run quadratic (6.9 s of bookkeeping at 2,000 reports, issue 14); this
tracker keeps, per report, the number of its distinct requests still unanswered and, per
request key, the reports waiting for it, so each answer costs only the reports that share it.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportrunner.fetch.plan import ReportPlan


class Readiness:
    """Counts of unanswered requests per report; `answered(key)` returns the reports now done.

    Reports are returned in plan order within one call. Nothing is returned until `open()`
    (the runner opens once the names are fetched: every report needs them).
    """

    def __init__(self, reports: Sequence[ReportPlan]) -> None:
        self._reports = list(reports)
        self._left: list[int] = []
        self._waiting: dict[str, list[int]] = {}
        for index, report in enumerate(self._reports):
            keys = {request.key for request in report.requests}
            self._left.append(len(keys))
            for key in keys:
                self._waiting.setdefault(key, []).append(index)
        self._opened = False

    def answered(self, key: str) -> list[ReportPlan]:
        """Record that `key` is answered; the reports whose last request it was (if open)."""
        ready: list[int] = []
        for index in self._waiting.pop(key, ()):
            self._left[index] -= 1
            if self._left[index] == 0:
                ready.append(index)
        if not self._opened:
            return []  # `open()` returns them
        return [self._reports[index] for index in sorted(ready)]

    def open(self) -> list[ReportPlan]:
        """From now on complete reports are returned; those complete already, in plan order."""
        self._opened = True
        return [self._reports[i] for i, left in enumerate(self._left) if left == 0]
