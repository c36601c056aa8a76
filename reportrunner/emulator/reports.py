"""The report POST endpoints (funnel totals and stages, activity): checks, JSON or CSV answers.

`answer_report` takes the raw POST body and headers of `/report/funnel/opportunity/totals/` or
`/stages/` and returns the status, content type and bytes to send. Requests are checked with the
project's own rules (`reportrunner.spec.validate.request_problems`: the JSON Schema in schema/ plus
the semantic checks), so the emulator and `reportrunner validate` always agree; unknown ids are
checked here against the dataset. Errors use Close's 400 shape
`{"errors": [...], "field-errors": {field: message}}`. `answer_activity` does the same for
`/report/activity/` (the same rules, for the activity kind, against the served catalogue), then
looks the ids up (activityrequest.py) and computes the report (activity.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from reportrunner import windows
from reportrunner.emulator import (
    activity,
    activitycatalogue,
    activitydata,
    activityrequest,
    funnel,
)
from reportrunner.emulator.dataset import Dataset
from reportrunner.model import ReportKind

JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"

TOTALS_COLUMNS: tuple[str, ...] = (
    "count",
    "count_total_complete",
    "count_total_won",
    "count_win_rate",
    "value_total_complete",
    "value_total_won",
    "value_win_rate",
    "average_time_to_win",
    "average_value_annualized_per_won_opportunity",
    "sales_velocity",
)
STAGE_COLUMNS: tuple[str, ...] = (
    "count",
    "count_lost",
    "count_conversion_rate",
    "count_lost_ratio",
    "value",
    "value_lost",
    "value_conversion_rate",
    "value_lost_ratio",
    "weighted_value",
    "weighted_value_conversion_rate",
    "average_time_to_advance",
)

Answer = tuple[int, str, bytes]
#: Close's message for a missing mandatory field (close-reporting-endpoints.md §1, §6.2).
REQUIRED = "This field is required."


def dump(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(", ", ": ")).encode("utf-8")


def error_answer(field_errors: Mapping[str, str], errors: list[str] | None = None) -> Answer:
    return 400, JSON_TYPE, dump({"errors": errors or [], "field-errors": dict(field_errors)})


def request_errors(
    body: Any, kind: ReportKind = "funnel", metrics: Collection[str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The project's own request rules (schema + semantic checks): errors only, no warnings.

    Warnings (such as a cohort range on an active-stage-cohort report) are not errors: Close
    ignores that field, and so does the emulator. For an activity body, `metrics` is the
    catalogue the emulator serves: a key outside it is an error, as the account's would be.
    """
    # Imported here: validate brings the YAML and spec machinery, which only report requests
    # need (jsonschema itself is loaded by validate only for an invalid body).
    from reportrunner.spec.validate import request_problems

    errors: list[str] = []
    field_errors: dict[str, str] = {}
    for problem in request_problems(body, kind, metrics):
        if problem.severity != "error":
            continue
        field = problem.field  # a missing key is that key's error, as in Close
        if not field:
            errors.append(problem.message)
        elif field in field_errors:
            field_errors[field] += "; " + problem.message
        else:
            field_errors[field] = problem.message
    return errors, field_errors


def wants_csv(accept: str | None) -> bool:
    """True when `Accept` prefers text/csv over JSON (first listed wins; q=0 excluded)."""
    for part in (accept or "").split(","):
        media, *params = (piece.strip().lower() for piece in part.split(";"))
        if any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params):
            continue
        if media == "text/csv":
            return True
        if media in ("application/json", "application/*"):
            return False
    return False


def _cell(value: Any) -> Any:
    return "" if value is None else value


def totals_csv(dataset: Dataset, report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("user_id", "user_name", *TOTALS_COLUMNS))
    for row in report["data"]:
        name = dataset.user_name(row["user_id"])
        writer.writerow((row["user_id"], name, *(_cell(row[c]) for c in TOTALS_COLUMNS)))
    return out.getvalue()


