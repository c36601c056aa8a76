"""The synthetic organization's opportunities, generated deterministically from a seed and `now`.

The structure (users, groups, pipelines, saved searches) comes from `org.py` (the documented
organization) or `orggen.py` (another one, from `org_seed`); this module
draws about 2,400 opportunities over the 24 months before `now`, each with an owner, a value
in cents and its period, a confidence, a lead source and a timestamped status history that
moves forward through the pipeline's active statuses and ends active, won or lost. Each
history is precomputed once as parallel tuples (stage position, time) so the funnel arithmetic
(funnel.py) answers a report in a few milliseconds. A handful of "anchor" opportunities are
created in the minutes before `now`, so that this-week, this-month and today always have data
in every time zone; last-quarter always has data because of the volume.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from reportrunner.emulator import org

DAY = 86400.0
#: Status-history span of the dataset: the 24 months before `now`.
HISTORY_DAYS = 730
#: The organization was created a little before its first opportunity (all-time lower bound).
ORG_AGE_DAYS = HISTORY_DAYS + 14

LEAD_SOURCES: tuple[tuple[str, int], ...] = (
    ("website", 35),
    ("referral", 20),
    ("outbound", 20),
    ("webinar", 15),
    ("event", 10),
)
PERIOD_MULTIPLIER: dict[str, int] = {"one_time": 1, "monthly": 12, "annual": 1}
#: `large-deals` saved search: annualized value of $50,000 or more.
LARGE_DEAL_CENTS = 5_000_000

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Opportunity:
    """One opportunity with its precomputed status history.

    `stages[i]` is the funnel position entered at `times[i]` (epoch seconds, UTC): 0..n-1 for
    the pipeline's active statuses in order, `n` for won and `LOST` for lost. Histories only
    move forward and the first entry is the creation (position 0), so the furthest position
    reached by a moment is the last non-lost entry at or before it.
    """

    id: str
    pipeline_id: str
    user_id: str
    lead_source: str
    created: float
    value: int  # cents, as entered on the opportunity
    value_period: str  # one_time | monthly | annual
    annualized: int  # cents; monthly ×12, annual and one-time ×1
    confidence: int  # percent, while the opportunity is active
    stages: tuple[int, ...]
    times: tuple[float, ...]


LOST = -1


@dataclass(frozen=True)
class PipelineShape:
    """A pipeline seen as a funnel: its active statuses in order, then won, then lost."""

    pipeline: org.Pipeline
    active: tuple[org.Status, ...]
    won: org.Status
    lost: org.Status

    @property
    def funnel(self) -> tuple[org.Status, ...]:
        """The statuses reported as stages: active ones in order, then won."""
        return (*self.active, self.won)


def pipeline_shape(pipeline: org.Pipeline) -> PipelineShape:
    active = tuple(s for s in pipeline.statuses if s.type == "active")
    won = next(s for s in pipeline.statuses if s.type == "won")
    lost = next(s for s in pipeline.statuses if s.type == "lost")
    return PipelineShape(pipeline, active, won, lost)


@dataclass
class Dataset:
    """The whole synthetic organization at one `now`, with look-up tables by id."""

    seed: int
    now: datetime
    opportunities: tuple[Opportunity, ...]
    users: tuple[org.User, ...] = org.USERS
    groups: tuple[org.Group, ...] = org.GROUPS
    pipelines: tuple[org.Pipeline, ...] = org.PIPELINES
    saved_searches: tuple[org.SavedSearch, ...] = org.SAVED_SEARCHES
    organization_id: str = org.ORGANIZATION_ID
    organization_name: str = org.ORGANIZATION_NAME
    timezone: str = "UTC"  # the key owner's last_used_timezone (/me/)
    org_seed: int | None = None  # None: the documented organization (org.DEFAULT)
    shapes: dict[str, PipelineShape] = field(init=False)
    by_pipeline: dict[str, tuple[Opportunity, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.shapes = {p.id: pipeline_shape(p) for p in self.pipelines}
        grouped: dict[str, list[Opportunity]] = {p.id: [] for p in self.pipelines}
        for opp in self.opportunities:
            grouped[opp.pipeline_id].append(opp)
        self.by_pipeline = {key: tuple(value) for key, value in grouped.items()}

    @property
    def org_created(self) -> datetime:
        return self.now - timedelta(days=ORG_AGE_DAYS)

    def user(self, user_id: str) -> org.User | None:
        return next((u for u in self.users if u.id == user_id), None)

    def user_name(self, user_id: str) -> str:
        """The user's full name; the id itself for a user the organization does not have."""
        user = self.user(user_id)
        return user.full_name if user else user_id

    def group(self, group_id: str) -> org.Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def pipeline(self, pipeline_id: str) -> org.Pipeline | None:
        return next((p for p in self.pipelines if p.id == pipeline_id), None)

    def saved_search(self, search_id: str) -> org.SavedSearch | None:
        return next((s for s in self.saved_searches if s.id == search_id), None)

    @property
    def active_users(self) -> tuple[org.User, ...]:
        return tuple(u for u in self.users if u.active)


