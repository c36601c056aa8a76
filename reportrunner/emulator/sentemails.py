"""`GET /report/sent_emails/{org_id}/`: sent e-mails by template over a period.

The body is `{"sent_email_stats": [...]}` (close-reporting-endpoints.md §9.4): the "All Emails"
row first (every e-mail sent in the period, with or without a template; `template_id` and
`template_url` null), then one row per template that sent at least one e-mail in the period,
by `total` descending, then name, then id. `user_id` keeps the e-mails that user sent.
Percentages are whole percents, `100 × count / total` rounded half up, 0 when nothing was
sent. `_queries` are Close's e-mail search strings (opaque). The choices: docs/emulator.md.
"""

from __future__ import annotations

from typing import Any

from reportrunner.emulator import sentdata
from reportrunner.emulator.dataset import Dataset
from reportrunner.emulator.getparams import GetParams

ALL_EMAILS = "All Emails"


def percent(count: int, total: int) -> int:
    """`round(100 × count / total)`, halves away from zero (exact integers); 0 if total is 0."""
    if total <= 0:
        return 0  # undocumented; the field is an integer in Close's example, never null
    return (200 * count + total) // (2 * total)


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def queries(template_name: str | None) -> dict[str, str]:
    """The `_queries` of a row, in the form of Close's example (`template:"…"` for templates)."""
    scope = (
        "direction:sent"
        if template_name is None
        else (f"direction:sent template:{_quoted(template_name)}")
    )
    return {
        "total": f"email({scope})",
        "opened": f"email({scope} opened:yes)",
        "responded": f"email({scope} has_reply:yes)",
    }


def _row(
    name: str,
    ident: str | None,
    url: str | None,
    shared: bool,
    counts: tuple[int, int, int],
    query: dict[str, str],
) -> dict[str, Any]:
    total, opened, responded = counts
    return {
        "name": name,
        "template_id": ident,
        "template_url": url,
        "is_shared": shared,
        "total": total,
        "opened": opened,
        "responded": responded,
        "percentage_opened": percent(opened, total),
        "percentage_responded": percent(responded, total),
        "_queries": query,
    }


def report(dataset: Dataset, params: GetParams) -> dict[str, Any]:
    """The report body for one checked request."""
    start = params.start if params.start is not None else float("-inf")
    end = params.end if params.end is not None else float("inf")
    sums: dict[int, list[int]] = {}
    for month in sentdata.store_for(dataset).months(start, end):
        for user, by_template in month.items():
            if params.user_id is not None and user != params.user_id:
                continue
            for index, sends in by_template.items():
                found = sums.setdefault(index, [0, 0, 0])
                for i, value in enumerate(sends.count(start, end)):
                    found[i] += value
    everything = [sum(c[i] for c in sums.values()) for i in range(3)]
    rows = [_row(ALL_EMAILS, None, None, True, (everything[0], everything[1], everything[2]),
                 queries(None))]  # fmt: skip
    templates = []
    for index, (total, opened, responded) in sums.items():
        if index == sentdata.NO_TEMPLATE or total == 0:
            continue
        template = sentdata.TEMPLATES[index]
        ident = sentdata.template_id(dataset, template)
        url = f"/organization/{dataset.organization_id}/email_templates/{ident}/"
        row = _row(
            template.name,
            ident,
            url,
            template.is_shared,
            (total, opened, responded),
            queries(template.name),
        )
        templates.append(row)
    templates.sort(key=lambda r: (-r["total"], r["name"].casefold(), r["template_id"]))
    return {"sent_email_stats": rows + templates}