def stages_csv(dataset: Dataset, report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ("user_id", "user_name", "status_id", "status_label", "status_type", *STAGE_COLUMNS)
    )
    for row in report["data"]:
        name = dataset.user_name(row["user_id"])
        for stage in row["stages"]:
            status = stage["status"]
            writer.writerow(
                (
                    row["user_id"],
                    name,
                    status["id"],
                    status["label"],
                    status["type"],
                    *(_cell(stage[c]) for c in STAGE_COLUMNS),
                )
            )
    return out.getvalue()


def answer_report(
    dataset: Dataset,
    endpoint: str,
    raw: bytes,
    headers: Mapping[str, str],
    now: datetime,
) -> Answer:
    """Answer one funnel POST; `endpoint` is "totals" or "stages", `headers` lower-cased."""
    try:
        zone = windows.parse_offset_header(headers.get("x-tz-offset"))
    except ValueError as exc:
        return error_answer({}, [f"Invalid X-TZ-Offset header: {exc}. Send hours, e.g. -4 or 5.5."])
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return error_answer({}, [f"The request body is not valid JSON: {exc}"])
    if not isinstance(body, dict):
        return error_answer({}, ["The request body must be a JSON object."])
    errors, field_errors = request_errors(body)
    if errors or field_errors:
        return error_answer(field_errors, errors)
    try:
        scope = funnel.resolve_scope(dataset, body, zone, now)
    except funnel.RequestInvalid as exc:
        return error_answer(exc.field_errors, exc.errors)
    if endpoint == "totals":
        report, to_csv = funnel.totals_report(dataset, scope), totals_csv
    else:
        report, to_csv = funnel.stages_report(dataset, scope), stages_csv
    if wants_csv(headers.get("accept")):
        return 200, CSV_TYPE, to_csv(dataset, report).encode("utf-8")
    return 200, JSON_TYPE, dump(report)


def _activity_csv(dataset: Dataset, request: activityrequest.ActivityRequest, body: Any) -> str:
    """One row per period (`datetime`) or per user (`user_id`, `user_name`), metric columns."""
    keys = [m.key for m in request.measures]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if request.type == "overview":
        writer.writerow(("datetime", *keys))
        for row in body["data"]:
            writer.writerow((row["datetime"], *(_cell(row[k]) for k in keys)))
    else:
        writer.writerow(("user_id", "user_name", *keys))
        for row in body["data"]:
            name = dataset.user_name(row["user_id"])
            writer.writerow((row["user_id"], name, *(_cell(row[k]) for k in keys)))
    return out.getvalue()


def answer_activity(
    dataset: Dataset, raw: bytes, headers: Mapping[str, str], now: datetime
) -> Answer:
    """Answer `POST /report/activity/` (overview or comparison); `headers` lower-cased."""
    try:
        zone = windows.parse_offset_header(headers.get("x-tz-offset"))
    except ValueError as exc:
        return error_answer({}, [f"Invalid X-TZ-Offset header: {exc}. Send hours, e.g. -4 or 5.5."])
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return error_answer({}, [f"The request body is not valid JSON: {exc}"])
    if not isinstance(body, dict):
        return error_answer({}, ["The request body must be a JSON object."])
    errors, field_errors = request_errors(body, "activity", activitycatalogue.KEYS)
    for key in ("type", "metrics"):
        if key not in body:  # Close's own words, seen on a live 400 for a missing `metrics`
            field_errors[key] = REQUIRED
    if errors or field_errors:
        return error_answer(field_errors, errors)
    try:
        request = activityrequest.parse(dataset, body, zone, now)
    except funnel.RequestInvalid as exc:
        return error_answer(exc.field_errors, exc.errors)
    store = activitydata.store_for(dataset)
    if request.type == "overview":
        report = activity.overview(dataset, store, request, now)
    else:
        report = activity.comparison(dataset, store, request, now)
    if wants_csv(headers.get("accept")):
        return 200, CSV_TYPE, _activity_csv(dataset, request, report).encode("utf-8")
    return 200, JSON_TYPE, dump(report)
