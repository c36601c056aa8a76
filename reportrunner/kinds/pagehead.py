"""The fields every kind's page starts with, read from an untrusted data.json the same way.

Id, title, description, tags, spec file, currency, zone, status (with the stale words) and the
fetch time: the kinds' view models share these, and the shared partials (page head, index
card, stale banner) read them by these names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportrunner.escaping import plain_text
from reportrunner.site.statuswords import stale_words
from reportrunner.windows import parse_rfc3339

if TYPE_CHECKING:
    from reportrunner.site.filters import Formatter


def page_head(
    data: dict[str, Any],
    fmt: Formatter,
    zone: str,
    *,
    status: str,
    error: str | None,
    currency: str | None = None,
) -> dict[str, Any]:
    """The keyword arguments of a view model's common fields (raises on a bad fetch time)."""
    fetched = parse_rfc3339(str(data["fetched_at"]))
    return {
        "id": str(data["id"]),
        "title": plain_text(data.get("title") or data["id"]),
        "description": plain_text(data.get("description") or ""),
        "tags": [plain_text(tag) for tag in data.get("tags") or []],
        "spec_file": plain_text(data.get("spec_file") or ""),
        "currency": currency or str(data.get("currency") or "USD"),
        "timezone": zone,
        "status": status,
        "error": plain_text(error) if error else None,
        "status_words": stale_words(fmt.day(fetched, zone), error) if status == "stale" else "",
        "fetched_at": str(data["fetched_at"]),
        "fetched_text": fmt.moment(fetched, zone),
    }
