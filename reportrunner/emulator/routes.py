"""The emulator's GET endpoints: the objects reportrunner turns ids into names with.

Shapes follow close-api.md §7 (Close's documented examples): `{"data": [...], "has_more": …}`
lists, `/pipeline/` without `has_more`, `/group/` without members, `/organization/{id}/` with
`memberships` and `inactive_memberships`. `/user/` lists only active members. Lists page
with `_skip`/`_limit` as Close documents: `_limit` defaults to 100, above the maximum (100
here; Close's vary per resource) is a 400; `page_size` (tests: 5) makes pages small so that
clients must paginate. Every handler is a pure function of the dataset, the query string and
the page size, returning `(status, body)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from reportrunner.emulator import activitycatalogue, org, statusdata
from reportrunner.emulator.dataset import Dataset

#: Default and maximum `_limit` of the paginated lists (Close documents a default of 100).
PAGE_MAX = 100

Answer = tuple[int, Any]
_DATE = "2024-11-04T11:04:13.014979+00:00"


def not_found(what: str) -> Answer:
    return 404, {"error": f"Empty query: {what} matching query does not exist."}


def bad_request(field: str, message: str) -> Answer:
    return 400, {"errors": [], "field-errors": {field: message}}


def _page(query: dict[str, str], items: Sequence[Any], maximum: int) -> Answer:
    try:
        skip = int(query.get("_skip", "0"))
        limit = int(query.get("_limit", str(maximum)))
    except ValueError:
        return bad_request("_limit", "_skip and _limit must be whole numbers.")
    if skip < 0:
        return bad_request("_skip", "Ensure this value is greater than or equal to 0.")
    if not 1 <= limit <= maximum:
        return bad_request(
            "_limit", f"Ensure this value is between 1 and {maximum} (the maximum page size)."
        )
    return 200, {"data": list(items[skip : skip + limit]), "has_more": skip + limit < len(items)}


def _select(query: dict[str, str], obj: dict[str, Any]) -> dict[str, Any]:
    """Apply `_fields=a,b` as Close does (unknown names are ignored)."""
    wanted = query.get("_fields")
    if not wanted:
        return obj
    names = {name.strip() for name in wanted.split(",")}
    return {key: value for key, value in obj.items() if key in names}


def user_json(dataset: Dataset, user: org.User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "image": None,
        "date_created": _DATE,
        "date_updated": _DATE,
        "organizations": [dataset.organization_id],
    }


def _membership(dataset: Dataset, user: org.User, expand: bool) -> dict[str, Any]:
    member: dict[str, Any] = {
        "id": "memb_" + user.id[5:],
        "organization_id": dataset.organization_id,
        "user_id": user.id,
        "user_full_name": user.full_name,
        "user_first_name": user.first_name,
        "user_last_name": user.last_name,
        "user_email": user.email,
        "role_id": "admin" if user is dataset.users[0] else "user",
        "date_created": _DATE,
        "date_updated": _DATE,
    }
    if expand:
        member["user"] = user_json(dataset, user)
    return member


def status_json(dataset: Dataset, status: org.Status, pipeline: org.Pipeline) -> dict[str, Any]:
    return {
        "id": status.id,
        "label": status.label,
        "type": status.type,
        "pipeline_id": pipeline.id,
        "organization_id": dataset.organization_id,
    }


def pipeline_json(dataset: Dataset, pipeline: org.Pipeline) -> dict[str, Any]:
    creator = dataset.users[0].id
    return {
        "id": pipeline.id,
        "name": pipeline.name,
        "organization_id": dataset.organization_id,
        "statuses": [{"id": s.id, "label": s.label, "type": s.type} for s in pipeline.statuses],
        "created_by": creator,
        "updated_by": creator,
        "date_created": _DATE,
        "date_updated": _DATE,
    }


def group_json(dataset: Dataset, group: org.Group, members: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "organization_id": dataset.organization_id,
    }
    if members:
        body["members"] = [{"user_id": uid} for uid in group.member_ids]
    return body


def saved_search_json(dataset: Dataset, search: org.SavedSearch) -> dict[str, Any]:
    return {
        "id": search.id,
        "name": search.name,
        "type": "lead",
        "is_shared": True,
        "is_user_dependent": False,
        "query": None,
        "s_query": {"query": {"type": "emulator_rule", "rule": search.rule}, "sort": []},
        "user_id": dataset.users[0].id,
        "description": search.description,
        "organization_id": dataset.organization_id,
        "date_created": _DATE,
        "date_updated": _DATE,
    }


def organization_json(dataset: Dataset, query: dict[str, str]) -> dict[str, Any]:
    expand = set(query.get("_expand", "").split(","))
    return {
        "id": dataset.organization_id,
        "name": dataset.organization_name,
        "date_created": dataset.org_created.isoformat(),
        "memberships": [
            _membership(dataset, u, "memberships__user" in expand)
            for u in dataset.users
            if u.active
        ],
        "inactive_memberships": [
            _membership(dataset, u, "inactive_memberships__user" in expand)
            for u in dataset.users
            if not u.active
        ],
        "pipelines": [pipeline_json(dataset, p) for p in dataset.pipelines],
        "lead_statuses": [
            {"id": s.id, "label": s.label} for s in statusdata.lead_statuses(dataset)
        ],
    }


def me_json(dataset: Dataset) -> dict[str, Any]:
    """The key's owner: the first (admin) user, with its memberships and organizations."""
    owner = dataset.users[0]
    body = user_json(dataset, owner)
    body.update(
        email_accounts=[],
        phone_numbers=[],
        last_used_timezone=dataset.timezone,
        memberships=[_membership(dataset, owner, False)],
        organizations=[organization_json(dataset, {})],
    )
    return body


