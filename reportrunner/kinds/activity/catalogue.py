"""The activity-report metric catalogue: every documented key and what its numbers mean.

Close lists the metrics an account offers at `GET /report/activity/metrics/`; its reference
example names 50 (shared/reference/close-reporting-endpoints.md §5.4) and the live API is said to
serve more. This module is the one list reportrunner ships: the schema's completion list
(schema/report-spec.schema.json, kept equal by tests/spec/test_activitymetrics.py), `validate`'s
did-you-mean for an unknown key, the emulator's catalogue and the pages' units and arrows all
read it, so a metric is described once.

A metric's properties follow its key, `<object>.<event>.<variant>.<aggregation>` (§5.3):
the aggregation gives the unit (`count`; `sum_duration` and `avg_duration` in seconds;
`sum_value` and `sum_annualized_value` in cents), and whether a rise is good news is a property
of the metric, not a template's guess: lost opportunities are the only documented metrics where
up is worse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Unit = Literal["count", "duration", "money"]
Aggregation = Literal["count", "sum_duration", "avg_duration", "sum_value", "sum_annualized_value"]

#: The key grammar of every documented key; a key of this shape that is not in the catalogue
#: may still exist in an account (Close serves more than it documents), so it is a warning
#: offline and checked against the account with `validate --online`.
KEY_PATTERN = r"^[a-z][a-z_]*\.[a-z][a-z_]*\.[a-z][a-z_]*\.[a-z][a-z_]*(?![\s\S])"

_UNITS: dict[str, Unit] = {
    "count": "count",
    "sum_duration": "duration",
    "avg_duration": "duration",
    "sum_value": "money",
    "sum_annualized_value": "money",
}


@dataclass(frozen=True)
class Metric:
    """One activity metric: its key, Close's display name, a sentence, unit and direction."""

    key: str
    name: str
    description: str
    #: count (a whole number), duration (seconds), money (cents of the account's currency).
    unit: Unit
    #: Whether a rise is good news (arrows and colours on the pages): False for lost deals.
    up_is_better: bool

    @property
    def aggregation(self) -> str:
        """The last part of the key: count, sum_duration, avg_duration, sum_value, …"""
        return self.key.rsplit(".", 1)[1]

    @property
    def is_average(self) -> bool:
        """An average (avg_duration): totals are not the sum of the rows."""
        return self.aggregation.startswith("avg_")

    def to_json(self) -> dict[str, str]:
        """The entry as `GET /report/activity/metrics/` serves it (§5.2)."""
        return {"key": self.key, "name": self.name, "description": self.description}


_CALL_WAYS = {
    "all": ("All Calls", "calls"),
    "inbound": ("Inbound Calls", "inbound calls"),
    "outbound": ("Outbound Calls", "outbound calls"),
}
_DIALERS = {
    "regular": ("Regular", "placed one by one from Close"),
    "external": ("External", "logged from an external phone"),
    "power_dialer": ("Power Dialer", "made via the Power Dialer"),
    "predictive_dialer": ("Predictive Dialer", "made via the Predictive Dialer"),
}


def _call_metrics() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for direction, (label, words) in _CALL_WAYS.items():
        rows += [
            (f"calls.{direction}.all.count", f"{label} - All Types", f"The number of {words}."),
            (
                f"calls.{direction}.all.sum_duration",
                f"{label} - Total Duration",
                f"The total duration of {words}, in seconds.",
            ),
            (
                f"calls.{direction}.all.avg_duration",
                f"{label} - Average Duration",
                f"The average duration of {words}, in seconds.",
            ),
        ]
    for variant, (label, how) in _DIALERS.items():
        head = f"Outbound Calls - {label}"
        rows += [
            (f"calls.outbound.{variant}.count", head, f"The number of outbound calls {how}."),
            (
                f"calls.outbound.{variant}.sum_duration",
                f"{head} Total Duration",
                f"The total duration of outbound calls {how}, in seconds.",
            ),
            (
                f"calls.outbound.{variant}.avg_duration",
                f"{head} Average Duration",
                f"The average duration of outbound calls {how}, in seconds.",
            ),
        ]
    return rows


