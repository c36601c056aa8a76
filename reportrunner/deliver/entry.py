"""`deliver`: one call that decides, builds and sends (or writes) every delivery of a run.

The CLI hands over the reports fetched fine in this run (a stale page is never announced as
fresh), the deliveries, the secrets it read from the environment and the previous state; this
returns a `DeliveryResult`, failures as data: a delivery that cannot be sent is one failed
outcome, the others still go out, and its reports keep their old state so the next run tries
again. With `dry_run` set, messages are written there (Slack JSON, e-mail .eml) and nothing is
sent or recorded; no secret is needed for that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from reportrunner.deliver import mailmsg, slack
from reportrunner.deliver.batch import Batch, Item, threshold_words
from reportrunner.deliver.config import Delivery, for_report
from reportrunner.deliver.digest import Digest, digest_of
from reportrunner.deliver.rules import decide
from reportrunner.deliver.senders import (
    DeliveryFailed,
    Retry,
    SlackSender,
    SmtpSender,
    SmtpServer,
)
from reportrunner.deliver.state import DeliveryState, Sent
from reportrunner.redact import register_secret
from reportrunner.site.filters import Formatter
from reportrunner.windows import iso_z

Status = Literal["sent", "skipped", "failed", "written"]


@dataclass(frozen=True)
class ReportInput:
    """A report fetched fine in this run: its data.json and the spec's own deliveries."""

    id: str
    data: dict[str, Any]
    deliver: tuple[Delivery, ...] = ()


@dataclass(frozen=True)
class DeliverSettings:
    reports: Sequence[ReportInput]
    shared: Sequence[Delivery]  # reportrunner.yaml's deliveries
    secrets: Mapping[str, str]  # environment variable name → value, read by the CLI
    state: DeliveryState
    now: datetime
    site_title: str = "Close funnel reports"
    base_url: str | None = None
    locale: str = "en_US"
    dry_run: Path | None = None
    retry: Retry = field(default_factory=Retry)


@dataclass(frozen=True)
class DeliveryOutcome:
    key: str
    label: str
    status: Status
    sent: tuple[str, ...] = ()  # report ids in the message
    skipped: tuple[tuple[str, str], ...] = ()  # (report id, why in words)
    error: str | None = None
    files: tuple[Path, ...] = ()


@dataclass
class DeliveryResult:
    outcomes: list[DeliveryOutcome]
    state: DeliveryState  # the previous state with this run's sent messages recorded
    batches: list[Batch] = field(default_factory=list)  # what was (or would be) sent

    @property
    def failed(self) -> list[DeliveryOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]


def _groups(settings: DeliverSettings) -> dict[str, list[tuple[ReportInput, Delivery]]]:
    """Destination key → the reports it covers, each with the delivery that governs it."""
    groups: dict[str, list[tuple[ReportInput, Delivery]]] = {
        delivery.key: [] for delivery in settings.shared
    }
    for report in sorted(settings.reports, key=lambda r: r.id):
        for key, delivery in for_report(report.id, report.deliver, settings.shared).items():
            groups.setdefault(key, []).append((report, delivery))
    return groups


def _file_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:120]


