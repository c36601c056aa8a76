"""The metric catalogue: the documented 50 keys, their properties, and the schema's copy."""

from __future__ import annotations

import re

from reportrunner.kinds.activity import catalogue as activitymetrics
from reportrunner.resources import load_schema

#: A few entries of the reference's table (§5.4), as Close names them.
DOCUMENTED = {
    "calls.all.all.count": "All Calls - All Types",
    "calls.outbound.predictive_dialer.avg_duration": (
        "Outbound Calls - Predictive Dialer Average Duration"
    ),
    "emails.sent.sequences_without_reply.count": "Sent Emails - Sequences without Reply",
    "leads.contacted.all.count": "Contacted Leads",
    "opportunities.won.all.sum_annualized_value": "Opportunities - Won - Annualized",
    "opportunities.value_lost.one_time.sum_value": "Opportunities - Value Lost - One Time",
}


def test_the_catalogue_holds_the_documented_keys() -> None:
    assert len(activitymetrics.METRICS) == 50
    assert len(set(activitymetrics.KEYS)) == 50
    for key, name in DOCUMENTED.items():
        metric = activitymetrics.get(key)
        assert metric is not None and metric.name == name
    assert all(activitymetrics.is_well_formed(key) for key in activitymetrics.KEYS)


def test_units_follow_the_aggregation() -> None:
    units = {m.key: m.unit for m in activitymetrics.METRICS}
    assert units["calls.all.all.count"] == "count"
    assert units["calls.inbound.all.sum_duration"] == "duration"
    assert units["calls.outbound.regular.avg_duration"] == "duration"
    assert units["opportunities.value_won.annual.sum_value"] == "money"
    assert units["opportunities.lost.all.sum_annualized_value"] == "money"
    assert activitymetrics.unit_of("calls.video.all.sum_duration") == "duration"  # undocumented
    assert activitymetrics.unit_of("not a key") is None
    averages = [m.key for m in activitymetrics.METRICS if m.is_average]
    assert averages and all(key.endswith(".avg_duration") for key in averages)


def test_only_lost_opportunities_are_better_down() -> None:
    worse = sorted(m.key for m in activitymetrics.METRICS if not m.up_is_better)
    assert worse == sorted(
        key for key in activitymetrics.KEYS if re.match(r"opportunities\.(lost|value_lost)\.", key)
    )
    assert len(worse) == 8


def test_the_schema_completes_exactly_the_catalogue() -> None:
    """The schema's completion list is this module's list, in the same order."""
    metric_key = load_schema("report-spec.schema.json")["definitions"]["metricKey"]
    enums = [alt["enum"] for alt in metric_key["anyOf"] if "enum" in alt]
    patterns = [alt["pattern"] for alt in metric_key["anyOf"] if "pattern" in alt]
    assert enums == [list(activitymetrics.KEYS)]
    assert patterns == [activitymetrics.KEY_PATTERN]


def test_entries_serve_as_the_metrics_endpoint_shows_them() -> None:
    entry = activitymetrics.get("opportunities.lost.all.count")
    assert entry is not None
    assert entry.to_json() == {
        "key": "opportunities.lost.all.count",
        "name": "Opportunities - Lost",
        "description": "The number of lost opportunities created for/assigned to a user.",
    }


def test_the_reference_lists_the_catalogue() -> None:
    """docs/specs.md's table is this module's list, with units and directions."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "specs.md").read_text(encoding="utf-8")
    row = r"^\| `([a-z_.]+)` \| (.+?) \| (count|seconds|cents) \| (up|\*\*down\*\*) \|$"
    rows = re.findall(row, text, re.MULTILINE)
    units = {"count": "count", "duration": "seconds", "money": "cents"}
    assert rows == [
        (m.key, m.name, units[m.unit], "up" if m.up_is_better else "**down**")
        for m in activitymetrics.METRICS
    ]
