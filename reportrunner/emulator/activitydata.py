"""The synthetic organisation's activities as stored for reports: series per user and leaf.

Each user's events are kept per *leaf* (the finest split a metric can ask for, e.g. answered
outbound power-dialer calls) as sorted times with prefix sums of their weights (durations,
values), so any window is two binary searches: an overview of a year by day costs no more than
one total. activitygen.py generates them (calls, e-mails, SMS, meetings, notes, and the
opportunities' created/won/lost events) one calendar month at a time, when a request first
needs that month; `ActivityStore` keeps each month (and its view through a saved search), and
`store_for` keeps a store per dataset.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate
from typing import Protocol

from reportrunner.emulator import org
from reportrunner.emulator.dataset import Dataset, matches_saved_search

WeightName = str  # "duration" | "value" | "annualized"


@dataclass(frozen=True, slots=True)
class Series:
    """One leaf's events for one user: sorted times (epoch seconds), leads, weight prefix sums.

    `leads[i]` is an index into `Dataset.opportunities` (the event's lead is that opportunity's)
    or negative for a prospect. `prefix[w][i]` is the sum of weight `w` over events `0..i-1`.
    """

    times: tuple[float, ...]
    leads: tuple[int, ...]
    prefix: dict[WeightName, tuple[int, ...]]

    def span(self, start: float, end: float) -> tuple[int, int]:
        """Indices `[i, j)` of the events in the half-open window `[start, end)`."""
        return bisect_left(self.times, start), bisect_left(self.times, end)


#: One user's series by leaf; a piece holds every user's for a stretch of time.
Leaves = dict[str, Series]
Piece = dict[str, Leaves]
Month = tuple[int, int]


class MonthSource(Protocol):
    """Where the activities come from: activitygen.Generator, one month at a time."""

    def months_between(self, start: float, end: float) -> list[Month]: ...

    def month(self, key: Month) -> Piece: ...


@dataclass
class ActivityStore:
    """The activities of one dataset: months generated on first use, saved-search views.

    `opportunities` (the funnel's opportunities as created/won/lost events) covers the whole
    history; activities come in calendar months from `source`. Each month, and its view
    through a saved search, is computed once and kept (a dataset has at most 25 months).
    """

    dataset: Dataset
    source: MonthSource
    opportunities: Piece
    _months: dict[tuple[str | None, Month], Piece] = field(default_factory=dict)
    _filtered: dict[str, Piece] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def pieces(self, search: org.SavedSearch | None, start: float, end: float) -> list[Piece]:
        """The pieces holding every event of `[start, end)`, seen through `search` if given."""
        months = self.source.months_between(start, end)
        with self._lock:
            found = [self._opportunities(search)]
            found += [self._month(search, month) for month in months]
        return found

    @property
    def generated_months(self) -> set[Month]:
        """The months generated so far (for tests and benchmarks: generation is on demand)."""
        with self._lock:
            return {month for _, month in self._months}

    def _keep(self, search: org.SavedSearch) -> Callable[[int], bool]:
        opps = self.dataset.opportunities
        members = {i for i, o in enumerate(opps) if matches_saved_search(search, o)}
        return members.__contains__  # prospects (negative leads) are in no saved search

    def _opportunities(self, search: org.SavedSearch | None) -> Piece:
        if search is None:
            return self.opportunities
        if search.id not in self._filtered:
            self._filtered[search.id] = _restrict_piece(self.opportunities, self._keep(search))
        return self._filtered[search.id]

    def _month(self, search: org.SavedSearch | None, month: Month) -> Piece:
        key = (search.id if search else None, month)
        if key not in self._months:
            if search is None:
                self._months[key] = self.source.month(month)
            else:
                whole = self._month(None, month)
                self._months[key] = _restrict_piece(whole, self._keep(search))
        return self._months[key]


def _restrict_piece(piece: Piece, keep: Callable[[int], bool]) -> Piece:
    return {
        user: {leaf: _restrict(series, keep) for leaf, series in leaves.items()}
        for user, leaves in piece.items()
    }


def _restrict(series: Series, keep: Callable[[int], bool]) -> Series:
    picked = [i for i, lead in enumerate(series.leads) if keep(lead)]
    prefix = {}
    for name, sums in series.prefix.items():
        prefix[name] = tuple(accumulate((sums[i + 1] - sums[i] for i in picked), initial=0))
    return Series(
        tuple(series.times[i] for i in picked), tuple(series.leads[i] for i in picked), prefix
    )


_STORES: dict[tuple[int, datetime, int | None], ActivityStore] = {}
_STORES_LOCK = threading.Lock()
_STORES_MAX = 4


def stored(dataset: Dataset) -> ActivityStore | None:
    """The store of `dataset` if a request has made one, else None (nothing is generated)."""
    with _STORES_LOCK:
        return _STORES.get((dataset.seed, dataset.now, dataset.org_seed))


def store_for(dataset: Dataset) -> ActivityStore:
    """The activities of `dataset`, cached per (seed, now, org); months come on first use.

    Display names (`with_names`) do not change activities, so renamed datasets share a store.
    The locks make concurrent first requests wait for one generation instead of racing.
    """
    key = (dataset.seed, dataset.now, dataset.org_seed)
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None:
            if len(_STORES) >= _STORES_MAX:
                _STORES.pop(next(iter(_STORES)))
            from reportrunner.emulator.activitygen import build

            store = _STORES[key] = build(dataset)
        return store
