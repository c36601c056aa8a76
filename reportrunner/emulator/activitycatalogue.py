"""The activity metric catalogue the emulator serves, and what each key measures.

`CATALOGUE` is what `GET /report/activity/metrics/` answers: the documented keys (the project's
one list, `reportrunner.kinds.activity.catalogue`: the 50 keys of Close's example,
close-reporting-endpoints.md §5.4) plus a few keys Close's live catalogue has beyond its
example (it reports 114), marked as emulator extensions in their description.

`resolve(key)` turns a key into a `Measure`: the leaves of activitydata.py it adds up and how
(count, a sum of a weight, a mean duration, or distinct leads). Keys follow Close's grammar
`<object>.<event>.<variant>.<aggregation>`; a key the catalogue lacks resolves to None, which
the request checks turn into a 400.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from reportrunner.kinds.activity import catalogue as activitymetrics

Aggregation = Literal["count", "sum", "avg", "distinct"]

_EXTENSION = "Emulator extension (Close's live catalogue has more keys than its example): "
#: Keys beyond Close's example: two seen in third-party code against the live API, and the
#: emulator's answered calls, meetings and notes (key, name, description).
EXTENSIONS: tuple[tuple[str, str, str], ...] = (
    (
        "emails.sent.manual_with_reply.count",
        "Sent Emails - Manual with Reply",
        "The number of manually sent emails that got a reply.",
    ),
    (
        "emails.sent.bulk_with_reply.count",
        "Sent Emails - Bulk with Reply",
        "The number of bulk emails that got a reply.",
    ),
    ("calls.all.answered.count", "All Calls - Answered", "The number of answered calls."),
    (
        "calls.inbound.answered.count",
        "Inbound Calls - Answered",
        "The number of answered inbound calls.",
    ),
    (
        "calls.outbound.answered.count",
        "Outbound Calls - Answered",
        "The number of outbound calls that were answered.",
    ),
    ("meetings.all.all.count", "Meetings", "The number of meetings a user held."),
    (
        "meetings.all.all.sum_duration",
        "Meetings - Total Duration",
        "The total duration of a user's meetings.",
    ),
    (
        "meetings.all.all.avg_duration",
        "Meetings - Average Duration",
        "The average duration of a user's meetings.",
    ),
    ("notes.created.all.count", "Notes", "The number of notes a user wrote."),
)

_CALL_VARIANTS = ("regular", "external", "power_dialer", "predictive_dialer")
_PERIODS = ("one_time", "monthly", "annual")
_EMAIL_KINDS = ("manual", "sequences", "bulk")


def _call_leaves() -> tuple[str, ...]:
    leaves = [f"call.inbound.inbound.{a}" for a in ("answered", "missed")]
    leaves += [f"call.outbound.{v}.{a}" for v in _CALL_VARIANTS for a in ("answered", "missed")]
    return tuple(leaves)


def _email_leaves() -> tuple[str, ...]:
    return tuple(
        f"email.sent.{kind}.{reply}.{opened}"
        for kind in _EMAIL_KINDS
        for reply in ("reply", "noreply")
        for opened in ("opened", "unopened")
    )


CALL_LEAVES = _call_leaves()
EMAIL_SENT_LEAVES = _email_leaves()
#: The touches that make a lead "contacted": outbound calls, sent e-mails and SMS.
CONTACT_LEAVES = (
    *(leaf for leaf in CALL_LEAVES if leaf.startswith("call.outbound.")),
    *EMAIL_SENT_LEAVES,
    "sms.sent",
)


@dataclass(frozen=True)
class Measure:
    """What one metric key adds up: these leaves, by `aggregation` of `weight` (if any).

    The grammar functions below build measures without their key (""); `MEASURES` names them.
    """

    key: str
    leaves: tuple[str, ...]
    aggregation: Aggregation
    weight: str | None = None


def _calls(direction: str, variant: str, aggregation: str) -> Measure | None:
    leaves = [
        leaf
        for leaf in CALL_LEAVES
        if direction in ("all", leaf.split(".")[1])
        and (variant == "all" or leaf.split(".")[2] == variant or leaf.endswith("." + variant))
    ]
    if not leaves:
        return None
    if aggregation == "count":
        return Measure("", tuple(leaves), "count")
    if aggregation in ("sum_duration", "avg_duration") and variant != "answered":
        return Measure("", tuple(leaves), "sum" if aggregation[0] == "s" else "avg", "duration")
    return None


def _emails(event: str, variant: str) -> tuple[str, ...]:
    def parts(leaf: str) -> tuple[str, str, str]:
        _, _, kind, reply, opened = leaf.split(".")
        return kind, reply, opened

    chosen = []
    for leaf in EMAIL_SENT_LEAVES:
        kind, reply, opened = parts(leaf)
        if event == "opened" and opened != "opened":
            continue
        wanted_kind, _, wanted_reply = variant.partition("_with")
        if variant in ("all", kind) or (
            wanted_kind == kind
            and (wanted_reply, reply) in (("_reply", "reply"), ("out_reply", "noreply"))
        ):
            chosen.append(leaf)
    return tuple(chosen)


def _opportunities(event: str, variant: str, aggregation: str) -> Measure | None:
    if event in ("created", "created_for", "won", "lost") and variant == "all":
        leaves = tuple(f"opp.{event.removesuffix('_for')}.{p}" for p in _PERIODS)
        if aggregation == "count":
            return Measure("", leaves, "count")
        if aggregation == "sum_annualized_value" and event in ("won", "lost"):
            return Measure("", leaves, "sum", "annualized")
        return None
    if event in ("value_won", "value_lost") and variant in _PERIODS:
        leaves = (f"opp.{event[6:]}.{variant}",)
        if aggregation == "count":
            return Measure("", leaves, "count")
        if aggregation == "sum_value":
            return Measure("", leaves, "sum", "value")
    return None


def _measure(key: str) -> Measure | None:
    parts = key.split(".")
    if len(parts) != 4:
        return None
    obj, event, variant, aggregation = parts
    if obj == "calls":
        return _calls(event, variant, aggregation)
    if obj == "emails" and aggregation == "count":
        if event in ("sent", "opened"):
            leaves = _emails(event, variant)
            return Measure("", leaves, "count") if leaves else None
        if event == "received" and variant == "all":
            return Measure("", ("email.received",), "count")
    if (
        obj == "sms"
        and event in ("sent", "received")
        and (variant, aggregation) == ("all", "count")
    ):
        return Measure("", (f"sms.{event}",), "count")
    if obj == "leads" and (variant, aggregation) == ("all", "count"):
        if event == "created":
            return Measure("", tuple(f"opp.created.{p}" for p in _PERIODS), "count")
        if event == "contacted":
            return Measure("", CONTACT_LEAVES, "distinct")
    if obj == "opportunities":
        return _opportunities(event, variant, aggregation)
    if obj == "meetings" and (event, variant) == ("all", "all"):
        return _calls_like("meeting", aggregation)
    if obj == "notes" and (event, variant, aggregation) == ("created", "all", "count"):
        return Measure("", ("note",), "count")
    return None


def _calls_like(leaf: str, aggregation: str) -> Measure | None:
    if aggregation == "count":
        return Measure("", (leaf,), "count")
    if aggregation in ("sum_duration", "avg_duration"):
        return Measure("", (leaf,), "sum" if aggregation[0] == "s" else "avg", "duration")
    return None


def catalogue() -> list[dict[str, str]]:
    """The `metrics` list of `GET /report/activity/metrics/`: documented keys, then extensions."""
    entries = [metric.to_json() for metric in activitymetrics.METRICS]
    known = {e["key"] for e in entries}
    for key, name, description in EXTENSIONS:
        if key not in known:
            entries.append({"key": key, "name": name, "description": _EXTENSION + description})
    return entries


CATALOGUE: tuple[dict[str, str], ...] = tuple(catalogue())


def _measures() -> dict[str, Measure]:
    measures = {}
    for entry in CATALOGUE:
        found = _measure(entry["key"])
        if found is None:  # a catalogue key the grammar above does not know: a bug here
            raise RuntimeError(f"the emulator cannot compute catalogue key {entry['key']!r}")
        measures[entry["key"]] = replace(found, key=entry["key"])
    return measures


MEASURES: dict[str, Measure] = _measures()
#: Every key served, in catalogue order.
KEYS: tuple[str, ...] = tuple(MEASURES)


def resolve(key: str) -> Measure | None:
    """The measure of a catalogue key; None for a key the emulator does not serve."""
    return MEASURES.get(key)
