"""Other synthetic organizations: other ids, names, pipelines and users, drawn from a seed.

The documented organization (`org.DEFAULT`) has the ids the example specs name. A new user's
account has none of them, so `init`, `ids` and `validate --online` are tested against an
organization generated here (`Emulator(org_seed=N)`, `reportrunner emulator --org-seed N`):
the same seed always gives the same organization, another seed another one, and no id is
shared with the default. Ids have Close's shapes (close-api.md §8).
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import lru_cache

from reportrunner.emulator import org

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

_COMPANY_FIRST = ("Northwind", "Globex", "Bluefin", "Kestrel", "Lumen", "Tessera", "Fjord")
_COMPANY_SECOND = ("Analytics", "Logistics", "Health", "Software", "Energy", "Labs", "Foods")
_FIRST_NAMES = (
    "Amara", "Björn", "Chloé", "Dmitri", "Elif", "Farah", "Gustavo", "Hana", "Iker",
    "Jonas", "Kaito", "Léa", "Marek", "Nia", "Omar", "Priya", "Quinn", "Rafael",
)  # fmt: skip
_LAST_NAMES = (
    "Andersen", "Bělohlávek", "Costa", "Dubois", "Eriksen", "Fischer", "Gómez", "Haddad",
    "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Pereira",
)  # fmt: skip
_GROUP_NAMES = ("North", "South", "Inside Sales", "Field Sales", "Partners", "Mid-Market")
_PIPELINE_NAMES = ("Sales", "Inbound", "Enterprise", "Partnerships", "Upsell", "Expansion")
_ACTIVE_LABELS = (
    "Discovery", "Qualified", "Demo Booked", "Trial", "Proposal Sent", "Legal Review",
    "Verbal Yes", "Procurement",
)  # fmt: skip
_WON_LABELS = ("Closed Won", "Won", "Signed")
_LOST_LABELS = ("Closed Lost", "Lost", "No Decision")
_SOURCES = ("webinar", "referral", "event", "outbound")
_ZONES = ("America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata")


def _ident(rng: random.Random, prefix: str, length: int) -> str:
    return prefix + "".join(rng.choice(_BASE62) for _ in range(length))


def _pipeline(rng: random.Random, name: str) -> tuple[org.Pipeline, org.PipelinePlan]:
    labels = sorted(rng.sample(_ACTIVE_LABELS, rng.randint(2, 5)), key=_ACTIVE_LABELS.index)
    statuses = [org.Status(_ident(rng, "stat_", 43), label, "active") for label in labels]
    statuses.append(org.Status(_ident(rng, "stat_", 43), rng.choice(_WON_LABELS), "won"))
    statuses.append(org.Status(_ident(rng, "stat_", 43), rng.choice(_LOST_LABELS), "lost"))
    plan = org.PipelinePlan(
        count=rng.randint(350, 700),
        advance=tuple(round(rng.uniform(0.6, 0.9), 2) for _ in labels),
        dwell=tuple(round(rng.uniform(4.0, 15.0), 1) for _ in labels),
        renewal=rng.random() < 0.3,
    )
    return org.Pipeline(_ident(rng, "pipe_", 22), name, tuple(statuses)), plan


def generate_organization(org_seed: int) -> org.Organization:
    """The organization for `org_seed`: 6–9 users (one deactivated), 2–3 groups and pipelines."""
    rng = random.Random(f"reportrunner-org-{org_seed}")
    name = f"{rng.choice(_COMPANY_FIRST)} {rng.choice(_COMPANY_SECOND)}"
    domain = name.lower().replace(" ", "-") + ".example"
    firsts = rng.sample(_FIRST_NAMES, rng.randint(6, 9))
    users = tuple(
        org.User(_ident(rng, "user_", 43), first, rng.choice(_LAST_NAMES), f"{first}@{domain}")
        for first in firsts
    )
    # The last user has left (still owning opportunities), as in the documented organization.
    users = (*users[:-1], replace(users[-1], active=False))
    group_names = rng.sample(_GROUP_NAMES, rng.randint(2, 3))
    groups = tuple(
        org.Group(
            _ident(rng, "group_", 22),
            group,
            tuple(u.id for position, u in enumerate(users) if position % len(group_names) == i),
        )
        for i, group in enumerate(group_names)
    )
    built = [_pipeline(rng, p) for p in rng.sample(_PIPELINE_NAMES, rng.randint(2, 3))]
    source = rng.choice(_SOURCES)
    rules = (
        ("Big tickets", "Opportunities worth $50,000 or more (annualized).", "large-deals"),
        (
            f"From {source}",
            f"Opportunities whose lead came from {source}.",
            "lead-source:" + source,
        ),
        ("Yearly billing", "Opportunities billed annually.", "annual-contracts"),
    )
    searches = tuple(
        org.SavedSearch(_ident(rng, "save_", 43), title, text, rule) for title, text, rule in rules
    )
    return org.Organization(
        id=_ident(rng, "orga_", 43),
        name=name,
        users=users,
        groups=groups,
        pipelines=tuple(pipeline for pipeline, _ in built),
        saved_searches=searches,
        plans={pipeline.id: plan for pipeline, plan in built},
        weights=tuple(rng.randint(5, 14) for _ in users),
        left_days_ago={users[-1].id: rng.randint(60, 200)},
        joined_days_ago={users[0].id: rng.randint(100, 300)},
        first_pipeline_only=frozenset({users[1].id}),
        timezone=rng.choice(_ZONES),
    )


@lru_cache(maxsize=8)
def organization_for(org_seed: int | None) -> org.Organization:
    """`org.DEFAULT` for None, else the generated organization (cached: it is immutable)."""
    return org.DEFAULT if org_seed is None else generate_organization(org_seed)
