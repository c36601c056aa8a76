"""The synthetic organisation's activities as stored for reports: series per user and leaf.

Each user's events are kept per *leaf* (the finest split a metric can ask for, e.g. answered
outbound power-dialer calls) as sorted times with prefix sums of their weights (durations,
values), so any window is two binary searches: an overview of a year by day costs no more than
one total. activitygen.py generates them (calls, e-mails, SMS, meetings, notes, and the
opportunities' created/won/lost events); `store_for` does it on the first activity request of a
dataset and caches the result, since it takes about a second.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate

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


@dataclass
class ActivityStore:
    """Every user's series by leaf, plus the same restricted to a saved search (on demand)."""

    dataset: Dataset
    series: dict[str, dict[str, Series]]
    _filtered: dict[str, dict[str, dict[str, Series]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def for_search(self, search: org.SavedSearch | None) -> dict[str, dict[str, Series]]:
        """The series of the leads in `search` (prospects are in none), or all of them."""
        if search is None:
            return self.series
        with self._lock:
            if search.id not in self._filtered:
                opps = self.dataset.opportunities
                members = {i for i, o in enumerate(opps) if matches_saved_search(search, o)}
                self._filtered[search.id] = {
                    user: {leaf: _restrict(s, members.__contains__) for leaf, s in leaves.items()}
                    for user, leaves in self.series.items()
                }
            return self._filtered[search.id]


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


def store_for(dataset: Dataset) -> ActivityStore:
    """The activities of `dataset`, generated on first use and cached per (seed, now, org).

    Display names (`with_names`) do not change activities, so renamed datasets share a store.
    The lock makes concurrent first requests wait for one generation instead of racing.
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
