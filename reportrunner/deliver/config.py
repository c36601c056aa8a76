"""The `deliver:` blocks of reportrunner.yaml and of specs, as typed objects, and their checks.

The JSON Schema (schema/report-spec.schema.json `definitions/delivery`) fixes the shape of one
delivery; `delivery_problems` adds the rules that tie fields together (Slack needs a webhook
variable, e-mail a server, a sender and recipients, `when: threshold` a threshold), with
messages that name the field to add. `parse_deliveries` turns an already valid list into
`Delivery` objects; the core never reads the environment, so a delivery only names the
variable that holds its secret.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from reportrunner.spec.messages import Problem

Channel = Literal["slack", "email"]
When = Literal["always", "changed", "threshold"]

#: The fields only one channel understands; the other one rejects them with a clear message.
_CHANNEL_FIELDS: dict[str, tuple[str, ...]] = {
    "slack": ("webhook_env",),
    "email": ("smtp_env", "from", "recipients"),
}


@dataclass(frozen=True)
class Threshold:
    """`threshold: {metric, above | below}`: holds when the report's metric crosses the line."""

    metric: str
    above: float | None = None
    below: float | None = None

    def holds(self, value: float | None) -> bool:
        if value is None:
            return False
        if self.above is not None:
            return value > self.above
        return self.below is not None and value < self.below


@dataclass(frozen=True)
class Delivery:
    """One `deliver:` entry. `reports` holds ids or globs; empty means every report."""

    to: Channel
    env: str  # the environment variable holding the webhook URL or the SMTP URL
    when: When = "always"
    skip_empty: bool = False
    reports: tuple[str, ...] = ()
    threshold: Threshold | None = None
    sender: str = ""
    recipients: tuple[str, ...] = ()
    origin: str = ""  # where it was written ("reportrunner.yaml" or the spec file)

    @property
    def key(self) -> str:
        """The destination: deliveries to the same one share a message and their state."""
        if self.to == "slack":
            return f"slack-{self.env}"
        return f"email-{self.env}-" + ",".join(sorted(r.lower() for r in self.recipients))

    @property
    def label(self) -> str:
        """How messages name the destination (never the secret itself)."""
        if self.to == "slack":
            return f"Slack (${self.env})"
        return f"e-mail to {', '.join(self.recipients)} (${self.env})"

    def covers(self, report_id: str) -> bool:
        return not self.reports or any(
            fnmatch.fnmatchcase(report_id, pattern) for pattern in self.reports
        )


def delivery_problems(value: Any, prefix: str, *, in_spec: bool) -> list[Problem]:
    """The rules across fields of a `deliver:` list the schema cannot say clearly."""
    problems: list[Problem] = []
    if not isinstance(value, list):
        return problems
    for index, item in enumerate(value):
        if not isinstance(item, dict) or item.get("to") not in _CHANNEL_FIELDS:
            continue  # the schema explains it
        where = f"{prefix}/{index}"
        to = item["to"]
        for name in _CHANNEL_FIELDS[to]:
            if name not in item:
                problems.append(Problem(where, f"a delivery to {to} needs `{name}:`", at_key=True))
        for other, names in _CHANNEL_FIELDS.items():
            for name in names if other != to else ():
                if name in item:
                    problems.append(
                        Problem(
                            f"{where}/{name}",
                            f"`{name}` belongs to deliveries to {other}, not to {to}; remove it",
                            at_key=True,
                        )
                    )
        when, threshold = item.get("when", "always"), item.get("threshold")
        if when == "threshold" and threshold is None:
            problems.append(
                Problem(
                    where,
                    "`when: threshold` needs `threshold: {metric: …, above: …}` (or below)",
                    at_key=True,
                )
            )
        if threshold is not None and when != "threshold":
            problems.append(
                Problem(
                    f"{where}/threshold",
                    "`threshold` is used only with `when: threshold`; add it or remove this",
                    at_key=True,
                )
            )
        if isinstance(threshold, dict) and ("above" in threshold) == ("below" in threshold):
            problems.append(
                Problem(
                    f"{where}/threshold",
                    "a threshold needs exactly one of `above:` or `below:`",
                    at_key=True,
                )
            )
        if in_spec and "reports" in item:
            problems.append(
                Problem(
                    f"{where}/reports",
                    "a spec's own delivery sends only its own report: `reports:` belongs in "
                    "reportrunner.yaml",
                    at_key=True,
                )
            )
    return problems


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _threshold(value: Any) -> Threshold | None:
    if not isinstance(value, dict) or not isinstance(value.get("metric"), str):
        return None
    return Threshold(value["metric"], _number(value.get("above")), _number(value.get("below")))


def parse_deliveries(value: Any, origin: str) -> tuple[Delivery, ...]:
    """Deliveries out of a `deliver:` list; malformed items (validation explains them) are
    skipped, so this never fails on an invalid file."""
    if not isinstance(value, list):
        return ()
    found: list[Delivery] = []
    for item in value:
        if not isinstance(item, dict) or item.get("to") not in _CHANNEL_FIELDS:
            continue
        env = item.get("webhook_env") if item["to"] == "slack" else item.get("smtp_env")
        when = item.get("when", "always")
        found.append(
            Delivery(
                to=item["to"],
                env=env if isinstance(env, str) else "",
                when=when if when in ("always", "changed", "threshold") else "always",
                skip_empty=item.get("skip_empty") is True,
                reports=_texts(item.get("reports")),
                threshold=_threshold(item.get("threshold")),
                sender=item["from"] if isinstance(item.get("from"), str) else "",
                recipients=_texts(item.get("recipients")),
                origin=origin,
            )
        )
    return tuple(found)


def for_report(
    report_id: str, own: Sequence[Delivery], shared: Sequence[Delivery]
) -> dict[str, Delivery]:
    """The delivery that governs `report_id` per destination key.

    A spec's own delivery wins over the project's to the same destination; among the
    project's, the first that covers the report wins (one rule per report and destination).
    """
    chosen: dict[str, Delivery] = {}
    for delivery in own:
        chosen.setdefault(delivery.key, delivery)
    for delivery in shared:
        if delivery.covers(report_id):
            chosen.setdefault(delivery.key, delivery)
    return chosen