def _list_saved_searches(dataset: Dataset, query: dict[str, str], page_size: int) -> Answer:
    types = set((query.get("type__in") or query.get("type") or "lead").split(","))
    items = [saved_search_json(dataset, s) for s in dataset.saved_searches]
    return _page(query, [i for i in items if i["type"] in types], page_size)


def _collection(
    dataset: Dataset, name: str, query: dict[str, str], page_size: int
) -> Answer | None:
    if name == "me":
        return 200, _select(query, me_json(dataset))
    if name == "user":
        users = [_select(query, user_json(dataset, u)) for u in dataset.active_users]
        return _page(query, users, page_size)
    if name == "group":
        return 200, {
            "data": [_select(query, group_json(dataset, g, False)) for g in dataset.groups],
            "has_more": False,
        }
    if name == "pipeline":
        return 200, {"data": [pipeline_json(dataset, p) for p in dataset.pipelines]}
    if name == "status/opportunity":
        statuses = [
            _select(query, status_json(dataset, s, p))
            for p in dataset.pipelines
            for s in p.statuses
        ]
        return 200, {"data": statuses, "has_more": False}
    if name == "saved_search":
        return _list_saved_searches(dataset, query, page_size)
    return None


def _item(dataset: Dataset, name: str, ident: str, query: dict[str, str]) -> Answer | None:
    finders: dict[str, tuple[str, Callable[[], dict[str, Any] | None]]] = {
        "user": ("User", lambda: _active_user(dataset, ident)),
        "group": (
            "Group",
            lambda: _maybe(dataset.group(ident), lambda g: group_json(dataset, g, True)),
        ),
        "pipeline": (
            "Pipeline",
            lambda: _maybe(dataset.pipeline(ident), lambda p: pipeline_json(dataset, p)),
        ),
        "saved_search": (
            "SavedSearch",
            lambda: _maybe(dataset.saved_search(ident), lambda s: saved_search_json(dataset, s)),
        ),
        "organization": (
            "Organization",
            lambda: organization_json(dataset, query) if ident == dataset.organization_id else None,
        ),
        "status/opportunity": ("Status", lambda: _status(dataset, ident)),
    }
    if name not in finders:
        return None
    label, find = finders[name]
    found = find()
    return (200, _select(query, found)) if found is not None else not_found(label)


def _maybe(obj: Any, render: Callable[[Any], dict[str, Any]]) -> dict[str, Any] | None:
    return render(obj) if obj is not None else None


def _active_user(dataset: Dataset, ident: str) -> dict[str, Any] | None:
    user = dataset.user(ident)
    # A deactivated user is visible only through /organization/{id}/ inactive_memberships.
    return user_json(dataset, user) if user is not None and user.active else None


def _status(dataset: Dataset, ident: str) -> dict[str, Any] | None:
    for pipeline in dataset.pipelines:
        for status in pipeline.statuses:
            if status.id == ident:
                return status_json(dataset, status, pipeline)
    return None


def activity_metrics() -> dict[str, Any]:
    """`GET /report/activity/metrics/`: the catalogue, as Close's example shapes it."""
    return {"metrics": [dict(entry) for entry in activitycatalogue.CATALOGUE]}


def handle_get(
    dataset: Dataset, relative: str, query: dict[str, str], page_size: int = PAGE_MAX
) -> Answer | None:
    """Answer `GET /api/v1<relative>` (relative starts and ends with "/"); None if unknown.

    `page_size` is the default and maximum `_limit` of the paginated lists.
    """
    parts = [p for p in relative.strip("/").split("/") if p]
    if not parts:
        return None
    if parts[:2] == ["status", "opportunity"]:
        parts = ["status/opportunity", *parts[2:]]
    if len(parts) == 1:
        return _collection(dataset, parts[0], query, page_size)
    if len(parts) == 2:
        return _item(dataset, parts[0], parts[1], query)
    return None
