"""Readiness: each answer finishes exactly the reports whose last request it was."""

from __future__ import annotations

from typing import Any

from reportrunner.fetch.plan import ReportPlan
from reportrunner.fetch.readiness import Readiness


class _Request:
    def __init__(self, key: str) -> None:
        self.key = key


class _Spec:
    def __init__(self, id_: str) -> None:
        self.id = id_


def _report(id_: str, *keys: str) -> ReportPlan:
    requests: Any = [_Request(key) for key in keys]
    spec: Any = _Spec(id_)
    return ReportPlan(spec, requests, {})


def _ids(reports: list[ReportPlan]) -> list[str]:
    return [report.spec.id for report in reports]


def test_shared_and_repeated_keys_finish_once_in_plan_order() -> None:
    reports = [_report("a", "k1", "k2"), _report("b", "k2"), _report("c", "k3", "k3"), _report("d")]
    ready = Readiness(reports)
    assert _ids(ready.open()) == ["d"]  # no requests: complete at once
    assert _ids(ready.answered("k2")) == ["b"]
    assert _ids(ready.answered("k3")) == ["c"]  # a key listed twice counts once
    assert _ids(ready.answered("k1")) == ["a"]
    assert ready.answered("k1") == []  # a key answered again finishes nothing


def test_nothing_is_returned_before_open() -> None:
    reports = [_report("a", "k1"), _report("b", "k1", "k2"), _report("c", "k2")]
    ready = Readiness(reports)
    assert ready.answered("k1") == []
    assert _ids(ready.open()) == ["a"]
    assert _ids(ready.answered("k2")) == ["b", "c"]


def test_ten_thousand_reports_cost_one_step_per_request() -> None:
    reports = [_report(f"r{i}", f"k{i}", "shared") for i in range(10_000)]
    ready = Readiness(reports)
    assert ready.open() == []
    finished = sum(len(ready.answered(f"k{i}")) for i in range(10_000))
    assert finished == 0
    assert len(ready.answered("shared")) == 10_000
