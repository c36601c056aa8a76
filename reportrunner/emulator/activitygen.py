"""Generating the synthetic organisation's activities: calls, e-mails, SMS, meetings, notes.

Generated deterministically from the dataset's seed, organisation and `now` (the same inputs give
the same activities), over the same 24 months as the opportunities, in the organisation's time
zone: working days busier than weekends (Tuesday and Wednesday the busiest, Friday lighter),
working hours 08:00-18:00 peaking late morning, volumes growing with the business and varying
per rep, nothing while a rep was not employed. Every event belongs to a lead: one of the rep's
recent opportunities (each opportunity stands for its own lead, as in the saved searches) or a
prospect without one.

The opportunity leaves (created, won, lost; activityevents.py) are built from the very
opportunities the funnel reports use, which makes "won in the activity report" equal "won in
the funnel" by construction (tests/emulator/test_activity_invariants.py checks it over HTTP).
Activities are generated a calendar month at a time (`Generator.month`), each from its own
random stream, so a report generates only the months it covers. The volumes and shapes are
in docs/emulator.md.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reportrunner.emulator import org
from reportrunner.emulator.activitydata import ActivityStore, Series, WeightName
from reportrunner.emulator.activityevents import EventBuilder, opportunity_series
from reportrunner.emulator.dataset import DAY, HISTORY_DAYS, Dataset
from reportrunner.emulator.orggen import organization_for

#: Relative volume by weekday, Monday first.
WEEKDAY_FACTOR: tuple[float, ...] = (1.0, 1.1, 1.1, 1.05, 0.8, 0.06, 0.03)
#: Mean events per working day of an average rep at the end of the 24 months.
DAILY_MEAN: dict[str, float] = {
    "call.outbound": 16.0,
    "call.inbound": 4.0,
    "email.manual": 11.0,
    "email.sequences": 14.0,
    "email.received": 10.0,
    "sms.sent": 3.0,
    "sms.received": 2.0,
    "meeting": 1.2,
    "note": 4.0,
}
#: How outbound calls are placed (share) and the chance each is answered.
OUTBOUND_VARIANTS: tuple[tuple[str, float, float], ...] = (
    ("regular", 0.55, 0.45),
    ("power_dialer", 0.25, 0.35),
    ("predictive_dialer", 0.10, 0.50),
    ("external", 0.10, 0.40),
)
INBOUND_ANSWERED = 0.8
#: Per e-mail kind: chance the recipient opens it, and replies (a reply implies an open).
EMAIL_KINDS: dict[str, tuple[float, float]] = {
    "manual": (0.55, 0.30),
    "sequences": (0.40, 0.08),
    "bulk": (0.25, 0.03),
}
#: A working day has a bulk campaign with this chance, sent to 20-80 leads at one moment.
BULK_CHANCE = 0.12
MEETING_MINUTES: tuple[tuple[int, int], ...] = ((15, 2), (30, 5), (45, 2), (60, 3))
#: A touch is on one of the rep's opportunities created in this many days, with this chance.
LEAD_RECENT_DAYS = 45
LEAD_OPPORTUNITY_SHARE = 0.6
#: Prospects (leads without an opportunity) rotate weekly among this many per rep.
PROSPECTS_PER_WEEK = 40


# --- generation -------------------------------------------------------------------------------

_PEAK = (11.0 - 8.0) / (18.0 - 8.0)  # where the triangular hour distribution peaks


class _Day:
    """Draws for one rep on one local day: counts, moments and leads."""

    def __init__(self, rng: random.Random, rep: _Rep, day: datetime, now: float) -> None:
        self.rng = rng
        day_start = day.timestamp()
        # 08:00 on the wall clock, so that a day of 23 or 25 hours (DST) keeps its hours.
        self.work_start = datetime.combine(day.date(), time(8), day.tzinfo).timestamp()
        self.now = now
        # The day's leads: the rep's opportunities created in the 45 days before it, or
        # prospects, who rotate weekly.
        self.low = bisect_left(rep.created, day_start - LEAD_RECENT_DAYS * DAY)
        self.high = bisect_left(rep.created, day_start)
        self.opportunity = rep.opportunity
        week = int((day_start - rep.epoch) // (7 * DAY))
        self.prospects = -1 - (rep.position * 1_000_000 + week * PROSPECTS_PER_WEEK)

    def count(self, mean: float) -> int:
        """A Poisson-like draw (normal approximation; cheap and plenty for synthetic data)."""
        if mean <= 0:
            return 0
        return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))

    def moments(self, n: int) -> list[float]:
        """`n` whole-second moments of working hours (08-18, peaking at 11) before now."""
        rnd, sqrt, start = self.rng.random, math.sqrt, self.work_start
        picked = []
        for _ in range(n):
            u = rnd()
            share = sqrt(u * _PEAK) if u < _PEAK else 1.0 - sqrt((1.0 - u) * (1.0 - _PEAK))
            picked.append(float(round(start + share * 36000)))
        picked.sort()
        return [m for m in picked if m < self.now]

    def lead(self) -> int:
        rnd = self.rng.random
        span = self.high - self.low
        if span and rnd() < LEAD_OPPORTUNITY_SHARE:
            return self.opportunity[self.low + int(rnd() * span)]
        return self.prospects - int(rnd() * PROSPECTS_PER_WEEK)


def _calls(day: _Day, out: EventBuilder, scale: float) -> None:
    rnd, lognormal = day.rng.random, day.rng.lognormvariate
    for moment in day.moments(day.count(DAILY_MEAN["call.outbound"] * scale)):
        roll = rnd()
        variant, answered = OUTBOUND_VARIANTS[-1][0], OUTBOUND_VARIANTS[-1][2]
        for name, share, chance in OUTBOUND_VARIANTS:
            roll -= share
            if roll < 0:
                variant, answered = name, chance
                break
        talk = rnd() < answered
        seconds = min(7200, round(lognormal(math.log(180), 0.9))) if talk else 0
        leaf = out.leaf(f"call.outbound.{variant}.{'answered' if talk else 'missed'}", _TALK)
        leaf.times.append(moment)
        leaf.leads.append(day.lead())
        leaf.weights["duration"].append(seconds)
    for moment in day.moments(day.count(DAILY_MEAN["call.inbound"] * scale)):
        talk = rnd() < INBOUND_ANSWERED
        seconds = min(7200, round(lognormal(math.log(240), 0.8))) if talk else 0
        leaf = out.leaf(f"call.inbound.inbound.{'answered' if talk else 'missed'}", _TALK)
        leaf.times.append(moment)
        leaf.leads.append(day.lead())
        leaf.weights["duration"].append(seconds)


def _emails(day: _Day, out: EventBuilder, scale: float) -> None:
    rnd = day.rng.random
    sent = [("manual", m) for m in day.moments(day.count(DAILY_MEAN["email.manual"] * scale))]
    sent += [
        ("sequences", m) for m in day.moments(day.count(DAILY_MEAN["email.sequences"] * scale))
    ]
    if scale > 0.2 and rnd() < BULK_CHANCE:  # a campaign: 20-80 e-mails at one moment
        sent += [("bulk", m) for m in day.moments(1) for _ in range(20 + int(rnd() * 61))]
    sent.sort(key=lambda item: item[1])
    for kind, moment in sent:
        opened_chance, reply_chance = EMAIL_KINDS[kind]
        replied = rnd() < reply_chance
        opened = replied or rnd() < opened_chance
        name = f"email.sent.{kind}.{'reply' if replied else 'noreply'}."
        leaf = out.leaf(name + ("opened" if opened else "unopened"))
        leaf.times.append(moment)
        leaf.leads.append(day.lead())


_TALK: tuple[WeightName, ...] = ("duration",)
_PLAIN = (("email.received", "email.received"), ("sms.sent", "sms.sent"),
          ("sms.received", "sms.received"), ("note", "note"))  # fmt: skip


def _others(day: _Day, out: EventBuilder, scale: float) -> None:
    for kind, name in _PLAIN:
        leaf = out.leaf(name)
        for moment in day.moments(day.count(DAILY_MEAN[kind] * scale)):
            leaf.times.append(moment)
            leaf.leads.append(day.lead())
    minutes, weights = zip(*MEETING_MINUTES, strict=True)
    meetings = out.leaf("meeting", _TALK)
    for moment in day.moments(day.count(DAILY_MEAN["meeting"] * scale)):
        meetings.times.append(moment)
        meetings.leads.append(day.lead())
        meetings.weights["duration"].append(day.rng.choices(minutes, weights)[0] * 60)


def _days(first: datetime, last: datetime) -> Iterable[datetime]:
    day = first
    while day <= last:
        yield day
        day = datetime.combine(day.date() + timedelta(days=1), time(0), tzinfo=day.tzinfo)


class _Rep:
    """One user's generation state: level, employment, the opportunities to pick leads from."""

    def __init__(
        self,
        dataset: Dataset,
        user: org.User,
        position: int,
        organization: org.Organization,
        epoch: float,
    ) -> None:
        self.position = position
        self.epoch = epoch
        self.level = random.Random(f"{dataset.seed}-level-{user.id}").lognormvariate(0.0, 0.25)
        now = dataset.now.timestamp()
        self.joined = now - organization.joined_days_ago.get(user.id, HISTORY_DAYS + 30) * DAY
        self.left = now - organization.left_days_ago.get(user.id, -1) * DAY
        owned = sorted(
            (o.created, i) for i, o in enumerate(dataset.opportunities) if o.user_id == user.id
        )
        self.created = [c for c, _ in owned]
        self.opportunity = [i for _, i in owned]


