"""Id → name look-ups, fetched once per run, so reports show names instead of bare ids.

Close's report answers name users only by id (`user_id`), and specs name pipelines, groups and
saved searches by id. Once per run this module reads every page of `/user/`, the organization's
memberships (the only place deactivated users appear, close-api.md §7), `/group/` plus each
`/group/{id}/` for its members, `/pipeline/` (names and status labels) and the saved searches
the specs use. A name that cannot be found falls back to the id; a look-up that fails for a
reason other than a rejected key is recorded in `problems` rather than failing the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reportrunner.errors import ApiError, ApiUnreachable, AuthError
from reportrunner.escaping import one_line
from reportrunner.fetch.client import CallStats, CloseClient, RequestRejected, safe_url

#: A guard against an API that keeps saying has_more: 1,000 pages is 100,000 users.
MAX_PAGES = 1000


@dataclass(frozen=True)
class StatusName:
    label: str
    type: str


@dataclass
class Names:
    """Everything the run learned about the organization's names."""

    users: dict[str, str] = field(default_factory=dict)  # active and deactivated
    inactive_users: set[str] = field(default_factory=set)
    groups: dict[str, str] = field(default_factory=dict)
    group_members: dict[str, list[str]] = field(default_factory=dict)
    pipelines: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, dict[str, StatusName]] = field(default_factory=dict)  # by pipeline
    saved_searches: dict[str, str] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)  # id -> name
    missing_saved_searches: set[str] = field(default_factory=set)  # Close answered 404
    problems: list[str] = field(default_factory=list)  # look-ups that failed (ids shown)
    #: Which look-ups those were: "users", "organization members", "groups", "pipelines"…
    failed: set[str] = field(default_factory=set)
    stats: CallStats = field(default_factory=CallStats)

    def for_report(
        self, request: Mapping[str, Any], responses: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The `names` object of data.json for one report (docs/data-format.md)."""
        pipeline_id = str(request.get("pipeline", ""))
        user_ids: list[str] = []
        group_ids: list[str] = []
        # `user_id`: the one-user filter of the GET reports (a `users` list in the POST ones).
        one = [request["user_id"]] if isinstance(request.get("user_id"), str) else []
        for entry in [*(request.get("users") or []), *one]:
            target = group_ids if str(entry).startswith("group_") else user_ids
            if entry not in target:
                target.append(str(entry))
        for entry in _response_user_ids(responses):
            if entry not in user_ids:
                user_ids.append(entry)
        query = request.get("query")
        search_id = query.get("saved_search_id") if isinstance(query, Mapping) else None
        statuses = self.statuses.get(pipeline_id, {})
        if not pipeline_id:  # a report over every pipeline (status changes): all their statuses
            statuses = {
                key: value for each in self.statuses.values() for key, value in each.items()
            }
        return {
            "pipeline": {"id": pipeline_id, "name": self.pipelines.get(pipeline_id, pipeline_id)},
            "statuses": {
                status_id: {"label": status.label, "type": status.type}
                for status_id, status in statuses.items()
            },
            "users": {user_id: self.users.get(user_id, user_id) for user_id in user_ids},
            "groups": {group_id: self.groups.get(group_id, group_id) for group_id in group_ids},
            "saved_search": (
                {"id": str(search_id), "name": self.saved_searches.get(str(search_id), search_id)}
                if search_id
                else None
            ),
        }


def _response_user_ids(responses: Mapping[str, Any]) -> list[str]:
    """Every `user_id` in the per-user rows of every answer, in first-seen order."""
    found: list[str] = []
    for roles in responses.values():
        if not isinstance(roles, Mapping):
            continue
        for answer in roles.values():
            rows = answer.get("data") if isinstance(answer, Mapping) else None
            for row in rows if isinstance(rows, list) else []:
                user_id = row.get("user_id") if isinstance(row, Mapping) else None
                if isinstance(user_id, str) and user_id not in found:
                    found.append(user_id)
    return found


def _full_name(record: Mapping[str, Any]) -> str | None:
    first = str(record.get("first_name") or "").strip()
    last = str(record.get("last_name") or "").strip()
    name = f"{first} {last}".strip()
    return name or None


def _items(payload: Any) -> list[Mapping[str, Any]]:
    data = payload.get("data") if isinstance(payload, Mapping) else None
    return [item for item in data if isinstance(item, Mapping)] if isinstance(data, list) else []


def _by_id(payload: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """The items of a list answer that carry a string `id`, with that id."""
    return [(item["id"], item) for item in _items(payload) if isinstance(item.get("id"), str)]


class _Fetcher:
    def __init__(self, client: CloseClient, names: Names) -> None:
        self.client = client
        self.names = names

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.client.get_json(path, params=params, stats=self.names.stats)

    def optional(self, what: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET that may fail without failing the run: a rejected key or no network still stop.

        A 403 is a rejected key too: the client sends nothing more after one (every later
        look-up would fail with that same answer), so it stops here like a 401.
        """
        try:
            return self.get(path, params)
        except (ApiUnreachable, AuthError):
            raise
        except ApiError as exc:
            self.names.problems.append(f"{what}: {exc}")
            self.names.failed.add(what)
        return None

    def users(self) -> set[str]:
        """Every page of /user/; returns the organization ids the users belong to."""
        organizations: set[str] = set()
        skip = 0
        for _ in range(MAX_PAGES):
            # No _limit: the server default page size is always allowed (maximums vary).
            payload = self.optional("users", "/user/", {"_skip": skip} if skip else None)
            items = _items(payload)
            for user in items:
                name = _full_name(user) or user.get("email")
                if isinstance(user.get("id"), str) and name:
                    self.names.users[user["id"]] = str(name)
                orgs = user.get("organizations")
                organizations.update(o for o in orgs or [] if isinstance(o, str))
            if not items or not (isinstance(payload, Mapping) and payload.get("has_more")):
                break
            skip += len(items)
        return organizations

    def organization(self, organization_id: str) -> None:
        payload = self.optional("organization members", f"/organization/{organization_id}/")
        if not isinstance(payload, Mapping):
            return
        self.names.organizations[organization_id] = str(payload.get("name") or organization_id)
        for key, inactive in (("memberships", False), ("inactive_memberships", True)):
            for member in payload.get(key) or []:
                if not isinstance(member, Mapping):
                    continue
                nested = member.get("user")
                user: Mapping[str, Any] = nested if isinstance(nested, Mapping) else {}
                user_id = member.get("user_id") or user.get("id")
                name = member.get("user_full_name") or _full_name(member) or _full_name(user)
                if not isinstance(user_id, str):
                    continue
                if name:
                    self.names.users.setdefault(user_id, str(name))
                if inactive:
                    self.names.inactive_users.add(user_id)

    def groups(self) -> None:
        for group_id, group in _by_id(self.optional("groups", "/group/")):
            self.names.groups[group_id] = str(group.get("name") or group_id)
            detail = self.optional(f"group {group_id}", f"/group/{group_id}/")
            members = detail.get("members") if isinstance(detail, Mapping) else None
            self.names.group_members[group_id] = [
                str(m["user_id"])
                for m in members or []
                if isinstance(m, Mapping) and m.get("user_id")
            ]

    def pipelines(self) -> None:
        for pipeline_id, pipeline in _by_id(self.optional("pipelines", "/pipeline/")):
            self.names.pipelines[pipeline_id] = str(pipeline.get("name") or pipeline_id)
            self.names.statuses[pipeline_id] = {
                str(status["id"]): StatusName(
                    str(status.get("label") or status["id"]), str(status.get("type") or "")
                )
                for status in pipeline.get("statuses") or []
                if isinstance(status, Mapping) and status.get("id")
            }

    def all_saved_searches(self) -> None:
        """Every page of the lead Smart Views (the type `query.saved_search_id` takes)."""
        skip = 0
        for _ in range(MAX_PAGES):
            payload = self.optional("saved searches", "/saved_search/", {"_skip": skip})
            found = _by_id(payload)
            for search_id, search in found:
                self.names.saved_searches[search_id] = str(search.get("name") or search_id)
            if not found or not (isinstance(payload, Mapping) and payload.get("has_more")):
                break
            skip += len(found)

    def saved_search(self, search_id: str) -> None:
        try:
            payload = self.get(f"/saved_search/{search_id}/")
        except RequestRejected as exc:
            if exc.status == 404:
                self.names.missing_saved_searches.add(search_id)
            self.names.problems.append(f"saved search {search_id}: {exc}")
            return
        except (ApiUnreachable, AuthError):
            raise
        except ApiError as exc:
            self.names.problems.append(f"saved search {search_id}: {exc}")
            return
        if isinstance(payload, Mapping):
            self.names.saved_searches[search_id] = str(payload.get("name") or search_id)


def fetch_names(
    client: CloseClient, *, saved_search_ids: Iterable[str] = (), every_saved_search: bool = False
) -> Names:
    """Read every name the reports may need; raises only AuthError (401/403) or ApiUnreachable.

    `every_saved_search` lists all of the account's lead Smart Views (for `init` and `ids`)
    rather than looking up only `saved_search_ids`.
    """
    names = Names()
    fetcher = _Fetcher(client, names)
    for organization_id in sorted(fetcher.users()):
        fetcher.organization(organization_id)
    fetcher.groups()
    fetcher.pipelines()
    if every_saved_search:
        fetcher.all_saved_searches()
    for search_id in sorted(set(saved_search_ids)):
        fetcher.saved_search(search_id)
    return names


#: A Close organisation id (close-api.md §8): it goes into a URL path, so nothing else may pass.
_ORGANIZATION_ID = re.compile(r"orga_[A-Za-z0-9]{1,64}")


def organization_id(client: CloseClient, stats: CallStats | None = None) -> str:
    """The key's organisation id, from `GET /me/` (close-reporting-endpoints.md §2.1).

    Close's example has no top-level `organization_id`: the id is read from
    `organizations[0].id`, then `memberships[0].organization_id`, then a top-level
    `organization_id`. A key belongs to one organisation; an answer naming several is refused
    rather than guessed. Raises ApiError (the reports that need it fail, not the run).
    """
    url = safe_url(client.base_url + "/me/")
    try:
        me = client.get_json("/me/", stats=stats)
    except (ApiUnreachable, AuthError):
        raise
    except ApiError as exc:
        raise ApiError(
            f"could not look up the organisation id: {exc}",
            url=url,
            status=exc.status,
            hint="rerun later; if it persists, rerun with --debug and report it",
        ) from exc
    found: list[str] = []
    if isinstance(me, Mapping):
        for key, field_name in (("organizations", "id"), ("memberships", "organization_id")):
            entries = me.get(key)
            for entry in entries if isinstance(entries, list) else []:
                value = entry.get(field_name) if isinstance(entry, Mapping) else None
                if isinstance(value, str) and value not in found:
                    found.append(value)
            if found:
                break
        top = me.get("organization_id")
        if not found and isinstance(top, str):
            found.append(top)
    hint = "check that the key is an API key of one Close organisation; rerun with --debug"
    if not found:
        raise ApiError(f"GET {url} names no organisation id", url=url, hint=hint)
    if len(found) > 1:
        raise ApiError(
            f"GET {url} names {len(found)} organisations ({', '.join(found[:5])}); "
            "a report needs exactly one",
            url=url,
            hint="set api.organization_id in reportrunner.yaml to the one these reports are for",
        )
    if not _ORGANIZATION_ID.fullmatch(found[0]):
        raise ApiError(
            f"GET {url} gave an organisation id that is not one: {one_line(found[0])[:80]!r}",
            url=url,
            hint=hint,
        )
    return found[0]


def saved_search_ids(requests: Iterable[Mapping[str, Any]]) -> set[str]:
    """The saved-search ids named by `query.saved_search_id` in request bodies."""
    found: set[str] = set()
    for request in requests:
        query = request.get("query")
        if isinstance(query, Mapping) and isinstance(query.get("saved_search_id"), str):
            found.add(query["saved_search_id"])
    return found