class _Run:
    """The shared state of one `deliver` call; one method per step."""

    def __init__(self, settings: DeliverSettings) -> None:
        self.settings = settings
        self.fmt = Formatter(settings.locale)
        self.state = DeliveryState(
            sent={key: dict(value) for key, value in settings.state.sent.items()},
            warnings=list(settings.state.warnings),
        )
        self.batches: list[Batch] = []
        # A report's digest is the same for every delivery showing the same metrics.
        self.digests: dict[tuple[str, tuple[str, ...]], Digest] = {}

    def digest(self, report: ReportInput, extra: tuple[str, ...]) -> Digest:
        key = (report.id, extra)
        if key not in self.digests:
            self.digests[key] = digest_of(report.data, self.fmt, self.settings.base_url, extra)
        return self.digests[key]

    def batch(
        self, key: str, members: list[tuple[ReportInput, Delivery]]
    ) -> tuple[Batch, list[tuple[str, str]]]:
        items: list[Item] = []
        skipped: list[tuple[str, str]] = []
        alerts: dict[str, list[str]] = {}
        for report, delivery in members:
            extra = (delivery.threshold.metric,) if delivery.threshold else ()
            digest = self.digest(report, extra)
            decision = decide(delivery, digest, self.state.last(key, report.id))
            if not decision.send:
                skipped.append((report.id, decision.words))
                continue
            items.append(Item(digest, decision))
            if decision.reason == "threshold" and delivery.threshold:
                currency = str(report.data.get("currency") or "USD")
                words = threshold_words(delivery.threshold, self.fmt, currency, digest)
                alerts.setdefault(words, []).append(digest.title)
        alert = "; ".join(
            f"Threshold met: {words} in {', '.join(titles)}" for words, titles in alerts.items()
        )
        first = members[0][1]
        batch = Batch(
            delivery=first,
            items=tuple(items),
            site_title=self.settings.site_title,
            site_url=self.settings.base_url.rstrip("/") + "/" if self.settings.base_url else None,
            date=self.settings.now.date().isoformat(),
            alert=alert or None,
        )
        return batch, skipped

    def secret(self, delivery: Delivery) -> str:
        value = self.settings.secrets.get(delivery.env, "")
        if not value:
            raise DeliveryFailed(
                f"${delivery.env} is not set, so nothing was sent to {delivery.to}",
                hint=f"set {delivery.env} (in GitHub Actions: a repository secret passed as an "
                "env variable; see docs/delivery.md)",
            )
        register_secret(value)
        return value

    def send(self, batch: Batch) -> None:
        delivery, retry = batch.delivery, self.settings.retry
        url = self.secret(delivery)
        if delivery.to == "slack":
            # The path of a webhook URL is its secret: mask it on its own too.
            path = url.split("://", 1)[-1].partition("/")[2]
            register_secret("/" + path if path else "")
            SlackSender(url, retry).send(slack.payload(batch))
        else:
            server = SmtpServer.parse(url)
            for secret in server.secrets:
                register_secret(secret)
            SmtpSender(server, retry).send(mailmsg.message(batch))

    def write(self, batch: Batch, folder: Path) -> tuple[Path, ...]:
        folder.mkdir(parents=True, exist_ok=True)
        name = _file_name(batch.delivery.key)
        if batch.delivery.to == "slack":
            path = folder / f"{name}.slack.json"
            text = json.dumps(slack.payload(batch), indent=2, ensure_ascii=False) + "\n"
            path.write_text(text, encoding="utf-8")
        else:
            path = folder / f"{name}.eml"
            path.write_bytes(bytes(mailmsg.message(batch)))
        return (path,)

    def record(self, key: str, batch: Batch) -> None:
        sent_at = iso_z(self.settings.now)
        for item in batch.items:
            self.state.record(key, item.digest.id, Sent(sent_at, dict(item.digest.numbers)))

    def one(self, key: str, members: list[tuple[ReportInput, Delivery]]) -> DeliveryOutcome:
        if not members:  # a shared delivery none of this run's reports falls under
            label = next(d.label for d in self.settings.shared if d.key == key)
            return DeliveryOutcome(key, label, "skipped")
        batch, skipped = self.batch(key, members)
        label = batch.delivery.label
        sent = tuple(item.digest.id for item in batch.items)
        if not batch.items:
            return DeliveryOutcome(key, label, "skipped", skipped=tuple(skipped))
        self.batches.append(batch)
        if self.settings.dry_run is not None:
            files = self.write(batch, self.settings.dry_run)
            return DeliveryOutcome(key, label, "written", sent, tuple(skipped), files=files)
        try:
            self.send(batch)
        except DeliveryFailed as exc:
            error = exc.message + (f"; {exc.hint}" if exc.hint else "")
            return DeliveryOutcome(key, label, "failed", sent, tuple(skipped), error=error)
        self.record(key, batch)
        return DeliveryOutcome(key, label, "sent", sent, tuple(skipped))


def deliver(settings: DeliverSettings) -> DeliveryResult:
    """Send (or, with `dry_run`, write) every delivery's message for this run's reports."""
    run = _Run(settings)
    outcomes = [run.one(key, members) for key, members in _groups(settings).items()]
    return DeliveryResult(outcomes=outcomes, state=run.state, batches=run.batches)
