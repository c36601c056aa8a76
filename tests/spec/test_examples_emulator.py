"""The example specs run: every planned request gets a 200 from the emulator (real HTTP)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import requests

from reportrunner.emulator import Emulator
from reportrunner.fetch.plan import ORGANIZATION, build_plan
from reportrunner.kinds import kind_of_endpoint
from reportrunner.spec.validate import validate_paths

ROOT = Path(__file__).resolve().parents[2]


def test_every_planned_request_of_the_examples_is_accepted() -> None:
    result = validate_paths([ROOT / "specs"], root=ROOT)
    assert result.errors == 0
    plan = build_plan(result.specs, datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc))
    with Emulator(api_key="k", seed=1) as emulator, requests.Session() as session:
        session.auth = ("k", "")
        # GET reports name the organisation in their path, as the runner fills it from /me/.
        me = session.get(emulator.base_url + "/me/", timeout=10).json()
        organization = me["organizations"][0]["id"]
        for request in plan.unique():
            url = emulator.base_url + request.target().replace(ORGANIZATION, organization)
            if request.method == "GET":
                answer = session.get(url, headers=request.headers(), timeout=10)
            else:
                answer = session.post(url, json=request.body, headers=request.headers(), timeout=10)
            assert answer.status_code == 200, f"{request.key}: {answer.status_code} {answer.text}"
            kind = kind_of_endpoint(request.endpoint)
            assert kind.shape_problem(request.endpoint, answer.json()) is None, request.key
        recorded = [r for r in emulator.requests if r.path != "/me/"]
    assert len(recorded) == len(plan.unique())
    offsets = {
        value for r in recorded for key, value in r.headers.items() if key.lower() == "x-tz-offset"
    }
    # Berlin, New York and UTC specs; +2: an activity spec's compared quarter in Berlin summer.
    assert offsets == {"1", "2", "-5", "0"}


def test_the_emulator_answers_bad_bodies_with_our_words() -> None:
    with Emulator(api_key="k", seed=1) as emulator:
        answer = requests.post(
            emulator.base_url + "/report/funnel/opportunity/totals/",
            json={"pipeline": "pipe_4vukv2FUlFh9FDiVYAop1U", "type": "created-cohort"},
            auth=("k", ""),
            timeout=10,
        )
    assert answer.status_code == 400
    assert (
        "created-cohort reports need cohort_relative_range or cohort_datetime_range" in answer.text
    )
