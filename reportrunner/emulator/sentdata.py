"""The synthetic organisation's e-mail templates, and which template each sent e-mail used.

The sends are the activity data's own sent e-mails (activitygen.py: manual, sequence and bulk,
each already opened or not and replied or not), so the sent-emails report's "All Emails" row
counts exactly what the activity report's `emails.sent.all.count`, `emails.opened.all.count`
and `emails.sent.*_with_reply.count` count. This module only adds a template to each e-mail:
every sequence e-mail uses one of the sequence templates, 45 % of manual e-mails one of the
manual templates (shared ones, or a personal one of their sender), and each bulk campaign one
bulk template. Two templates get worse over the last three calendar weeks: the choice steers opened
(and more so replied) e-mails away from them, so their rates fall without changing any total.
A calendar month is assigned when a request first needs it, from its own random stream (seed,
organisation, user, month, leaf), and kept per dataset, like the activities.
"""

from __future__ import annotations

import random
import threading
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from reportrunner.emulator import activitydata
from reportrunner.emulator.activitycatalogue import EMAIL_SENT_LEAVES
from reportrunner.emulator.activitydata import Month
from reportrunner.emulator.dataset import DAY, Dataset
from reportrunner.emulator.statusdata import derived_id

#: Share of manual e-mails written from a template (sequence and bulk e-mails always are).
MANUAL_TEMPLATED = 0.45
#: A declining template's weight on opened e-mails (replied ones: its square) by calendar week
#: (Monday to Monday on the organisation's clock): this week, last week, the week before; 1
#: earlier. Calendar weeks, so that "last week against the week before" falls on any weekday.
DECLINE: tuple[float, ...] = (0.1, 0.25, 0.6)
NO_TEMPLATE = -1


@dataclass(frozen=True)
class Template:
    """One e-mail template: what it is used for and how often (a relative weight).

    `owner` is the position in `Dataset.users` of a personal (not shared) template's owner;
    only that user sends it. `retired_days`: used only for e-mails older than that many days.
    """

    name: str
    kind: str  # "manual" | "sequences" | "bulk"
    weight: float
    is_shared: bool = True
    owner: int | None = None
    declining: bool = False
    retired_days: float | None = None


TEMPLATES: tuple[Template, ...] = (
    Template("Intro — first touch", "sequences", 4.0),
    Template("Follow-up #1", "sequences", 3.0, declining=True),
    Template("Follow-up #2", "sequences", 2.0),
    Template("Break-up e-mail", "sequences", 1.0),
    Template("Demo recap", "manual", 4.0, declining=True),
    Template("Meeting request", "manual", 2.5),
    Template("Pricing & terms <Q4>", "manual", 2.0),  # markup characters: views must escape
    Template('Case study: "Northwind"', "manual", 1.5),
    Template("Quick check-in", "manual", 3.0, is_shared=False, owner=1),
    Template("Personal follow-up", "manual", 3.0, is_shared=False, owner=2),
    Template("Monthly newsletter", "bulk", 3.0),
    Template("Promo Email", "bulk", 2.0),
    Template("Webinar invite", "bulk", 2.0),
    Template("Launch announcement", "bulk", 2.0, retired_days=180.0),
)


def template_id(dataset: Dataset, template: Template) -> str:
    """The template's id (`tmpl_…`), stable per organisation and name."""
    return derived_id("tmpl_", dataset.organization_id, "email-template", template.name)


def _week_starts(dataset: Dataset) -> list[float]:
    """The starts of this week and the weeks of DECLINE before it, latest first."""
    local = dataset.now.astimezone(ZoneInfo(dataset.timezone))
    monday = local.date() - timedelta(days=local.weekday())
    return [
        datetime.combine(monday - timedelta(weeks=n), time(0), local.tzinfo).timestamp()
        for n in range(len(DECLINE))
    ]


def _decline(moment: float, week_starts: list[float]) -> float:
    for factor, start in zip(DECLINE, week_starts, strict=True):
        if moment >= start:
            return factor
    return 1.0


def _candidates(kind: str, position: int) -> list[int]:
    """The templates user number `position` may send for e-mails of `kind`."""
    return [
        i
        for i, t in enumerate(TEMPLATES)
        if t.kind == kind and (t.owner is None or t.owner == position)
    ]


def _pick(
    rng: random.Random, choices: list[int], age: float, decline: float, opened: bool, replied: bool
) -> int:
    """A template for an e-mail sent `age` days before now; `decline`: its week's factor."""
    weights = []
    for index in choices:
        template = TEMPLATES[index]
        weight = template.weight
        if template.retired_days is not None and age < template.retired_days:
            weight = 0.0
        elif template.declining and opened:
            weight *= decline * decline if replied else decline
        weights.append(weight)
    roll = rng.random() * sum(weights)
    for index, weight in zip(choices, weights, strict=True):
        roll -= weight
        if roll < 0:
            return index
    # Rounding left the roll at the very end: the last template that could be chosen.
    return next(i for i, w in zip(reversed(choices), reversed(weights), strict=True) if w > 0)


