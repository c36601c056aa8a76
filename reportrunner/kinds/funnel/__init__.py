"""The opportunity funnel (`POST /report/funnel/opportunity/{totals,stages}/`) as a report kind.

An adapter over the modules that implemented the funnel before kinds existed (plan.py,
answershape.py, viewmodel.py, render.py's outputs, history.py's snapshot); they move into this
folder with the package layout, and this adapter shrinks to the `KIND` line.
"""

from __future__ import annotations

from reportrunner.kinds.funnel.adapter import KIND

__all__ = ["KIND"]
