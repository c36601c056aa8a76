"""The synthetic organization's structure: users, groups, pipelines, saved searches.

The default organization (`DEFAULT`, "Acme Robotics") has fixed ids, not drawn from the seed,
so that the example specs in specs/ and the tests can name them; the seed only changes the
opportunities (dataset.py). Where Close's documentation shows an example id, that id is used
for the matching object, so the documented request example runs unchanged against the
emulator. Other organizations, with other ids and names, come from `orggen.py` (`--org-seed`):
they stand in for "a real account" in the tests of `init` and `ids`.
"""

from __future__ import annotations

from dataclasses import dataclass

ORGANIZATION_ID = "orga_5zgjeOPBWgT1lt1YH9Ts69J53FvaLMtcsWMqWnXq46p"
ORGANIZATION_NAME = "Acme Robotics"


@dataclass(frozen=True)
class User:
    id: str
    first_name: str
    last_name: str
    email: str
    active: bool = True

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    member_ids: tuple[str, ...]


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    type: str  # "active" | "won" | "lost"


@dataclass(frozen=True)
class LeadStatus:
    id: str
    label: str


@dataclass(frozen=True)
class Pipeline:
    id: str
    name: str
    statuses: tuple[Status, ...]


@dataclass(frozen=True)
class PipelinePlan:
    """How dataset.py fills one pipeline: volume, chance to advance per active stage, dwell.

    `renewal` pipelines draw mostly annual and monthly values; the others mostly one-time.
    """

    count: int
    advance: tuple[float, ...]  # per active status, the chance to move on (else lost there)
    dwell: tuple[float, ...]  # per active status, the mean days spent there
    renewal: bool = False


@dataclass(frozen=True)
class SavedSearch:
    """A Smart View over opportunities; `rule` names the filter dataset.py applies."""

    id: str
    name: str
    description: str
    rule: str  # "large-deals" | "lead-source:<source>" | "annual-contracts"


# One deactivated user (Zoë, still owning opportunities) and one with a non-ASCII name.
USERS: tuple[User, ...] = (
    User(
        "user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA",
        "Stefan",
        "Wojcik",
        "stefan@acme-robotics.example",
    ),
    User(
        "user_Ova4RGFG7pztSeJiiMFdN7O2MFl71nD0uGO3bIOo4Wk",
        "Ava",
        "Thompson",
        "ava@acme-robotics.example",
    ),
    User(
        "user_sZZ0bsglfzJhIQyNjJJYApq8HDwnzyRNjy0bPGM1MG1",
        "Noah",
        "Müller",
        "noah@acme-robotics.example",
    ),
    User(
        "user_vkoxmMmjE0J576IJXNjVQLTK924Vygh5YH0TcEnUpEs",
        "Liam",
        "O'Brien",
        "liam@acme-robotics.example",
    ),
    User(
        "user_budRWSZDqgPu3w1iPqkabUh0EnNYm50ENaPTdjcAIIP",
        "Sofia",
        "Rossi",
        "sofia@acme-robotics.example",
    ),
    User(
        "user_g6k2PCtmC5ebHacXGOvRVfzQSbEbUJnHHgtkIwO3Txr",
        "Mateo",
        "García",
        "mateo@acme-robotics.example",
    ),
    User(
        "user_OUAy19TQuvZjohEScfEdFsSdDCsMFynvq9cEuSeIPwm",
        "Emma",
        "Johansson",
        "emma@acme-robotics.example",
    ),
    User(
        "user_NFr3aLkcdlRl5eOcV5fpOJGYMK9LIXS08uS06iwacCT",
        "Yuki",
        "Tanaka",
        "yuki@acme-robotics.example",
    ),
    User(
        "user_d0xdjWXZHrz1CenB68Ft8VMtOq5zmDYoE81QSuHLjOy",
        "Olivia",
        "Chen",
        "olivia@acme-robotics.example",
    ),
    User(
        "user_Zq70EKmESpu6LfsL6g38YLE3KkTJw2gjGkQTMAlxUgQ",
        "Zoë",
        "Ødegaard",
        "zoe@acme-robotics.example",
        active=False,
    ),
)

GROUPS: tuple[Group, ...] = (
    Group(
        "group_57P6QUf8b4BlepZJYgRj5W",
        "EMEA",
        (
            "user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA",
            "user_sZZ0bsglfzJhIQyNjJJYApq8HDwnzyRNjy0bPGM1MG1",
            "user_budRWSZDqgPu3w1iPqkabUh0EnNYm50ENaPTdjcAIIP",
            "user_OUAy19TQuvZjohEScfEdFsSdDCsMFynvq9cEuSeIPwm",
            "user_Zq70EKmESpu6LfsL6g38YLE3KkTJw2gjGkQTMAlxUgQ",
        ),
    ),
    Group(
        "group_H7tle2gL7DeSTVxuTGSaOa",
        "Americas",
        (
            "user_Ova4RGFG7pztSeJiiMFdN7O2MFl71nD0uGO3bIOo4Wk",
            "user_vkoxmMmjE0J576IJXNjVQLTK924Vygh5YH0TcEnUpEs",
            "user_g6k2PCtmC5ebHacXGOvRVfzQSbEbUJnHHgtkIwO3Txr",
        ),
    ),
    Group(
        "group_MyxUuVy6yCE6cx3zzUFhSx",
        "APAC",
        (
            "user_NFr3aLkcdlRl5eOcV5fpOJGYMK9LIXS08uS06iwacCT",
            "user_d0xdjWXZHrz1CenB68Ft8VMtOq5zmDYoE81QSuHLjOy",
        ),
    ),
)