def with_names(dataset: Dataset, names: Mapping[str, str]) -> Dataset:
    """The same organization and opportunities with display names replaced, by id.

    Keys are ids of users (the value becomes the whole name: first name, empty last name),
    groups, pipelines, statuses (their labels), saved searches, or the organization. Used to
    serve hostile names (markup, formulas, right-to-left marks, very long strings) to tests.
    """
    known = {dataset.organization_id}
    known |= {u.id for u in dataset.users} | {g.id for g in dataset.groups}
    known |= {p.id for p in dataset.pipelines} | {s.id for s in dataset.saved_searches}
    known |= {s.id for p in dataset.pipelines for s in p.statuses}
    unknown = sorted(set(names) - known)
    if unknown:
        raise ValueError(f"names given for ids the organization does not have: {unknown}")

    def pipeline(p: org.Pipeline) -> org.Pipeline:
        relabelled = tuple(replace(s, label=names.get(s.id, s.label)) for s in p.statuses)
        return replace(p, name=names.get(p.id, p.name), statuses=relabelled)

    return replace(
        dataset,
        users=tuple(
            replace(u, first_name=names[u.id], last_name="") if u.id in names else u
            for u in dataset.users
        ),
        groups=tuple(replace(g, name=names.get(g.id, g.name)) for g in dataset.groups),
        pipelines=tuple(pipeline(p) for p in dataset.pipelines),
        saved_searches=tuple(
            replace(s, name=names.get(s.id, s.name)) for s in dataset.saved_searches
        ),
        organization_name=names.get(dataset.organization_id, dataset.organization_name),
    )


def matches_saved_search(search: org.SavedSearch, opp: Opportunity) -> bool:
    """Whether `opp` belongs to the saved search (see the rules in docs/emulator.md)."""
    if search.rule == "large-deals":
        return opp.annualized >= LARGE_DEAL_CENTS
    if search.rule == "annual-contracts":
        return opp.value_period == "annual"
    if search.rule.startswith("lead-source:"):
        return opp.lead_source == search.rule.split(":", 1)[1]
    raise ValueError(f"saved search {search.id} has an unknown rule {search.rule!r}")


# --- generation -------------------------------------------------------------------------------

# Anchors: opportunities created this many seconds before `now`, in every pipeline.
_ANCHOR_AGES: tuple[int, ...] = (1, 30, 300, 3600)


def _oppo_id(rng: random.Random) -> str:
    return "oppo_" + "".join(rng.choice(_BASE62) for _ in range(43))


def _value(rng: random.Random, renewal: bool) -> tuple[int, str]:
    if renewal:
        period = "annual" if rng.random() < 0.7 else "monthly"
    else:
        roll = rng.random()
        period = "one_time" if roll < 0.4 else ("monthly" if roll < 0.75 else "annual")
    # Log-uniform dollar amounts, rounded to $100: realistic spread with a long tail.
    low, high = {"one_time": (1_000, 80_000), "monthly": (200, 8_000), "annual": (5_000, 120_000)}[
        period
    ]
    dollars = low * (high / low) ** rng.random()
    return max(100, round(dollars / 100) * 100) * 100, period


