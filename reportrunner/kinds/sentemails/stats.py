"""One sent e-mails answer as typed rows, and the rule for when a rate change is real.

Parsed once at the boundary (shape.py has already refused what cannot be shown), so the view
works on attributes. Rates are computed from the counts — `opened / total`, `responded / total`
— never taken from Close's rounded `percentage_*` fields: those are whole percents, and Close's
own example contradicts its counts. A row with no sends has no rate ("—"), and a row with more
opened or replied than sent has none either (the page says why).

When may a page say a template's rate *fell*? Only when all of these hold (docs/pages.md):

- the two periods are compared fairly (`reportrunner.comparison`: like for like, or the same
  days so far), which the caller passes in as `fair`;
- both periods have at least `MIN_SENDS` sends of that template: 12 of 30 against 15 of 30
  is noise, not news;
- the rate moved by at least `MIN_POINTS` percentage points, so a large template's tiny but
  certain dip does not raise an alarm either;
- and the move is larger than chance explains: a two-proportion z-test with |z| ≥ `Z_LIMIT`
  (1.96: a change this large happens by chance less than 1 time in 20).

A rise is judged by the same rule (green instead of red). The number of e-mails sent is
coloured (more is better, as on activity pages) only for fair periods with at least `MIN_SENDS`
sends on both sides and a change of at least `SENDS_CHANGE` (10 %): one e-mail fewer is no news.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

#: Fewer sends than this in either period: a rate change is shown, never judged.
MIN_SENDS = 30
#: Smaller moves than this (percentage points) are never flagged, however many sends.
MIN_POINTS = 5.0
#: The relative change in sends below which the headline's sends are not coloured.
SENDS_CHANGE = 0.10
#: The two-proportion z-score a move must reach (two-sided 95 %).
Z_LIMIT = 1.96
OVERALL_NAME = "All Emails"

Verdict = Literal["fell", "rose", "steady", "few-sends", "unfair", "none"]


@dataclass(frozen=True)
class Stats:
    """One row of `sent_email_stats`, counts as Close sent them."""

    key: str  # the template id, or "name:<name>" for a row without one
    template_id: str | None
    name: str
    url: str | None
    shared: bool | None
    sent: int
    opened: int
    replied: int
    close_opened: float | None  # Close's rounded percentage (0..100), shown in the CSV only
    close_replied: float | None

    def _rate(self, count: int) -> float | None:
        return None if self.sent == 0 or count > self.sent else count / self.sent

    @property
    def open_rate(self) -> float | None:
        """opened / sent; None without sends or when the counts contradict each other."""
        return self._rate(self.opened)

    @property
    def reply_rate(self) -> float | None:
        return self._rate(self.replied)

    @property
    def contradicts(self) -> bool:
        """More opened or replied than sent: no rate can be shown."""
        return self.opened > self.sent or self.replied > self.sent


@dataclass(frozen=True)
class Answer:
    overall: Stats | None  # the "All Emails" row; None when Close sent none
    templates: list[Stats]  # every other row, in Close's order

    def by_key(self) -> dict[str, Stats]:
        return {row.key: row for row in self.templates}

    def totals(self) -> Stats | None:
        """The "All Emails" row, or the templates' sum when Close sent none (None: no rows)."""
        if self.overall is not None or not self.templates:
            return self.overall
        rows = self.templates
        return Stats(
            "all", None, "All templates", None, None, sum(row.sent for row in rows),
            sum(row.opened for row in rows), sum(row.replied for row in rows), None, None,
        )  # fmt: skip


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _stats(row: dict[str, Any]) -> Stats:
    template = row.get("template_id")
    name = str(row.get("name", ""))
    return Stats(
        key=str(template) if isinstance(template, str) else "name:" + name,
        template_id=template if isinstance(template, str) else None,
        name=name,
        url=row.get("template_url") if isinstance(row.get("template_url"), str) else None,
        shared=row.get("is_shared") if isinstance(row.get("is_shared"), bool) else None,
        sent=int(row.get("total") or 0),
        opened=int(row.get("opened") or 0),
        replied=int(row.get("responded") or 0),
        close_opened=_number(row.get("percentage_opened")),
        close_replied=_number(row.get("percentage_responded")),
    )


def read_answer(answer: Any) -> Answer:
    """The rows of one answer (already checked by shape.py; anything else reads as empty).

    The overall row is the one without a template id named "All Emails" (Close puts it first);
    failing that, a first row without a template id. Other rows without an id are templates
    known by name only.
    """
    rows = answer.get("sent_email_stats") if isinstance(answer, dict) else None
    parsed = (
        [_stats(row) for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
    )
    overall = next(
        (row for row in parsed if row.template_id is None and row.name == OVERALL_NAME), None
    )
    if overall is None and parsed and parsed[0].template_id is None:
        overall = parsed[0]
    seen: set[str] = set()
    templates = []
    for row in parsed:
        if row is overall or row.key in seen:
            continue
        seen.add(row.key)
        templates.append(row)
    return Answer(overall, templates)


def z_score(now: tuple[int, int], before: tuple[int, int]) -> float:
    """The pooled two-proportion z-score of (count, sent) now against before (0 if undefined)."""
    (hits, sent), (old_hits, old_sent) = now, before
    pooled = (hits + old_hits) / (sent + old_sent)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / sent + 1 / old_sent))
    return 0.0 if spread == 0 else (hits / sent - old_hits / old_sent) / spread


def rate_verdict(count: int, sent: int, old_count: int, old_sent: int, *, fair: bool) -> Verdict:
    """Whether a rate (count / sent) fell or rose against the compared period (module rules)."""
    if sent == 0 or old_sent == 0 or count > sent or old_count > old_sent:
        return "none"
    if not fair:
        return "unfair"
    if min(sent, old_sent) < MIN_SENDS:
        return "few-sends"
    points = (count / sent - old_count / old_sent) * 100
    if abs(points) < MIN_POINTS or abs(z_score((count, sent), (old_count, old_sent))) < Z_LIMIT:
        return "steady"
    return "fell" if points < 0 else "rose"


def sends_verdict(sent: int, old_sent: int, *, fair: bool) -> Verdict:
    """Whether the number sent rose or fell beyond noise (module rules)."""
    if not fair:
        return "unfair"
    if min(sent, old_sent) < MIN_SENDS:
        return "few-sends"
    if abs(sent - old_sent) < SENDS_CHANGE * old_sent:
        return "steady"
    return "fell" if sent < old_sent else "rose"