@dataclass(frozen=True)
class Sends:
    """One user's e-mails of one month using one template (or none): sorted send times."""

    total: tuple[float, ...]
    opened: tuple[float, ...]
    replied: tuple[float, ...]

    def count(self, start: float, end: float) -> tuple[int, int, int]:
        """(sent, opened, replied) in the half-open window `[start, end)`."""

        def within(times: tuple[float, ...]) -> int:
            return bisect_left(times, end) - bisect_left(times, start)

        return within(self.total), within(self.opened), within(self.replied)


#: A month of sends: by user id, then by template index (NO_TEMPLATE: written without one).
MonthSends = dict[str, dict[int, Sends]]


def _assign(dataset: Dataset, month: Month, piece: activitydata.Piece) -> MonthSends:
    now = dataset.now.timestamp()
    positions = {u.id: i for i, u in enumerate(dataset.users)}
    weeks = _week_starts(dataset)
    out: MonthSends = {}
    for user, leaves in piece.items():
        position = positions.get(user, -1)
        times: dict[int, tuple[list[float], list[float], list[float]]] = {}
        campaigns: dict[float, int] = {}
        for leaf in EMAIL_SENT_LEAVES:
            series = leaves.get(leaf)
            if series is None:
                continue
            _, _, kind, reply, seen = leaf.split(".")
            opened, replied = seen == "opened", reply == "reply"
            choices = _candidates(kind, position)
            rng = random.Random(
                f"sent:{dataset.seed}:{dataset.org_seed}:{user}:{month[0]}-{month[1]}:{leaf}"
            )
            for moment in series.times:
                age, decline = (now - moment) / DAY, _decline(moment, weeks)
                if kind == "bulk":
                    # A campaign (one moment) goes out from one template, opened or not.
                    if moment not in campaigns:
                        stream = random.Random(f"campaign:{dataset.seed}:{user}:{moment}")
                        campaigns[moment] = _pick(stream, choices, age, 1.0, False, False)
                    index = campaigns[moment]
                elif kind == "manual" and rng.random() >= MANUAL_TEMPLATED:
                    index = NO_TEMPLATE
                else:
                    index = _pick(rng, choices, age, decline, opened, replied)
                lists = times.setdefault(index, ([], [], []))
                lists[0].append(moment)
                if opened:
                    lists[1].append(moment)
                if replied:
                    lists[2].append(moment)
        out[user] = {
            index: Sends(tuple(sorted(a)), tuple(sorted(o)), tuple(sorted(r)))
            for index, (a, o, r) in times.items()
        }
    return out


class SentStore:
    """The template assignment of one dataset's sent e-mails, a month at a time on first use."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._months: dict[Month, MonthSends] = {}
        self._lock = threading.Lock()

    def months(self, start: float, end: float) -> list[MonthSends]:
        """The assigned months holding every sent e-mail of `[start, end)`.

        Concurrent first requests wait for one assignment instead of racing (the activity
        store's own lock is never held while this one is wanted, so no deadlock).
        """
        store = activitydata.store_for(self.dataset)
        keys = store.source.months_between(start, end)
        with self._lock:
            if any(k not in self._months for k in keys):
                # pieces() returns the whole-history opportunity piece first, then the months.
                pieces = store.pieces(None, start, end)[1:]
                for key, piece in zip(keys, pieces, strict=True):
                    if key not in self._months:
                        self._months[key] = _assign(self.dataset, key, piece)
            return [self._months[k] for k in keys]

    @property
    def assigned_months(self) -> set[Month]:
        """The months assigned so far (tests: nothing happens at start-up)."""
        with self._lock:
            return set(self._months)


_STORES: dict[tuple[int, datetime, int | None], SentStore] = {}
_STORES_LOCK = threading.Lock()
_STORES_MAX = 4


def store_for(dataset: Dataset) -> SentStore:
    """The sends of `dataset`, kept per (seed, now, org) for the four most recent datasets."""
    key = (dataset.seed, dataset.now, dataset.org_seed)
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None:
            if len(_STORES) >= _STORES_MAX:
                _STORES.pop(next(iter(_STORES)))
            store = _STORES[key] = SentStore(dataset)
        return store


def stored(dataset: Dataset) -> SentStore | None:
    """The store of `dataset` if a request made one, else None (nothing is generated)."""
    with _STORES_LOCK:
        return _STORES.get((dataset.seed, dataset.now, dataset.org_seed))
