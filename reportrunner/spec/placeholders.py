"""Placeholder ids that `reportrunner new` writes when it cannot know the account's real ones.

They have the shape of real ids, so the schema accepts them and the rest of the file is checked
as usual; `validate` then rejects each one with the way out (`reportrunner ids`), instead of
the nightly run failing on an id Close does not have.
"""

from __future__ import annotations

from typing import Any

from reportrunner.spec.messages import Problem

MARK = "REPLACEME"
PLACEHOLDERS: dict[str, str] = {
    "pipeline": f"pipe_{MARK}",
    "user": f"user_{MARK}",
    "group": f"group_{MARK}",
    "saved search": f"save_{MARK}",
}
_LISTS: dict[str, str] = {
    "pipeline": "pipelines",
    "user": "users",
    "group": "groups",
    "saved search": "saved-searches",
}


def _problem(pointer: str, kind: str) -> Problem:
    return Problem(
        pointer,
        f"{PLACEHOLDERS[kind]} is a placeholder, not a {kind} of your account; run "
        f"`reportrunner ids {_LISTS[kind]}` and paste the id here",
    )


def placeholder_problems(request: Any, prefix: str = "/request") -> list[Problem]:
    """An error for every placeholder id still in `request` (a spec's request body)."""
    if not isinstance(request, dict):
        return []
    found = []
    if request.get("pipeline") == PLACEHOLDERS["pipeline"]:
        found.append(_problem(f"{prefix}/pipeline", "pipeline"))
    users = request.get("users")
    for index, entry in enumerate(users if isinstance(users, list) else []):
        for kind in ("user", "group"):
            if entry == PLACEHOLDERS[kind]:
                found.append(_problem(f"{prefix}/users/{index}", kind))
    query = request.get("query")
    if isinstance(query, dict) and query.get("saved_search_id") == PLACEHOLDERS["saved search"]:
        found.append(_problem(f"{prefix}/query/saved_search_id", "saved search"))
    # The GET reports' query parameters: one Smart View, one user.
    if request.get("smart_view_id") == PLACEHOLDERS["saved search"]:
        found.append(_problem(f"{prefix}/smart_view_id", "saved search"))
    if request.get("user_id") == PLACEHOLDERS["user"]:
        found.append(_problem(f"{prefix}/user_id", "user"))
    return found
