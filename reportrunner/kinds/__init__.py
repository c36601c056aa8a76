"""The registry of report kinds: the one shared place where a kind is named.

Each line maps a kind's name (a spec's `kind:`, data.json's `kind`) to the module whose `KIND`
implements `reportrunner.kinds.base.Kind`. Modules are imported on first use, so validating
specs never imports a kind's view code, and the shared stages (plan, runner, site) reach a kind
only through `kind_named`, `kind_of_data` and `kind_of_endpoint`. tests/kinds checks that no
shared module names a kind other than through this registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from reportrunner.kinds.base import Kind, PageView

__all__ = ["DEFAULT", "REGISTRY", "Kind", "PageView", "kind_named", "kind_of_data"]

#: kind name → module holding its `KIND`. Adding a kind: its folder plus one line here.
REGISTRY: dict[str, str] = {
    "funnel": "reportrunner.kinds.funnel",
    "activity": "reportrunner.kinds.activity",
    "lead-statuses": "reportrunner.kinds.statuses.lead",
    "opportunity-statuses": "reportrunner.kinds.statuses.opportunity",
}
#: The kind of a spec without `kind:` and of a data.json written before kinds existed.
DEFAULT = "funnel"


class UnknownKind(ValueError):
    """A kind name no registry line knows (a data.json from a later version, a typo)."""


def kind_named(name: str) -> Kind:
    """The kind registered under `name`; UnknownKind for any other name."""
    module = REGISTRY.get(name) if isinstance(name, str) else None
    if module is None:
        known = ", ".join(sorted(REGISTRY))
        raise UnknownKind(f"unknown report kind {name!r}; this reportrunner knows {known}")
    kind: Kind = import_module(module).KIND
    return kind


def kind_of_data(data: Mapping[str, Any]) -> Kind:
    """The kind of a data.json (untrusted: an unknown `kind` raises UnknownKind)."""
    return kind_named(data.get("kind", DEFAULT))


def kind_of_endpoint(endpoint: str) -> Kind:
    """The kind that owns an endpoint name ("totals" → funnel)."""
    for name in REGISTRY:
        kind = kind_named(name)
        if endpoint in kind.endpoints:
            return kind
    raise UnknownKind(f"no report kind owns the endpoint {endpoint!r}")
