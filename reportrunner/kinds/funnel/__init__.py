"""The opportunity funnel (`POST /report/funnel/opportunity/{totals,stages}/`) as a report kind.

Its own modules are here (metrics.py, the metric table; shape.py, the answer check) and
adapter.py, the `KIND` over the parts that still serve every kind: fetch/plan.py's plan types
(the funnel plan beside them), site/viewmodel.py (the funnel's view, whose metric and
comparison helpers the activity view reuses), site/render.py's outputs and site/history.py's
snapshot. The funnel's parts of those modules have not moved here yet: they are interleaved
with helpers every kind uses, and separating them is left for a later change.
"""

from __future__ import annotations

from reportrunner.kinds.funnel.adapter import KIND

__all__ = ["KIND"]
