"""The example sent e-mails specs: valid, planned as GETs with their dates, published by
`reportrunner run --emulator`, and safe for a first real run (they name no account ids)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from reportrunner.cli import main
from reportrunner.resources import load_schema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "specs/email-templates.yaml": ("email-templates-last-week", "last-week", "previous-period"),
    "specs/email-templates-month.yaml": (
        "email-templates-this-month",
        "this-month",
        "same-days-last-month",
    ),
}
#: Until the spec stage's sent-emails branch is in the schema, `validate` refuses the kind.
pytestmark = pytest.mark.skipif(
    "sent-emails" not in json.dumps(load_schema("report-spec.schema.json")),
    reason="the schema has no sent-emails branch yet (spec lane, issue 12)",
)


def test_the_examples_name_no_account_ids() -> None:
    for name, (report_id, rng, compare) in EXAMPLES.items():
        spec = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        assert (spec["kind"], spec["id"], spec["range"], spec["compare"]) == (
            "sent-emails", report_id, rng, compare,
        )  # fmt: skip
        assert "request" not in spec, name


def test_the_examples_validate_strictly() -> None:
    result = CliRunner().invoke(main, ["validate", "--strict", *EXAMPLES], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_plan_prints_the_get_urls_with_their_dates() -> None:
    result = CliRunner().invoke(
        main,
        ["plan", *EXAMPLES, "--format", "json", "--at", "2026-12-02T09:30:00Z"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    reports = {r["id"]: r for r in json.loads(result.output)["reports"]}
    found = [
        (r["role"], r["url"].rsplit("/api/v1", 1)[1])
        for r in reports["email-templates-this-month"]["requests"]
    ]
    path = "/report/sent_emails/{organization_id}/"
    assert found == [
        ("base", path + "?date_end=2026-12-02&date_start=2026-12-01"),
        ("compared", path + "?date_end=2026-12-01&date_start=2026-11-01"),
        ("compared_to_date", path + "?date_end=2026-11-02&date_start=2026-11-01"),
    ]


@pytest.mark.slow
def test_run_emulator_publishes_both_examples(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["run", "--emulator", "--out", str(out), *EXAMPLES], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["status"] for r in manifest["reports"]} == {
        "email-templates-last-week": "ok",
        "email-templates-this-month": "ok",
    }
    page = (out / "email-templates-last-week" / "index.html").read_text(encoding="utf-8")
    assert "Templates by sends" in page and "All Emails" in page
    assert "E-mails sent" in (out / "index.html").read_text(encoding="utf-8")
