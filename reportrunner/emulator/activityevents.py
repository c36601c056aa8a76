"""Building the series of activitydata.py: event builders, and the opportunities as events.

`EventBuilder` collects one user's events per leaf while activitygen.py generates them, then
freezes them into `Series` (sorted times, leads, prefix sums). `opportunity_series` turns the
funnel's own opportunities into created / won / lost events (with their value and annualized
value), so the activity report's opportunity metrics count exactly what the funnel counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

from reportrunner.emulator.activitydata import Series, WeightName
from reportrunner.emulator.dataset import LOST, Dataset


class LeafBuilder:
    """One leaf's events while generating: parallel lists, appended in time order."""

    __slots__ = ("leads", "times", "weights")

    def __init__(self, weights: tuple[WeightName, ...]) -> None:
        self.times: list[float] = []
        self.leads: list[int] = []
        self.weights: dict[WeightName, list[int]] = {name: [] for name in weights}

    def freeze(self, presorted: bool) -> Series:
        order: Sequence[int] = range(len(self.times))
        if not presorted:
            order = sorted(order, key=lambda i: (self.times[i], self.leads[i]))
        prefix = {
            name: tuple(accumulate((values[i] for i in order), initial=0))
            for name, values in self.weights.items()
        }
        times = tuple(self.times[i] for i in order)
        return Series(times, tuple(self.leads[i] for i in order), prefix)


class EventBuilder:
    """One user's leaves while generating; `leaf(name, weights)` creates a leaf on first use."""

    def __init__(self) -> None:
        self.leaves: dict[str, LeafBuilder] = {}

    def leaf(self, name: str, weights: tuple[WeightName, ...] = ()) -> LeafBuilder:
        found = self.leaves.get(name)
        if found is None:
            found = self.leaves[name] = LeafBuilder(weights)
        return found

    def freeze(self, presorted: bool) -> dict[str, Series]:
        return {name: leaf.freeze(presorted) for name, leaf in self.leaves.items()}


# --- opportunities as events ------------------------------------------------------------------

_MONEY: tuple[WeightName, ...] = ("value", "annualized")


def _opportunity_leaves(dataset: Dataset, builders: dict[str, EventBuilder]) -> None:
    """created / won / lost events from the funnel's own opportunities, per owner."""
    for index, opp in enumerate(dataset.opportunities):
        user = builders[opp.user_id]
        won_stage = len(dataset.shapes[opp.pipeline_id].active)
        events = [("created", opp.created)]
        for stage, moment in zip(opp.stages, opp.times, strict=True):
            if stage == won_stage:
                events.append(("won", moment))
            elif stage == LOST:
                events.append(("lost", moment))
        for event, moment in events:
            leaf = user.leaf(f"opp.{event}.{opp.value_period}", _MONEY)
            leaf.times.append(moment)
            leaf.leads.append(index)
            leaf.weights["value"].append(opp.value)
            leaf.weights["annualized"].append(opp.annualized)


def opportunity_series(dataset: Dataset) -> dict[str, dict[str, Series]]:
    """Every user's opportunity events (created, won, lost) by leaf, over the whole history."""
    builders = {u.id: EventBuilder() for u in dataset.users}
    _opportunity_leaves(dataset, builders)
    return {user: builder.freeze(presorted=False) for user, builder in builders.items()}
