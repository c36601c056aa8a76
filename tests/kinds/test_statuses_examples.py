"""The example status-change specs: valid, planned with their roles, published by a real run.

They name no account ids (no smart_view_id or user_id), so a first run against a real Close
account works unchanged. Needs the schema for the date-taking kinds (the spec lane's
work-spec branch) on the branch that runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from reportrunner.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "specs/pipeline-movement.yaml": ("opportunity-statuses", "last-week", "previous-period"),
    "specs/lead-flow.yaml": ("lead-statuses", "this-month", "same-days-last-month"),
}


def test_an_example_of_each_kind_with_compare_and_no_account_ids() -> None:
    for name, expected in EXAMPLES.items():
        spec = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        assert (spec["kind"], spec["range"], spec["compare"]) == expected
        assert not set(spec.get("request") or {}) & {"smart_view_id", "user_id"}, name


def test_the_examples_validate() -> None:
    result = CliRunner().invoke(main, ["validate", "--strict", *EXAMPLES], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 spec files checked (2 valid reports): 0 errors, 0 warnings" in result.output


def test_plan_shows_the_exact_urls_with_their_dates() -> None:
    result = CliRunner().invoke(
        main,
        ["plan", *EXAMPLES, "--format", "json", "--at", "2026-12-03T09:30:00Z"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    reports = {r["id"]: r for r in json.loads(result.output)["reports"]}
    urls = {
        report_id: [
            (r["role"], r["method"], r["url"].rsplit("/api/v1", 1)[1]) for r in report["requests"]
        ]
        for report_id, report in reports.items()
    }
    opportunity = "/report/statuses/opportunity/{organization_id}/"
    assert urls["pipeline-movement"] == [
        ("base", "GET", f"{opportunity}?date_end=2026-11-30&date_start=2026-11-23"),
        ("compared", "GET", f"{opportunity}?date_end=2026-11-23&date_start=2026-11-16"),
    ]
    lead = "/report/statuses/lead/{organization_id}/"
    assert urls["lead-flow"] == [  # its two complete days against the same two of November
        ("base", "GET", f"{lead}?date_end=2026-12-03&date_start=2026-12-01"),
        ("compared", "GET", f"{lead}?date_end=2026-12-01&date_start=2026-11-01"),
        ("compared_to_date", "GET", f"{lead}?date_end=2026-11-03&date_start=2026-11-01"),
    ]


def test_run_emulator_publishes_both_examples(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["run", "--emulator", "--out", str(out), *EXAMPLES], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["status"] for r in manifest["reports"]} == {
        "pipeline-movement": "ok",
        "lead-flow": "ok",
    }
    page = (out / "pipeline-movement" / "index.html").read_text(encoding="utf-8")
    assert "Top transitions" in page and "By status" in page
    assert "New leads" in (out / "lead-flow" / "index.html").read_text(encoding="utf-8")


def test_plan_says_where_the_organisation_id_comes_from() -> None:
    at = ["--at", "2026-12-03T09:30:00Z"]
    dated = CliRunner().invoke(main, ["plan", *EXAMPLES, *at], catch_exceptions=False)
    assert dated.exit_code == 0, dated.output
    assert "{organization_id}: your organisation's id, read from GET /me/" in dated.output
    funnel = CliRunner().invoke(main, ["plan", "specs/new-business.yaml", *at])
    assert funnel.exit_code == 0, funnel.output
    assert "{organization_id}" not in funnel.output
