"""The structure of one Close account, read once: what `init` writes specs from, what `ids` lists.

Every name is masked here, once (`redact`): Close can echo the key in a name, and `ids` cuts
long names and `init` writes them into files, where a cut key would no longer be masked.

The look-ups are the run's own (`names.fetch_names`: every page of users, the organization's
deactivated members, groups with their members, pipelines with their statuses) plus every lead
Smart View and `/me/` for the key owner's time zone, so `init`, `ids`, `validate --online` and
`run` agree on what exists. Unlike a run, a look-up that fails here is an error: a starter file
written from half an account would name the wrong ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from reportrunner.errors import ApiError, ApiUnreachable, AuthError
from reportrunner.fetch.client import ClientSettings, CloseClient
from reportrunner.fetch.names import Names, fetch_names
from reportrunner.redact import redact

#: What `reportrunner ids` can list.
Kind = Literal["pipelines", "users", "groups", "saved-searches"]
KINDS: tuple[Kind, ...] = ("pipelines", "users", "groups", "saved-searches")
#: Close's ids: a lower-case prefix, "_", base62 (close-api reference §8; lengths vary).
_ID = re.compile(r"[a-z]{2,12}_[A-Za-z0-9]{1,64}")


@dataclass(frozen=True)
class StatusInfo:
    id: str
    label: str
    type: str  # active | won | lost


@dataclass(frozen=True)
class PipelineInfo:
    id: str
    name: str
    statuses: tuple[StatusInfo, ...]


@dataclass(frozen=True)
class UserInfo:
    id: str
    name: str
    active: bool


@dataclass(frozen=True)
class GroupInfo:
    id: str
    name: str
    members: tuple[str, ...]  # user ids


@dataclass(frozen=True)
class SavedSearchInfo:
    id: str
    name: str


@dataclass(frozen=True)
class Account:
    organization_id: str
    organization_name: str
    timezone: str | None  # the key owner's last used zone in Close, if it said
    pipelines: tuple[PipelineInfo, ...]
    users: tuple[UserInfo, ...]
    groups: tuple[GroupInfo, ...]
    saved_searches: tuple[SavedSearchInfo, ...]
    #: The raw look-ups, for `online.check_specs` (which ids of existing specs exist).
    names: Names = field(default_factory=Names, repr=False, compare=False)

    def user_name(self, user_id: str) -> str:
        return next((u.name for u in self.users if u.id == user_id), user_id)

    def listing(self, kind: Kind) -> list[dict[str, Any]]:
        """One kind as plain data (for `ids --format json|yaml`)."""
        items: tuple[Any, ...] = {
            "pipelines": self.pipelines,
            "users": self.users,
            "groups": self.groups,
            "saved-searches": self.saved_searches,
        }[kind]
        return [asdict(item) for item in items]

    def find_pipeline(self, name_or_id: str) -> PipelineInfo | None:
        """The pipeline with this id, else with this name (case-insensitive)."""
        for pipeline in self.pipelines:
            if pipeline.id == name_or_id:
                return pipeline
        wanted = name_or_id.strip().casefold()
        return next((p for p in self.pipelines if p.name.casefold() == wanted), None)


def _timezone(client: CloseClient) -> str | None:
    try:
        me = client.get_json("/me/", params={"_fields": "last_used_timezone"})
    except (AuthError, ApiUnreachable):
        raise  # a rejected key or no network: the caller says so
    except ApiError:
        return None  # the zone is a nicety: init falls back to UTC and says so
    zone = me.get("last_used_timezone") if isinstance(me, dict) else None
    return zone if isinstance(zone, str) and zone else None


def _checked(ids: Iterable[str], url: str) -> None:
    """Ids go into YAML files and terminals unquoted: they must have Close's id shape."""
    for ident in ids:
        if not _ID.fullmatch(ident):
            raise ApiError(
                f"Close answered with an id that is not in Close's id format: {ident[:60]!r}",
                url=url,
                hint="nothing was written; if this is Close, report it to Close's support.",
            )


def read_account(settings: ClientSettings) -> Account:
    """Read the account behind `settings`; raises AuthError, ApiUnreachable or ApiError."""
    with CloseClient(settings) as client:
        names = fetch_names(client, every_saved_search=True)
        if names.problems:
            raise ApiError(
                "could not read the whole account: " + "; ".join(names.problems),
                url=settings.base_url,
                hint="try again; if it keeps failing, check that the key's user can see "
                "pipelines, users, groups and Smart Views in Close.",
            )
        zone = _timezone(client)
    organization_id, organization_name = next(iter(sorted(names.organizations.items())), ("", ""))
    _checked(
        [
            *names.organizations,
            *names.pipelines,
            *names.users,
            *names.groups,
            *names.saved_searches,
            *(m for members in names.group_members.values() for m in members),
            *(s for statuses in names.statuses.values() for s in statuses),
        ],
        settings.base_url,
    )
    return Account(
        organization_id=organization_id,
        organization_name=redact(organization_name),
        timezone=zone,
        pipelines=tuple(
            PipelineInfo(
                pipeline_id,
                redact(name),
                tuple(
                    StatusInfo(status_id, redact(status.label), status.type)
                    for status_id, status in names.statuses.get(pipeline_id, {}).items()
                ),
            )
            for pipeline_id, name in names.pipelines.items()
        ),
        users=tuple(
            UserInfo(user_id, redact(name), user_id not in names.inactive_users)
            for user_id, name in sorted(names.users.items(), key=lambda item: item[1].casefold())
        ),
        groups=tuple(
            GroupInfo(group_id, redact(name), tuple(names.group_members.get(group_id, [])))
            for group_id, name in names.groups.items()
        ),
        saved_searches=tuple(
            SavedSearchInfo(search_id, redact(name))
            for search_id, name in names.saved_searches.items()
        ),
        names=names,
    )
