"""The search strings and UI paths of the status reports (`_queries`, `_leads_page_urls`, …).

Opaque to clients; built in the shape of Close's example (close-reporting-endpoints.md §10.4,
§11.3): bounds as naive UTC `YYYY-MM-DD HH:MM:SS`, the end one second before the exclusive
end, `/search/<url-encoded query>/` paths, opportunity queries wrapped in `opportunity(...)`.
The opportunity report's `_opportunities_page_urls` keep the example's odd form verbatim:
`/opportunities/key=value&…/` with no `?`, the unwrapped query `+`-encoded.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import quote, quote_plus

KEYS = ("started", "ended", "gained", "lost", "entered", "left")


def _bound(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _quoted(label: str) -> str:
    return '"' + label.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page(query: str) -> str:
    return "/search/" + quote(query, safe="") + "/"


def overview_queries(kind: str, label: str, start: float, end: float) -> dict[str, str]:
    s, e, name = _bound(start), _bound(end - 1), _quoted(label)
    status = "lead_status" if kind == "lead" else "status"
    change = "lead_status_change" if kind == "lead" else "status_change"
    original = "original_lead_status" if kind == "lead" else "original_status"
    at_start, at_end = f'{status}(status:{name} on:"{s}")', f'{status}(status:{name} on:"{e}")'
    within = f'date >= "{s}" and date <= "{e}"'
    inner = {
        "started": at_start,
        "ended": at_end,
        "gained": f"not {at_start} and {at_end}",
        "lost": f"{at_start} and not {at_end}",
        "entered": f'({original}:{name} and created >= "{s}" and created <= "{e}")'
        f" or {change}(new_status:{name} and {within})",
        "left": f"{change}(old_status:{name} and {within})",
    }
    return {key: wrap(kind, value) for key, value in inner.items()}


def wrap(kind: str, query: str) -> str:
    return query if kind == "lead" else f"opportunity({query})"


def transition_query(kind: str, source: str | None, target: str, start: float, end: float) -> str:
    s, e = _bound(start), _bound(end - 1)
    change = "lead_status_change" if kind == "lead" else "status_change"
    original = "original_lead_status" if kind == "lead" else "original_status"
    if source is None:
        text = f'{original}:{_quoted(target)} and created >= "{s}" and created <= "{e}"'
    else:
        text = (
            f"{change}(old_status:{_quoted(source)} new_status:{_quoted(target)}"
            f' and date >= "{s}" and date <= "{e}")'
        )
    return wrap(kind, text)


#: Which end of the period a filter's status is read at (the example: started → start, …).
_AT_START = {"started": True, "lost": True, "left": True}


def opportunities_page(
    key: str,
    status: tuple[str, str],
    query: str,
    days: tuple[date | None, date | None],
    source: tuple[str, str] | None = None,
) -> str:
    """One `_opportunities_page_url(s)` value: `key` a KEYS entry or "transition"."""
    ident, label = status
    pairs: list[tuple[str, str]] = []
    if key == "transition":
        # The example's order, odd as it is: start id, end label, start label.
        if source is not None:
            pairs += [("custom_filter_start_status_id", source[0])]
        pairs += [("custom_filter_end_status_label", label)]
        if source is not None:
            pairs += [("custom_filter_start_status_label", source[1])]
    elif _AT_START.get(key):
        pairs += [("custom_filter_start_status_id", ident)]
        pairs += [("custom_filter_start_status_label", label)]
    else:
        pairs += [("custom_filter_end_status_label", label)]
    for name, day in zip(("custom_filter_date_start", "custom_filter_date_end"), days, strict=True):
        if day is not None:
            pairs.append((name, day.isoformat()))
    inner = query.removeprefix("opportunity(").removesuffix(")")
    pairs += [("query", inner), ("custom_filter_type", key)]
    if key == "transition" or not _AT_START.get(key):
        pairs.append(("custom_filter_end_status_id", ident))
    return "/opportunities/" + "&".join(f"{k}={quote_plus(v)}" for k, v in pairs) + "/"
