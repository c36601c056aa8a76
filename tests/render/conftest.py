"""Fixtures for the page tests: the hand-built data.json, a project, a fixed clock, histories."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from reportrunner.model import Project, ReportOutcome

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 30, 9, 0, 5, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def fixture_text() -> str:
    return (HERE / "fixtures" / "data.json").read_text(encoding="utf-8")


@pytest.fixture
def data(fixture_text: str) -> dict[str, Any]:
    """A fresh copy of the fixture data.json (tests may change it)."""
    loaded: dict[str, Any] = json.loads(fixture_text)
    return loaded


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(root=tmp_path, site_title="Acme revenue reports")


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def make_outcome() -> Callable[..., ReportOutcome]:
    def make(data: dict[str, Any] | None = None, **changes: Any) -> ReportOutcome:
        fields: dict[str, Any] = {
            "id": data["id"] if data else changes.get("id", "report"),
            "title": data["title"] if data else "A report",
            "source": data["spec_file"] if data else "specs/report.yaml",
            "status": "ok" if data else "failed",
            "data": copy.deepcopy(data),
            "error": None if data else "Close answered 500",
        }
        fields.update(changes)
        return ReportOutcome(**fields)

    return make


@pytest.fixture
def earlier_snapshots(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Three earlier weekly runs, so the trend chart has points before the fixture's run."""
    runs = []
    for day, count, won, value, rate in (
        ("2026-11-09", 31, 6, 18200000, 0.4286),
        ("2026-11-16", 36, 8, 24100000, 0.4706),
        ("2026-11-23", 41, 9, 27800000, 0.45),
    ):
        headline = dict.fromkeys(
            (
                "value_win_rate",
                "average_value_annualized_per_won_opportunity",
                "average_time_to_win",
                "sales_velocity",
            )
        )
        headline.update(
            count=count, count_total_won=won, value_total_won=value, count_win_rate=rate
        )
        runs.append(
            {
                "fetched_at": f"{day}T09:00:00Z",
                "windows": data["windows"],
                "headline": headline,
                "compared_headline": None,
            }
        )
    return runs
