"""Small builders shared by the delivery tests."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportrunner.deliver.config import parse_deliveries
from reportrunner.deliver.entry import DeliverSettings, DeliveryResult, ReportInput, deliver
from reportrunner.deliver.senders import Retry
from reportrunner.deliver.state import DeliveryState

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=timezone.utc)


class Sleeps(list[float]):
    """An injected sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def with_numbers(data: dict[str, Any], **numbers: float) -> dict[str, Any]:
    """A copy of a report's data.json with some base totals replaced."""
    changed = copy.deepcopy(data)
    changed["responses"]["totals"]["base"]["aggregations"].update(numbers)
    return changed


def run_once(
    deliveries: list[dict[str, Any]],
    reports: dict[str, dict[str, Any]],
    secrets: dict[str, str],
    state: DeliveryState | None = None,
    *,
    sleep: Sleeps | None = None,
    dry_run: Path | None = None,
    base_url: str | None = "https://acme.github.io/reports/",
    attempts: int = 4,
) -> DeliveryResult:
    return deliver(
        DeliverSettings(
            reports=[ReportInput(rid, data) for rid, data in reports.items()],
            shared=parse_deliveries(deliveries, "reportrunner.yaml"),
            secrets=secrets,
            state=state or DeliveryState(),
            now=NOW,
            site_title="Acme revenue",
            base_url=base_url,
            dry_run=dry_run,
            retry=Retry(
                attempts=attempts, backoff=1.0, sleep=sleep if sleep is not None else Sleeps()
            ),
        )
    )
