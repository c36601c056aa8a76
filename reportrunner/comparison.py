"""When a report's change may be judged better or worse, and over which span of the compared period.

A sales reader sees a red arrow as an alarm, so an arrow is only coloured when the two windows
are like for like. The rules live here, once, for the planner (which fetches the extra span) and
for the view (which says what was compared):

- windows of about the same length (a 28-day February is still "a month", hence `SAME_LENGTH`)
  whose base period is over are **like for like**;
- when the base period is still running (this month on the 2nd), the compared period is taken
  **to date**: the same elapsed span from its start, fetched as one more request
  (`compared_custom_range`), so two days are compared with two days;
- a spec may ask for the **full period** instead (`comparison: full-period`): both figures are
  shown, the change is not judged while the base period runs;
- windows of different lengths (a month against a year) or without bounds (`all-time`) are
  **never judged**: both figures, and the reason in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from reportrunner.windows import Progress, Window, progress

ComparisonMode = Literal["to-date", "full-period"]
ComparisonKind = Literal["like-for-like", "to-date", "full-period", "different-lengths"]
MODES: tuple[ComparisonMode, ...] = ("to-date", "full-period")
#: Shorter window ÷ longer window at or above which two windows count as the same length.
SAME_LENGTH = 0.9
#: The to-date span is whole minutes (Close takes date-times without fractions; dedupes too).
_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Comparison:
    kind: ComparisonKind
    compared: Window  # the whole compared period, as the spec names it
    #: The compared span the headline is judged against: `compared`, or its to-date part.
    against: Window
    progress: Progress | None  # of the base window; None when it is over

    @property
    def judged(self) -> bool:
        """True when better/worse (and colour) may be shown."""
        return self.kind in ("like-for-like", "to-date")


def same_length(first: Window, second: Window) -> bool:
    """Both windows bounded and of about the same length (see `SAME_LENGTH`)."""
    if None in (first.start, first.end, second.start, second.end):
        return False
    assert first.start and first.end and second.start and second.end
    one = (first.end - first.start).total_seconds()
    two = (second.end - second.start).total_seconds()
    return one > 0 and two > 0 and min(one, two) / max(one, two) >= SAME_LENGTH


def to_date(compared: Window, elapsed: timedelta) -> Window:
    """The first `elapsed` of the compared window, in whole minutes (at least one)."""
    assert compared.start is not None and compared.end is not None
    span = max(_STEP, elapsed // _STEP * _STEP)
    return Window(compared.start, min(compared.start + span, compared.end))


def decide(
    base: Window,
    compared: Window,
    now: datetime,
    *,
    mode: ComparisonMode = "to-date",
    relative: str | None = None,
) -> Comparison:
    """The comparison of `base` with `compared` seen at `now` (`relative`: base's range name)."""
    running = progress(base, now, relative)
    if not same_length(base, compared):
        return Comparison("different-lengths", compared, compared, running)
    if running is None:
        return Comparison("like-for-like", compared, compared, None)
    if mode == "full-period":
        return Comparison("full-period", compared, compared, running)
    return Comparison("to-date", compared, to_date(compared, running.elapsed), running)
