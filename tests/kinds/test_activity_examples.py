"""The example activity specs: valid, planned with their roles, and safe for a first real run.

They use only metric keys of the documented catalogue (never the emulator's own extensions,
which a real account would reject) and the documented organization's ids, like the funnel
examples, which `validate --online --emulator` checks.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from reportrunner.cli import main
from reportrunner.emulator.org import GROUPS
from reportrunner.kinds.activity import catalogue as activitymetrics

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "specs/team-activity.yaml": ("overview", "same-days-last-quarter"),
    "specs/rep-leaderboard.yaml": ("comparison", "previous-period"),
}


def _load(name: str) -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    return loaded


def test_an_overview_and_a_comparison_with_compare_are_in_specs() -> None:
    for name, (kind, compare) in EXAMPLES.items():
        spec = _load(name)
        request = spec["request"]
        assert isinstance(request, dict)
        assert (spec["kind"], request["type"], spec["compare"]) == ("activity", kind, compare)
        for key in request["metrics"]:
            assert activitymetrics.get(key) is not None, f"{name}: {key} is not documented"
        known = {group.id for group in GROUPS}
        assert set(request.get("users", [])) <= known, name


def test_the_examples_validate_online_against_the_emulator() -> None:
    result = CliRunner().invoke(
        main, ["validate", "--online", "--emulator", "--strict", *EXAMPLES], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output


def test_plan_shows_the_base_and_compared_requests_with_their_roles() -> None:
    result = CliRunner().invoke(
        main,
        ["plan", "specs/rep-leaderboard.yaml", "--format", "json", "--at", "2026-12-02T09:30:00Z"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)["reports"][0]
    roles = [
        (r["endpoint"], r["role"], r["url"].rsplit("/api/v1", 1)[1]) for r in report["requests"]
    ]
    assert roles == [
        ("activity", "base", "/report/activity/"),
        ("activity", "compared", "/report/activity/"),
        ("activity", "compared_to_date", "/report/activity/"),
    ]
    base, compared, to_date = (r["body"] for r in report["requests"])
    assert base == _load("specs/rep-leaderboard.yaml")["request"]
    assert "relative_range" not in compared
    assert compared["datetime_range"] == {
        "start": "2026-11-23T00:00:00+01:00",
        "end": "2026-11-30T00:00:00+01:00",
    }
    assert to_date["datetime_range"]["end"] == "2026-11-25T10:30:00+01:00"
    text = (
        CliRunner()
        .invoke(main, ["plan", "specs/team-activity.yaml", "--at", "2026-12-02T09:30:00Z"])
        .output
    )
    assert "[activity, base]" in text and "[activity, compared]" in text
    assert "window compared same-days-last-quarter: 2026-07-01T00:00:00+02:00" in text