PIPELINES: tuple[Pipeline, ...] = (
    Pipeline(
        "pipe_4vukv2FUlFh9FDiVYAop1U",
        "New Business",
        (
            Status("stat_wDseiZr3FH4DDW2qO9ChXqxg9tLlY2A2i1y1Ozd0hIe", "Qualified", "active"),
            Status("stat_sRP2DZHQNkQa1WIj2RKnEuiSOiuylMSK0K88qZcG4zl", "Demo", "active"),
            Status("stat_SJCN52L5nBg1ouU3FLoGFLDAU3BqpVqAFyltCrR2Nyp", "Proposal", "active"),
            Status("stat_C6QifFLwSMGC3kyzHE03HCCWBtrawbLB8ghQYYOjJav", "Negotiation", "active"),
            Status("stat_qDV5zkWvBm1myEdoM3mF9iy7zwJBNjGOGr9isdBTpTV", "Contract Sent", "active"),
            Status("stat_vrIrhnLBmxB7Vr2899aTsswN20JNCKQKiRPB7LaMVLq", "Won", "won"),
            Status("stat_SPuDqruoKym7AwPrH1QSStyfNMlt0aSVWEIIHR3eneJ", "Lost", "lost"),
        ),
    ),
    Pipeline(
        "pipe_Db7hIm3lXSbJROEjrwqX7J",
        "Renewals",
        (
            Status("stat_mQwO2swwLUlx4lUt6bebwFrv4iDQLGBRItHvt7KltH2", "Upcoming", "active"),
            Status("stat_7XdsXMD7UI12ZRxXsvNHEzd5ZELcWW4ckvOVban4T6l", "In Discussion", "active"),
            Status("stat_sTpT0hzyeU7O6dZjCpMhmxMR1y4mFnDywmlYV1gdlqN", "Committed", "active"),
            Status("stat_s1j1722uUADT5HXrzdWcytxducwAVTeJ5vdLGxKVGLt", "Renewed", "won"),
            Status("stat_X67ZeqJ3OyLohklfSh4nZhhJpDmZjso0UxIeSr6CqKw", "Churned", "lost"),
        ),
    ),
)

SAVED_SEARCHES: tuple[SavedSearch, ...] = (
    SavedSearch(
        "save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239",
        "Large deals",
        "Opportunities worth $50,000 or more (annualized).",
        "large-deals",
    ),
    SavedSearch(
        "save_DrbZtnWUFexr8x7Ki7Z2ImetWwqMG3SLseBWXF5U5qF",
        "Webinar leads",
        "Opportunities whose lead came from a webinar.",
        "lead-source:webinar",
    ),
    SavedSearch(
        "save_jMSYazhWQcgPTUbF1zsWXEHrKH20e09q3wfmz5cnrFU",
        "Annual contracts",
        "Opportunities billed annually.",
        "annual-contracts",
    ),
)


# Per pipeline: how many opportunities, the chance to advance out of each active stage (the
# rest are lost there; the last active stage advances to won), and the mean days spent in each
# stage before the move.
_PLANS: dict[str, PipelinePlan] = {
    "pipe_4vukv2FUlFh9FDiVYAop1U": PipelinePlan(
        1700, (0.76, 0.70, 0.68, 0.78, 0.72), (6.0, 9.0, 12.0, 10.0, 7.0)
    ),
    "pipe_Db7hIm3lXSbJROEjrwqX7J": PipelinePlan(
        700, (0.93, 0.86, 0.90), (20.0, 14.0, 9.0), renewal=True
    ),
}


@dataclass(frozen=True)
class Organization:
    """Everything fixed about one synthetic organization; dataset.py adds the opportunities.

    `weights` is each user's relative share of opportunities (same order as `users`);
    `left_days_ago`/`joined_days_ago` bound when a user can own a new opportunity;
    `first_pipeline_only` users sell only in the first pipeline. `timezone` is the key
    owner's `last_used_timezone` in `/me/`.
    """

    id: str
    name: str
    users: tuple[User, ...]
    groups: tuple[Group, ...]
    pipelines: tuple[Pipeline, ...]
    saved_searches: tuple[SavedSearch, ...]
    plans: dict[str, PipelinePlan]
    weights: tuple[int, ...]
    left_days_ago: dict[str, int]
    joined_days_ago: dict[str, int]
    first_pipeline_only: frozenset[str]
    timezone: str = "UTC"


#: The documented organization every example spec and most tests name.
DEFAULT = Organization(
    id=ORGANIZATION_ID,
    name=ORGANIZATION_NAME,
    users=USERS,
    groups=GROUPS,
    pipelines=PIPELINES,
    saved_searches=SAVED_SEARCHES,
    plans=_PLANS,
    weights=(14, 12, 11, 10, 10, 9, 9, 8, 7, 10),
    # Zoë (deactivated) left 120 days ago; Olivia joined 240 days ago; Yuki sells only new
    # business.
    left_days_ago={"user_Zq70EKmESpu6LfsL6g38YLE3KkTJw2gjGkQTMAlxUgQ": 120},
    joined_days_ago={"user_d0xdjWXZHrz1CenB68Ft8VMtOq5zmDYoE81QSuHLjOy": 240},
    first_pipeline_only=frozenset({"user_NFr3aLkcdlRl5eOcV5fpOJGYMK9LIXS08uS06iwacCT"}),
)
