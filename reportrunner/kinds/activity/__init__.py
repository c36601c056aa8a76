"""The activity report (`POST /report/activity/`) as a report kind: overview and comparison.

plan.py builds the requests (the compared one from `compare:`, periods.py), shape.py checks
Close's answers, view.py (with tables.py, compared.py, words.py, runs.py) turns a data.json
into what templates/activity/ show. docs/architecture.md, "How to add a kind", walks through it.
"""

from __future__ import annotations

from reportrunner.kinds.activity.kind import KIND

__all__ = ["KIND"]
