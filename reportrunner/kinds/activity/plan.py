"""An activity spec → its requests to `POST /report/activity/` and the windows they cover.

The base request is the spec's `request:` exactly as written. With `compare:` the runner adds
the compared request itself (the endpoint has no compared field): the same body with the
`datetime_range` of the compared period (periods.py), role "compared". While the report's own
period is still running (this week on Wednesday) and the two periods are of about the same
length, a third request asks for the same elapsed span of the compared period, role
"compared_to_date", so the headline compares three days with three days — the funnel's rule,
from reportrunner.comparison. Windows are written to data.json as the funnel writes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportrunner.comparison import decide
from reportrunner.fetch.plan import PlannedRequest, ReportPlan, planned_request
from reportrunner.kinds.periods import compared_window
from reportrunner.model import Spec
from reportrunner.windows import (
    Window,
    datetime_window,
    offset_zone,
    resolve_relative,
    zone_offset_hours,
)

ENDPOINT = "activity"
PATH = "/report/activity/"
RANGE_FIELDS = ("relative_range", "datetime_range")


def base_window(request: dict[str, Any], now: datetime, offset: float) -> dict[str, Any] | None:
    """The report's own window as data.json writes it (`kind`, `value`, `start`, `end`).

    A relative range is resolved as Close resolves it: in the fixed zone of the X-TZ-Offset
    header the request carries (the spec's zone at `now`).
    """
    relative = request.get("relative_range")
    if isinstance(relative, str):
        window = resolve_relative(relative, now, offset_zone(offset))
        return {"kind": "relative", "value": relative, **window.to_json()}
    dated = request.get("datetime_range")
    if isinstance(dated, dict):
        return {"kind": "datetime", "value": None, "start": dated["start"], "end": dated["end"]}
    return None


def _bounded(window: dict[str, Any] | None) -> Window | None:
    if not window or not window.get("start") or not window.get("end"):
        return None
    return datetime_window({"start": str(window["start"]), "end": str(window["end"])})


def with_range(request: dict[str, Any], window: Window) -> dict[str, Any]:
    """The body with its range replaced by `window` as a `datetime_range`."""
    body = {key: value for key, value in request.items() if key not in RANGE_FIELDS}
    body["datetime_range"] = window.to_json()
    return body


def plan_activity(spec: Spec, now: datetime) -> ReportPlan:
    offset = zone_offset_hours(spec.timezone, now)
    report = base_window(spec.request, now, offset)
    windows: dict[str, dict[str, Any] | None] = {"report": report, "compared": None}
    requests: list[PlannedRequest] = [
        planned_request(ENDPOINT, "base", PATH, dict(spec.request), offset)
    ]
    base = _bounded(report)
    relative = report.get("value") if report and report["kind"] == "relative" else None
    compared = None
    if base is not None:
        compared = compared_window(base, spec.compare, spec.timezone, wall=relative is not None)
    if base is not None and compared is not None:
        windows["compared"] = {
            "kind": "previous-period" if spec.compare == "previous-period" else "same-days",
            "value": spec.compare,
            **compared.to_json(),
        }
        # Close buckets an overview by days of the X-TZ-Offset zone: the compared period's
        # requests carry the offset the spec's zone has there (October +02:00 in Berlin).
        assert compared.start is not None
        before = zone_offset_hours(spec.timezone, compared.start)
        body = with_range(spec.request, compared)
        requests.append(planned_request(ENDPOINT, "compared", PATH, body, before))
        verdict = decide(base, compared, now, relative=relative)
        if verdict.kind == "to-date":
            windows["compared_to_date"] = {
                "kind": "to-date",
                "value": None,
                **verdict.against.to_json(),
            }
            body = with_range(spec.request, verdict.against)
            requests.append(planned_request(ENDPOINT, "compared_to_date", PATH, body, before))
    return ReportPlan(spec, requests, windows, extra={"compare": spec.compare})
