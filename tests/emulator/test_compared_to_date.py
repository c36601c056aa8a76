"""The to-date comparison request the planner adds is answered like the span it names.

`compared_custom_range` with a relative base range (this month against the first days of last
month) must give exactly what a report of that span gives: the runner's headline depends on it.
"""

from __future__ import annotations

from typing import Any

import requests

from reportrunner.emulator import Emulator
from reportrunner.fetch.plan import build_plan
from reportrunner.model import Spec

TOTALS = "/report/funnel/opportunity/totals/"


def _post(emu: Emulator, body: Any) -> dict[str, Any]:
    response = requests.post(emu.base_url + TOTALS, json=body, auth=("test-key", ""), timeout=10)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_the_planned_to_date_request_equals_a_report_of_that_span(emulator: Emulator) -> None:
    now = emulator.dataset.now
    request = {
        "pipeline": emulator.dataset.pipelines[0].id,
        "type": "created-cohort",
        "cohort_relative_range": "this-quarter",
        "compared_relative_range": "last-quarter",
    }
    spec = Spec(id="q", title="q", request=request, source="specs/q.yaml", endpoints=("totals",))
    (report,) = build_plan([spec], now).reports
    (to_date,) = [r for r in report.requests if r.role == "compared_to_date"]
    span = to_date.body["compared_custom_range"]
    same_span = {k: v for k, v in to_date.body.items() if k != "compared_custom_range"}
    same_span.pop("cohort_relative_range")
    same_span["cohort_datetime_range"] = span
    planned, direct = _post(emulator, to_date.body), _post(emulator, same_span)
    assert planned == direct
    whole = _post(emulator, request)
    # The first weeks of last quarter hold fewer opportunities than all of it.
    assert 0 < planned["aggregations"]["count"] < whole["aggregations"]["count"]