_OWNED = "created for/assigned to a user"
_OTHER_METRICS: list[tuple[str, str, str]] = [
    ("emails.sent.all.count", "Sent Emails - All Types", "The number of e-mails sent."),
    (
        "emails.sent.sequences.count",
        "Sent Emails - Sequences",
        "The number of e-mails sent by sequences (workflows).",
    ),
    (
        "emails.sent.sequences_with_reply.count",
        "Sent Emails - Sequences with Reply",
        "The number of sequence e-mails that got a reply.",
    ),
    (
        "emails.sent.sequences_without_reply.count",
        "Sent Emails - Sequences without Reply",
        "The number of sequence e-mails that got no reply.",
    ),
    (
        "emails.opened.all.count",
        "Opened Emails - All Types",
        "The number of sent e-mails opened by their recipient.",
    ),
    (
        "emails.opened.sequences.count",
        "Opened Emails - Sequences",
        "The number of sequence e-mails opened by their recipient.",
    ),
    ("emails.received.all.count", "Received Emails - All Types", "The number of e-mails received."),
    ("sms.sent.all.count", "Sent SMS - All Types", "The number of text messages sent."),
    ("sms.received.all.count", "Received SMS - All Types", "The number of text messages received."),
    ("leads.created.all.count", "Created Leads", "The number of leads created by a user."),
    (
        "leads.contacted.all.count",
        "Contacted Leads",
        "The number of leads contacted via a call, e-mail or SMS.",
    ),
    (
        "opportunities.created.all.count",
        "Opportunities - Created",
        "The number of opportunities created by a user.",
    ),
    (
        "opportunities.created_for.all.count",
        "Opportunities - Created For",
        f"The number of opportunities {_OWNED}.",
    ),
    (
        "opportunities.won.all.count",
        "Opportunities - Won",
        f"The number of won opportunities {_OWNED}.",
    ),
    (
        "opportunities.won.all.sum_annualized_value",
        "Opportunities - Won - Annualized",
        f"The annualized value of won opportunities {_OWNED}.",
    ),
    (
        "opportunities.lost.all.count",
        "Opportunities - Lost",
        f"The number of lost opportunities {_OWNED}.",
    ),
    (
        "opportunities.lost.all.sum_annualized_value",
        "Opportunities - Lost - Annualized",
        f"The annualized value of lost opportunities {_OWNED}.",
    ),
]
_PERIODS = {"annual": "Annual", "monthly": "Monthly", "one_time": "One Time"}


def _value_metrics() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for outcome, word in (("won", "Won"), ("lost", "Lost")):
        for period, label in _PERIODS.items():
            kind = label.lower()
            rows += [
                (
                    f"opportunities.value_{outcome}.{period}.count",
                    f"Opportunities - {word} - {label}",
                    f"The number of {outcome} opportunities with a {kind} value, {_OWNED}.",
                ),
                (
                    f"opportunities.value_{outcome}.{period}.sum_value",
                    f"Opportunities - Value {word} - {label}",
                    f"The {kind} value of {outcome} opportunities {_OWNED}.",
                ),
            ]
    return rows


def _worse_when_up(key: str) -> bool:
    obj, event = key.split(".")[:2]
    return obj == "opportunities" and event in ("lost", "value_lost")


def _build() -> tuple[Metric, ...]:
    rows = _call_metrics() + _OTHER_METRICS + _value_metrics()
    return tuple(
        Metric(key, name, text, _UNITS[key.rsplit(".", 1)[1]], not _worse_when_up(key))
        for key, name, text in rows
    )


#: Every documented metric, in the reference's order (§5.4).
METRICS: tuple[Metric, ...] = _build()
#: key → Metric.
BY_KEY: Mapping[str, Metric] = MappingProxyType({metric.key: metric for metric in METRICS})
KEYS: tuple[str, ...] = tuple(BY_KEY)

_KEY = re.compile(KEY_PATTERN)


def get(key: str) -> Metric | None:
    """The documented metric `key`, or None for a key reportrunner does not know."""
    return BY_KEY.get(key)


def is_well_formed(key: str) -> bool:
    """Whether `key` has the shape `<object>.<event>.<variant>.<aggregation>`."""
    return _KEY.search(key) is not None


def unit_of(key: str) -> Unit | None:
    """The unit of any well-formed key, documented or not, from its aggregation."""
    if not is_well_formed(key):
        return None
    return _UNITS.get(key.rsplit(".", 1)[1])