def _history(
    rng: random.Random,
    created: float,
    now: float,
    advance: tuple[float, ...],
    dwell: tuple[float, ...],
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    stages, times = [0], [created]
    moment = created
    # Some deals move much faster than others (a per-opportunity pace), so even a cohort
    # created this week has a few wins and losses.
    pace = rng.lognormvariate(-0.3, 0.9)
    for index, chance in enumerate(advance):
        # Whole seconds, at least a minute in a stage, lognormal around the stage's mean.
        stay = max(60.0, round(pace * rng.lognormvariate(0.0, 0.6) * dwell[index] * DAY))
        moment += stay
        if moment > now:
            break  # still in this stage today
        if rng.random() < chance:
            stages.append(index + 1)  # next active stage, or won after the last one
            times.append(moment)
        else:
            stages.append(LOST)
            times.append(moment)
            break
    return tuple(stages), tuple(times)


def _confidence(rng: random.Random, stage: int, active_count: int) -> int:
    base = 10 + 80 * stage / max(1, active_count)
    return int(min(95, max(5, round((base + rng.uniform(-10, 10)) / 5) * 5)))


def _owner(
    rng: random.Random, created_days_ago: float, organization: org.Organization, pipeline_id: str
) -> str:
    candidates: list[str] = []
    weights: list[int] = []
    first_pipeline = organization.pipelines[0].id
    for user, weight in zip(organization.users, organization.weights, strict=True):
        if created_days_ago < organization.left_days_ago.get(user.id, -1):
            continue  # created after the owner left
        if created_days_ago > organization.joined_days_ago.get(user.id, HISTORY_DAYS + 1):
            continue  # created before the owner joined
        if pipeline_id != first_pipeline and user.id in organization.first_pipeline_only:
            continue
        candidates.append(user.id)
        weights.append(weight)
    return rng.choices(candidates, weights)[0]


def _make(
    rng: random.Random,
    organization: org.Organization,
    pipeline: org.Pipeline,
    created: float,
    now: float,
) -> Opportunity:
    plan = organization.plans[pipeline.id]
    advance = plan.advance
    days_ago = (now - created) / DAY
    owner = _owner(rng, days_ago, organization, pipeline.id)
    value, period = _value(rng, plan.renewal)
    stages, times = _history(rng, created, now, advance, plan.dwell)
    sources, source_weights = zip(*LEAD_SOURCES, strict=True)
    return Opportunity(
        id=_oppo_id(rng),
        pipeline_id=pipeline.id,
        user_id=owner,
        lead_source=rng.choices(sources, source_weights)[0],
        created=created,
        value=value,
        value_period=period,
        annualized=value * PERIOD_MULTIPLIER[period],
        confidence=_confidence(rng, max(0, stages[-1]), len(advance)),
        stages=stages,
        times=times,
    )


def generate(seed: int, now: datetime | None = None, org_seed: int | None = None) -> Dataset:
    """The dataset for `seed` as seen at `now` (aware; default: the current time).

    The same seed and `now` always give the same opportunities. Creation times are whole
    seconds, denser in recent months (a growing business). Datasets for a pinned `now` are
    cached (they are immutable), so a test suite starting many emulators generates each once.
    `org_seed` None is the documented organization (`org.DEFAULT`); a number generates another
    one, with other ids, names and pipelines (orggen.py).
    """
    if now is None:
        return _generate(seed, datetime.now(timezone.utc), org_seed)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (e.g. datetime.now(timezone.utc))")
    return _cached(seed, now, org_seed)


@lru_cache(maxsize=8)
def _cached(seed: int, now: datetime, org_seed: int | None) -> Dataset:
    return _generate(seed, now, org_seed)


def _generate(seed: int, now: datetime, org_seed: int | None = None) -> Dataset:
    from reportrunner.emulator.orggen import organization_for

    organization = organization_for(org_seed)
    now_ts = float(int(now.timestamp()))
    rng = random.Random(seed)
    opportunities: list[Opportunity] = []
    for pipeline in organization.pipelines:
        count = organization.plans[pipeline.id].count
        for _ in range(count):
            # sqrt skews towards recent dates: twice as many per day now as two years ago.
            fraction = (rng.random() * 3 + 1) ** 0.5 - 1  # in [0, 1), denser near 1
            days_ago = HISTORY_DAYS * (1 - fraction)
            created = now_ts - round(days_ago * DAY)
            opportunities.append(_make(rng, organization, pipeline, created, now_ts))
        for age in _ANCHOR_AGES:
            opportunities.append(_make(rng, organization, pipeline, now_ts - age, now_ts))
    opportunities.sort(key=lambda o: (o.created, o.id))
    return Dataset(
        seed=seed,
        now=now,
        opportunities=tuple(opportunities),
        users=organization.users,
        groups=organization.groups,
        pipelines=organization.pipelines,
        saved_searches=organization.saved_searches,
        organization_id=organization.id,
        organization_name=organization.name,
        timezone=organization.timezone,
        org_seed=org_seed,
    )