Month = tuple[int, int]  # (year, month) on the organisation's calendar


class Generator:
    """Generates one calendar month of every user's activities at a time, on demand.

    Each month has its own random stream (seed, user, month), so a month's activities do not
    depend on which other months were generated before: a this-week report generates one or
    two months (tens of milliseconds), an all-time one all 25 (about a second).
    """

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        organization = organization_for(dataset.org_seed)
        self.zone = ZoneInfo(dataset.timezone)
        self.now = float(int(dataset.now.timestamp()))
        self.local_now = dataset.now.astimezone(self.zone)
        first = (self.local_now - timedelta(days=HISTORY_DAYS)).date()
        self.first = datetime.combine(first, time(0), self.zone)
        self.reps = [
            _Rep(dataset, user, position, organization, self.first.timestamp())
            for position, user in enumerate(dataset.users)
        ]

    def months_between(self, start: float, end: float) -> list[Month]:
        """The months whose days hold the activities of `[start, end)`."""
        start, end = max(start, self.first.timestamp()), min(end, self.now)
        if start >= end:
            return []
        low = datetime.fromtimestamp(start, self.zone).date()
        high = datetime.fromtimestamp(end - 0.001, self.zone).date()
        months = []
        year, month = low.year, low.month
        while (year, month) <= (high.year, high.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def month(self, key: Month) -> dict[str, dict[str, Series]]:
        """Every user's activities on the days of month `key` (up to now), by leaf."""
        year, month = key
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        first_day = max(date(year, month, 1), self.first.date())
        start = datetime.combine(first_day, time(0), self.zone)
        end = min(datetime.combine(last, time(0), self.zone), self.local_now)
        pieces: dict[str, dict[str, Series]] = {}
        for rep, user in zip(self.reps, self.dataset.users, strict=True):
            rng = random.Random(f"{self.dataset.seed}-activity-{user.id}-{year}-{month:02d}")
            out = EventBuilder()
            for day in _days(start, end):
                day_start = day.timestamp()
                if not rep.joined <= day_start + DAY / 2 < rep.left:
                    continue  # not employed that day
                growth = 0.7 + 0.3 * (day.date() - self.first.date()).days / HISTORY_DAYS
                scale = rep.level * growth * WEEKDAY_FACTOR[day.weekday()]
                draws = _Day(rng, rep, day, self.now)
                _calls(draws, out, scale)
                _emails(draws, out, scale)
                _others(draws, out, scale)
            pieces[user.id] = out.freeze(presorted=True)
        return pieces


def build(dataset: Dataset) -> ActivityStore:
    """The (lazily generated) activities of `dataset`: deterministic in seed, org and now."""
    return ActivityStore(dataset, Generator(dataset), opportunity_series(dataset))
