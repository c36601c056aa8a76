"""Status histories for the status reports: the leads' (new) and the opportunities' (existing).

A history is `(times, statuses)`: parallel tuples, the first entry the creation, statuses as
indices into the report's status list, never revisiting a status (so "entered" counted in
records and in moves agree). Opportunities keep the funnel's own histories (dataset.py), so
"moved into Won" here is the activity report's `opportunities.won` and the funnel's won.
Leads: every opportunity stands for its lead, as in the activity data (Potential a few days
before the opportunity, Qualified at its creation, Customer when won, Not Interested when
lost; a renewal's lead is already a Customer and becomes a Former Customer if it churns),
plus prospects that never had an opportunity. Built on the first status request for a
dataset (nothing at start-up) and kept per (seed, now, org), like the activities.
"""

from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass

from reportrunner.emulator import org
from reportrunner.emulator.dataset import DAY, HISTORY_DAYS, LOST, Dataset, Opportunity

#: The organisation's lead statuses in its order (labels; ids derive from the organisation).
LEAD_STATUS_LABELS: tuple[str, ...] = (
    "Potential",
    "Qualified",
    "Customer",
    "Bad Fit",
    "Not Interested",
    "Former Customer",
)
POTENTIAL, QUALIFIED, CUSTOMER, BAD_FIT, NOT_INTERESTED, FORMER = range(6)
#: Prospects (leads that never got an opportunity) per opportunity-backed lead.
PROSPECT_RATIO = 1.5

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def derived_id(prefix: str, *parts: str) -> str:
    """A stable Close-looking id (prefix + 43 base-62 characters) from `parts`."""
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(43):
        number, rest = divmod(number, 62)
        chars.append(_BASE62[rest])
    return prefix + "".join(chars)


def lead_statuses(dataset: Dataset) -> tuple[org.LeadStatus, ...]:
    """The lead statuses of the dataset's organisation (ids stable per organisation)."""
    return tuple(
        org.LeadStatus(derived_id("stat_", dataset.organization_id, "lead", label), label)
        for label in LEAD_STATUS_LABELS
    )


@dataclass(frozen=True, slots=True)
class History:
    """One record's status history; `opportunity` is its index in the dataset, or -1."""

    times: tuple[float, ...]
    statuses: tuple[int, ...]
    opportunity: int


def opportunity_statuses(dataset: Dataset) -> list[tuple[org.Pipeline, org.Status]]:
    """Every pipeline's statuses, pipelines in order, each in its own order."""
    return [(p, s) for p in dataset.pipelines for s in p.statuses]


def _opportunity_history(dataset: Dataset, opp: Opportunity, index: int) -> History:
    shape = dataset.shapes[opp.pipeline_id]
    positions = {s.id: i for i, (_, s) in enumerate(opportunity_statuses(dataset))}
    by_stage = {i: positions[s.id] for i, s in enumerate(shape.funnel)}
    by_stage[LOST] = positions[shape.lost.id]
    return History(opp.times, tuple(by_stage[stage] for stage in opp.stages), index)


def _lead_history(
    rng: random.Random, dataset: Dataset, opp: Opportunity, index: int, renewal: bool
) -> History:
    shape = dataset.shapes[opp.pipeline_id]
    won_stage = len(shape.active)
    final = opp.stages[-1]
    if renewal:
        times = [opp.created - round(rng.uniform(30, 400) * DAY)]
        statuses = [CUSTOMER]
        if final == LOST:
            times.append(opp.times[-1])
            statuses.append(FORMER)
        return History(tuple(times), tuple(statuses), index)
    # Potential a few days before the opportunity (an anchor's lead may be created with it).
    lead_start = opp.created - min(round(rng.uniform(0, 21) * DAY), opp.created % 97)
    if lead_start >= opp.created:
        times, statuses = [opp.created], [QUALIFIED]
    else:
        times, statuses = [lead_start, opp.created], [POTENTIAL, QUALIFIED]
    if final == won_stage:
        times.append(opp.times[-1])
        statuses.append(CUSTOMER)
    elif final == LOST:
        times.append(opp.times[-1])
        statuses.append(NOT_INTERESTED)
    return History(tuple(times), tuple(statuses), index)


def _prospect(rng: random.Random, now: float) -> History:
    created = now - round(rng.uniform(0, HISTORY_DAYS) * DAY)
    roll = rng.random()
    if roll < 0.55:
        return History((created,), (POTENTIAL,), -1)
    moved = created + round(rng.lognormvariate(2.0, 0.8) * DAY)
    if moved >= now:
        return History((created,), (POTENTIAL,), -1)
    return History((created, moved), (POTENTIAL, BAD_FIT if roll < 0.8 else NOT_INTERESTED), -1)


@dataclass(frozen=True)
class StatusData:
    leads: tuple[History, ...]
    opportunities: tuple[History, ...]


def _build(dataset: Dataset) -> StatusData:
    rng = random.Random(f"lead-statuses:{dataset.seed}:{dataset.org_seed}")
    renewals = {p.id for p in dataset.pipelines[1:]}
    now = float(int(dataset.now.timestamp()))
    leads = [
        _lead_history(rng, dataset, opp, i, opp.pipeline_id in renewals)
        for i, opp in enumerate(dataset.opportunities)
    ]
    leads += [_prospect(rng, now) for _ in range(int(len(leads) * PROSPECT_RATIO))]
    opps = tuple(
        _opportunity_history(dataset, opp, i) for i, opp in enumerate(dataset.opportunities)
    )
    return StatusData(tuple(leads), opps)


_CACHE: dict[tuple[int, object, int | None], StatusData] = {}
_LOCK = threading.Lock()


def data_for(dataset: Dataset) -> StatusData:
    """The histories of `dataset`, built on first use and kept (the last four datasets)."""
    key = (dataset.seed, dataset.now, dataset.org_seed)
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            if len(_CACHE) >= 4:
                _CACHE.pop(next(iter(_CACHE)))
            found = _CACHE[key] = _build(dataset)
        return found


def stored(dataset: Dataset) -> bool:
    """Whether a request has built the histories of `dataset` (tests: start-up stays flat)."""
    with _LOCK:
        return (dataset.seed, dataset.now, dataset.org_seed) in _CACHE
