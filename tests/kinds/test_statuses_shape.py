"""Close's status-change answers are untrusted: a wrong shape fails its report with the reason."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from reportrunner.kinds import kind_named

FIXTURES = Path(__file__).resolve().parents[1] / "render" / "fixtures"
STATUS = {
    "status_id": "stat_1",
    "status_label": "Potential",
    "status_is_deleted": False,
    "started": 10,
    "ended": 12,
    "change": 2,
    "change_percent": 20,
    "gained": 3,
    "lost": 1,
    "entered": 4,
    "left": 2,
    "_queries": {"started": 'lead_status(status:"Potential")'},
}
MOVE = {
    "from_status_id": None,
    "from_status_label": None,
    "from_status_is_deleted": None,
    "to_status_id": "stat_1",
    "to_status_label": "Potential",
    "to_status_is_deleted": False,
    "count": 4,
    "_query": "…",
}
GOOD = {"status_overview": [STATUS], "status_transitions": [MOVE], "status_transitions_summary": []}
#: Close's overall report leaves the fields that need a start out.
OVERALL = {
    "status_overview": [{"status_id": "stat_1", "status_label": "P", "ended": 3, "entered": 9}],
    "status_transitions": [],
}


def problem(answer: Any, kind: str = "lead-statuses") -> str | None:
    found = kind_named(kind)
    return found.shape_problem(next(iter(found.endpoints)), answer)


def _emulated(name: str) -> list[Any]:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return [answer for roles in data["responses"].values() for answer in roles.values()]


@pytest.mark.parametrize(
    "answer",
    [
        GOOD,
        OVERALL,
        {"status_overview": []},
        *_emulated("lead-statuses"),
        *_emulated("lead-statuses-overall"),
    ],
)
def test_documented_shapes_pass(answer: dict[str, Any]) -> None:
    assert problem(answer) is None


@pytest.mark.parametrize("answer", _emulated("opportunity-statuses"))
def test_the_emulator_s_opportunity_answers_pass(answer: dict[str, Any]) -> None:
    assert problem(answer, "opportunity-statuses") is None


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    answer = copy.deepcopy(GOOD)
    target: Any = answer
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return answer


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ([], "the answer is a list, expected an object"),
        ("<html>", "the answer is a string"),
        ({}, "no status_overview: it is not a status-change report"),
        ({"status_overview": {}}, "/status_overview is an object, expected a list"),
        ({"status_overview": None}, "/status_overview is null, expected a list"),
        ({"status_overview": ["x"]}, "/status_overview/0 is a string, expected an object"),
        (_with(("status_overview", 0, "status_id"), KeyError), "0 has no status_id"),
        (_with(("status_overview", 0, "status_id"), 7), "/status_overview/0/status_id is a number"),
        (_with(("status_overview", 0, "status_label"), ["P"]), "status_label is a list"),
        (_with(("status_overview", 0, "status_label"), "L" * 501), "longer than 500 characters"),
        (_with(("status_overview", 0, "status_is_deleted"), "no"), "expected true or false"),
        (_with(("status_overview", 0, "started"), "10"), "/status_overview/0/started is a string"),
        (_with(("status_overview", 0, "ended"), True), "/status_overview/0/ended is a boolean"),
        (_with(("status_overview", 0, "entered"), 1e300), "beyond any plausible value"),
        (_with(("status_overview", 0, "left"), float("nan")), "beyond any plausible value"),
        (_with(("status_overview", 0, "lost"), -1), "lost is -1, but a count cannot be negative"),
        (_with(("status_overview", 0, "change_percent"), "3%"), "change_percent is a string"),
        ({**GOOD, "status_transitions": {}}, "/status_transitions is an object, expected a list"),
        (_with(("status_transitions", 0), 3), "/status_transitions/0 is a number"),
        (_with(("status_transitions", 0, "count"), KeyError), "needs to_status_id and count"),
        (_with(("status_transitions", 0, "to_status_id"), KeyError), "needs to_status_id"),
        (_with(("status_transitions", 0, "count"), None), "/status_transitions/0/count is null"),
        (_with(("status_transitions", 0, "count"), -4), "count cannot be negative"),
        (_with(("status_transitions", 0, "count"), "4"), "/status_transitions/0/count is a string"),
        (_with(("status_transitions", 0, "from_status_id"), 1), "from_status_id is a number"),
        (_with(("status_transitions", 0, "to_status_label"), {}), "to_status_label is an object"),
        (_with(("status_transitions", 0, "to_status_is_deleted"), 0), "expected true or false"),
        ({**GOOD, "status_transitions_summary": [[]]}, "/status_transitions_summary/0 is a list"),
        ({"status_overview": [STATUS] * 5001}, "more than 5000: not a plausible answer"),
    ],
)
def test_wrong_shapes_are_named(answer: Any, reason: str) -> None:
    found = problem(answer)
    assert found is not None and reason in found, found


def test_both_kinds_check_alike() -> None:
    bad = _with(("status_overview", 0, "ended"), "many")
    assert problem(bad) == problem(bad, "opportunity-statuses") is not None
