"""A report's status in a sales reader's words; the technical error goes behind a toggle.

"Close answered 400 to the stages request of report 'renewals-stages': specs/…:9: pipeline:
Object does not exist" is for whoever maintains the specs. A reader needs to know whether the
numbers can be trusted and since when: "These numbers are from Nov 23, 2026; the latest
refresh failed." The error text is still shown in full (`details`), never replaced.
"""

from __future__ import annotations

import re
from typing import Literal

Cause = Literal["settings", "access", "unreachable", "other"]

# Checked in order on the error text that fetch/reportdata.py / site/build.py wrote.
_CAUSES: tuple[tuple[Cause, re.Pattern[str]], ...] = (
    ("access", re.compile(r"\b(401|403)\b|api key|unauthori[sz]ed|forbidden", re.I)),
    ("settings", re.compile(r"\b(400|404|422)\b|invalid spec|is required|not a valid", re.I)),
    (
        "unreachable",
        re.compile(r"\b(429|5\d\d)\b|timed? ?out|timeout|connection|unreachable|rate", re.I),
    ),
)
_WHY: dict[Cause, str] = {
    "settings": "Close did not accept this report's settings; whoever maintains the reports "
    "needs to fix its spec.",
    "access": "reportrunner was not allowed to read this report from Close (the API key).",
    "unreachable": "Close could not be reached or was busy; the next scheduled run will try again.",
    "other": "Something went wrong while fetching this report.",
}


def cause_of(error: str | None) -> Cause:
    """The kind of failure an error text describes, for the sentence a reader sees."""
    for cause, pattern in _CAUSES:
        if error and pattern.search(error):
            return cause
    return "other"


def stale_words(day: str, error: str | None) -> str:
    """The stale banner: how old the numbers are, that the refresh failed, and why in brief."""
    return f"These numbers are from {day}; the latest refresh failed. {_WHY[cause_of(error)]}"


def failed_words(error: str | None) -> str:
    """A report that never had good data: no numbers yet, and why in brief."""
    return f"No numbers yet: this report could not be fetched. {_WHY[cause_of(error)]}"
