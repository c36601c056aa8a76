"""One message's content: the reports a delivery sends this run, and why (the alert line).

Slack payloads (slack.py) and e-mails (mailmsg.py) are two renderings of the same `Batch`, so
both always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportrunner.deliver.config import Delivery, Threshold
from reportrunner.deliver.digest import Digest
from reportrunner.deliver.rules import Decision
from reportrunner.kinds.funnel.metrics import TOTALS_FIELDS
from reportrunner.site.filters import Formatter

_FIELDS = {key: (label, kind) for key, label, kind, _ in TOTALS_FIELDS}


@dataclass(frozen=True)
class Item:
    digest: Digest
    decision: Decision


@dataclass(frozen=True)
class Batch:
    delivery: Delivery
    items: tuple[Item, ...]
    site_title: str
    site_url: str | None
    date: str  # the run's day, "2026-12-02"
    alert: str | None = None  # "Threshold met: Win rate by count below 25%", said first

    @property
    def titles(self) -> list[str]:
        return [item.digest.title for item in self.items]


def threshold_words(
    threshold: Threshold, fmt: Formatter, currency: str = "USD", digest: Digest | None = None
) -> str:
    """A threshold in the page's words and units: "Win rate by count below 25%".

    A funnel headline metric has its fixed name; another kind's metric is named and formatted
    as its own page shows it (the digest carries that from the kind's view).
    """
    units = digest.units if digest is not None else {}
    fallback = units.get(threshold.metric, (threshold.metric, "count"))
    label, kind = _FIELDS.get(threshold.metric, fallback)
    side, line = (
        ("above", threshold.above) if threshold.above is not None else ("below", threshold.below)
    )
    return f"{label} {side} {fmt.metric(line, kind, currency)}"
