"""The comparison rules: like for like, to date, full period, different lengths never judged."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from reportrunner.comparison import decide, same_length, to_date
from reportrunner.windows import Window, offset_zone, progress, resolve_relative

BERLIN = offset_zone(1)
# December 2, 2026, 04:13 in Berlin: two days into the month, as the issue saw it.
DEC_2 = datetime(2026, 12, 2, 3, 13, 30, tzinfo=timezone.utc)


def _rel(name: str, now: datetime = DEC_2) -> Window:
    return resolve_relative(name, now, BERLIN)


def test_months_of_different_day_counts_are_the_same_length_a_month_and_a_year_are_not() -> None:
    feb = Window(datetime(2026, 2, 1, tzinfo=BERLIN), datetime(2026, 3, 1, tzinfo=BERLIN))
    mar = Window(datetime(2026, 3, 1, tzinfo=BERLIN), datetime(2026, 4, 1, tzinfo=BERLIN))
    assert same_length(feb, mar)
    assert same_length(_rel("this-quarter"), _rel("last-quarter"))
    assert not same_length(_rel("this-month"), _rel("last-year"))
    assert not same_length(_rel("this-month"), Window(None, None))


def test_a_running_month_against_last_month_is_compared_to_date() -> None:
    verdict = decide(_rel("this-month"), _rel("last-month"), DEC_2, relative="this-month")
    assert verdict.kind == "to-date" and verdict.judged
    assert verdict.progress is not None and verdict.progress.words() == (
        "month to date, day 2 of 31"
    )
    # The same elapsed span from Nov 1, in whole minutes: Nov 2, 04:13 in Berlin.
    assert verdict.against == Window(
        datetime(2026, 11, 1, tzinfo=BERLIN), datetime(2026, 11, 2, 4, 13, tzinfo=BERLIN)
    )
    assert verdict.compared == _rel("last-month")


def test_a_finished_period_is_like_for_like_and_full_period_is_not_judged_while_running() -> None:
    later = datetime(2027, 1, 5, tzinfo=timezone.utc)
    done = decide(_rel("this-month"), _rel("last-month"), later)
    assert done.kind == "like-for-like" and done.judged and done.progress is None
    full = decide(_rel("this-month"), _rel("last-month"), DEC_2, mode="full-period")
    assert full.kind == "full-period" and not full.judged
    assert full.against == _rel("last-month")


def test_different_lengths_are_never_judged_even_when_both_are_over() -> None:
    later = datetime(2027, 1, 5, tzinfo=timezone.utc)
    for now in (DEC_2, later):
        verdict = decide(_rel("this-month"), _rel("last-year"), now)
        assert verdict.kind == "different-lengths" and not verdict.judged


def test_progress_counts_local_days_and_is_none_outside_the_window() -> None:
    quarter = progress(_rel("this-quarter"), DEC_2, "this-quarter")
    assert quarter is not None and quarter.words() == "quarter to date, day 63 of 92"
    assert progress(_rel("last-month"), DEC_2) is None
    assert progress(Window(None, None), DEC_2) is None
    custom = progress(_rel("this-week"), DEC_2)
    assert custom is not None and custom.unit == "period" and custom.days == 7


def test_to_date_is_whole_minutes_at_least_one_and_never_past_the_compared_end() -> None:
    month = _rel("last-month")
    assert month.start is not None and month.end is not None
    assert to_date(month, timedelta(seconds=5)).end == month.start + timedelta(minutes=1)
    assert to_date(month, timedelta(days=40)).end == month.end
