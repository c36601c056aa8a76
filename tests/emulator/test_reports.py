"""The funnel endpoints over HTTP: validation, CSV, X-TZ-Offset, determinism."""

from __future__ import annotations

import csv
import io
from typing import Any

import requests

from reportrunner.emulator import Emulator
from reportrunner.emulator.reports import STAGE_COLUMNS, TOTALS_COLUMNS

TOTALS = "/report/funnel/opportunity/totals/"
STAGES = "/report/funnel/opportunity/stages/"


def _post(emu: Emulator, path: str, body: Any, **headers: str) -> requests.Response:
    return requests.post(
        emu.base_url + path, json=body, auth=("test-key", ""), headers=headers, timeout=10
    )


def _body(emu: Emulator, **extra: Any) -> dict[str, Any]:
    body = {
        "pipeline": emu.dataset.pipelines[0].id,
        "type": "created-cohort",
        "cohort_relative_range": "this-month",
    }
    body.update(extra)
    return body


def test_same_request_gives_the_same_response(emulator: Emulator) -> None:
    for path in (TOTALS, STAGES):
        first = _post(emulator, path, _body(emulator))
        second = _post(emulator, path, _body(emulator))
        assert first.status_code == 200, first.text
        assert first.content == second.content
        assert first.headers["Content-Type"] == "application/json"


def test_always_data_in_recent_windows(emulator: Emulator) -> None:
    for name in ("this-week", "this-month", "last-quarter"):
        for kind, stem in (("created-cohort", "cohort"), ("active-stage-cohort", "report")):
            body = {
                "pipeline": emulator.dataset.pipelines[0].id,
                "type": kind,
                f"{stem}_relative_range": name,
            }
            totals = _post(emulator, TOTALS, body).json()["aggregations"]
            assert totals["count"] > 0, (name, kind)


def test_schema_violations_are_400_in_close_shape(emulator: Emulator) -> None:
    response = _post(emulator, TOTALS, {"type": "created-cohort"})
    assert response.status_code == 400
    assert set(response.json()) == {"errors", "field-errors"}
    assert "pipeline" in response.json()["field-errors"]
    bad_range = _post(emulator, TOTALS, _body(emulator, cohort_relative_range="next-week"))
    assert bad_range.status_code == 400
    assert "cohort_relative_range" in bad_range.json()["field-errors"]
    reversed_range = _body(
        emulator,
        cohort_datetime_range={"start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"},
    )
    del reversed_range["cohort_relative_range"]
    reply = _post(emulator, STAGES, reversed_range)
    assert reply.status_code == 400
    assert "before end" in reply.json()["field-errors"]["cohort_datetime_range"]


def test_unknown_ids_answer_object_does_not_exist(emulator: Emulator) -> None:
    cases = {
        "pipeline": _body(emulator, pipeline="pipe_0000000000000000000000"),
        "users": _body(emulator, users=["user_" + "x" * 43]),
        "query": _body(emulator, query={"type": "saved_search", "saved_search_id": "save_abc"}),
    }
    for field, body in cases.items():
        response = _post(emulator, TOTALS, body)
        assert response.status_code == 400, (field, response.text)
        assert response.json()["field-errors"] == {field: "Object does not exist."}


def test_warning_fields_are_ignored_not_rejected(emulator: Emulator) -> None:
    base = {
        "pipeline": emulator.dataset.pipelines[0].id,
        "type": "active-stage-cohort",
        "report_relative_range": "last-month",
    }
    with_cohort = dict(base, cohort_relative_range="this-year")
    plain = _post(emulator, TOTALS, base)
    ignored = _post(emulator, TOTALS, with_cohort)
    assert ignored.status_code == 200, ignored.text
    assert ignored.json() == plain.json()


def test_bad_json_and_bad_offset(emulator: Emulator) -> None:
    response = requests.post(
        emulator.base_url + TOTALS,
        data=b"{nope",
        auth=("test-key", ""),
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400 and "not valid JSON" in response.json()["errors"][0]
    for bad in ("abc", "99", "nan"):
        reply = _post(emulator, TOTALS, _body(emulator), **{"X-TZ-Offset": bad})
        assert reply.status_code == 400, bad
        assert "X-TZ-Offset" in reply.json()["errors"][0]


def test_offset_header_moves_relative_windows(emulator: Emulator) -> None:
    body = {
        "pipeline": emulator.dataset.pipelines[0].id,
        "type": "created-cohort",
        "cohort_relative_range": "yesterday",
    }
    utc = _post(emulator, TOTALS, body).json()
    explicit_utc = _post(emulator, TOTALS, body, **{"X-TZ-Offset": "0.0"}).json()
    far_east = _post(emulator, TOTALS, body, **{"X-TZ-Offset": "12.75"}).json()
    assert utc == explicit_utc
    assert utc != far_east


def test_totals_csv_has_one_row_per_user_and_matches_json(emulator: Emulator) -> None:
    as_json = _post(emulator, TOTALS, _body(emulator)).json()
    response = _post(emulator, TOTALS, _body(emulator), Accept="text/csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == ["user_id", "user_name", *TOTALS_COLUMNS]
    assert [r["user_id"] for r in rows] == [r["user_id"] for r in as_json["data"]]
    for row, data in zip(rows, as_json["data"], strict=True):
        assert int(row["count"]) == data["count"]
        expected = "" if data["average_time_to_win"] is None else str(data["average_time_to_win"])
        assert row["average_time_to_win"] == expected
    assert any(r["user_name"] == "Noah Müller" for r in rows)


def test_stages_csv_flattens_user_by_stage(emulator: Emulator) -> None:
    as_json = _post(emulator, STAGES, _body(emulator)).json()
    text = _post(emulator, STAGES, _body(emulator), Accept="text/csv; q=1").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:5] == ["user_id", "user_name", "status_id", "status_label", "status_type"]
    assert list(rows[0])[5:] == list(STAGE_COLUMNS)
    stages = len(as_json["aggregations"]["stages"])
    assert len(rows) == len(as_json["data"]) * stages
    assert (
        _post(emulator, STAGES, _body(emulator), Accept="application/json, text/csv")
        .headers["Content-Type"]
        .startswith("application/json")
    )


def test_400_words_are_validates_words(emulator: Emulator) -> None:
    from reportrunner.spec.validate import request_problems

    body = _body(emulator, cohort_relative_range="next-week", users="not-a-list")
    expected = {p.field: p.message for p in request_problems(body) if p.severity == "error"}
    assert expected  # the body really is invalid
    response = _post(emulator, TOTALS, body)
    assert response.status_code == 400
    field_errors = response.json()["field-errors"]
    for field, message in expected.items():
        assert message in field_errors[field], (field, field_errors)
