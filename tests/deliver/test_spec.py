"""`deliver:` in reportrunner.yaml and in specs: validated with file:line messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportrunner.spec.validate import validate_paths

SPEC = """\
id: one
title: One
request:
  pipeline: pipe_4vukv2FUlFh9FDiVYAop1U
  type: created-cohort
  cohort_relative_range: last-month
"""


def _project(tmp_path: Path, deliver: str) -> list[str]:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "one.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "reportrunner.yaml").write_text("deliver:\n" + deliver, encoding="utf-8")
    result = validate_paths([tmp_path / "specs"], root=tmp_path)
    return [str(d) for d in result.diagnostics]


def test_a_valid_project_delivery_is_parsed(tmp_path: Path) -> None:
    assert (
        _project(
            tmp_path,
            "  - to: slack\n    webhook_env: SLACK_WEBHOOK_URL\n    reports: [new-*]\n"
            "    when: changed\n    skip_empty: true\n",
        )
        == []
    )
    result = validate_paths([tmp_path / "specs"], root=tmp_path)
    (delivery,) = result.project.deliver
    assert (delivery.to, delivery.env, delivery.when, delivery.skip_empty) == (
        "slack",
        "SLACK_WEBHOOK_URL",
        "changed",
        True,
    )
    assert delivery.covers("new-business") and not delivery.covers("renewals")


@pytest.mark.parametrize(
    ("deliver", "expected"),
    [
        (
            "  - to: slack\n",
            "reportrunner.yaml:2:5: error: a delivery to slack needs `webhook_env:`",
        ),
        (
            "  - to: slack\n    webhook_env: X\n    recipients: [a@example.com]\n",
            "reportrunner.yaml:4:5: error: `recipients` belongs to deliveries to email, not to "
            "slack; remove it",
        ),
        (
            "  - to: slack\n    webhook_env: X\n    when: threshold\n",
            "reportrunner.yaml:2:5: error: `when: threshold` needs `threshold: {metric: …, "
            "above: …}` (or below)",
        ),
        (
            "  - to: slack\n    webhook_env: X\n    when: threshold\n"
            "    threshold: {metric: count, above: 1, below: 2}\n",
            "reportrunner.yaml:5:5: error: a threshold needs exactly one of `above:` or `below:`",
        ),
        ("  - to: slack\n    webhook_env: https://hooks.slack.com/x\n", "environment variable"),
        (
            "  - to: slack\n    webhook_env: X\n    when: threshold\n"
            "    threshold: {metric: revenue, above: 1}\n",
            "deliver entry 1.threshold.metric must be one of count, count_total_won",
        ),
        (
            "  - to: slack\n    webhook_env: X\n    reports: ['a b']\n",
            "must be a report id or a glob",
        ),
        ("  - to: pager\n", 'deliver entry 1.to must be one of slack, email (found "pager")'),
        (
            "  - to: email\n    smtp_env: S\n    from: me\n    recipients: [a@example.com]\n",
            "must be one plain e-mail address",
        ),
    ],
)
def test_problems_are_located_and_explained(tmp_path: Path, deliver: str, expected: str) -> None:
    diagnostics = _project(tmp_path, deliver)
    assert any(expected in line for line in diagnostics), diagnostics


def test_a_spec_delivery_is_its_own_and_takes_no_reports(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    text = SPEC + "deliver:\n  - to: slack\n    webhook_env: X\n    reports: [other]\n"
    (tmp_path / "specs" / "one.yaml").write_text(text, encoding="utf-8")
    result = validate_paths([tmp_path / "specs"], root=tmp_path)
    assert [d.message for d in result.diagnostics] == [
        "a spec's own delivery sends only its own report: `reports:` belongs in reportrunner.yaml"
    ]
    (tmp_path / "specs" / "one.yaml").write_text(text.rsplit("    reports", 1)[0], "utf-8")
    (spec,) = validate_paths([tmp_path / "specs"], root=tmp_path).specs
    assert [d.env for d in spec.deliver] == ["X"]
