"""Property test: any report answer the runner accepts can be published without a crash.

The runner keeps a 200 answer only if `kinds.funnel.shape.shape_problem` finds nothing wrong with it
(an unusable one fails its own report). This test mutates a real report's responses anywhere
(any value replaced by arbitrary JSON: strings for numbers, huge integers, nulls, lists for
objects…) and checks the contract: when every mutated answer passes the shape check, the
whole site builds; when one does not, the check names where (a JSON pointer).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportrunner.kinds.funnel.shape import shape_problem
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

NOW = datetime(2026, 11, 30, tzinfo=timezone.utc)
BASE = json.loads((Path(__file__).parents[1] / "render/fixtures/data.json").read_text())
LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
ANY_JSON = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


# Places inside one answer (endpoint, role, …): the runner builds `responses` itself.
PLACES = [p for p in _paths(BASE["responses"]) if len(p) > 2]
NUMBERS = st.none() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False, width=64)
TEXTS = st.text(max_size=60) | st.sampled_from(["", "<script>x</script>", "=1+1", "\u202e"])


def _original(place: tuple[Any, ...]) -> Any:
    value: Any = BASE["responses"]
    for step in place:
        value = value[step]
    return value


@st.composite
def mutation(draw: st.DrawFn) -> tuple[tuple[Any, ...], Any]:
    """Mostly values of the original's type (extreme ones), sometimes anything at all."""
    place = draw(st.sampled_from(PLACES))
    original = _original(place)
    if draw(st.integers(0, 4)) == 0:
        return place, draw(ANY_JSON)
    if isinstance(original, (int, float)) and not isinstance(original, bool):
        return place, draw(NUMBERS)
    if isinstance(original, str):
        return place, draw(TEXTS)
    return place, draw(ANY_JSON)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="rr-answers-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
@settings(
    # 80 in the suite; RELIABILITY.md's figure uses RELIABILITY_FUZZ_EXAMPLES=1000.
    max_examples=int(os.environ.get("RELIABILITY_FUZZ_EXAMPLES", "80")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutations=st.lists(mutation(), min_size=1, max_size=4))
def test_accepted_answers_always_publish(
    workdir: Path, mutations: list[tuple[tuple[Any, ...], Any]]
) -> None:
    data = copy.deepcopy(BASE)
    for place, value in mutations:
        target = data["responses"]
        try:
            for step in place[:-1]:
                target = target[step]
            target[place[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this place
    problems = [
        shape_problem(endpoint, answer)
        for endpoint, roles in data["responses"].items()
        for answer in roles.values()
    ]
    if any(problems):
        assert all(p is None or p.startswith(("/", "the answer")) for p in problems), problems
        return
    outcome = ReportOutcome(data["id"], "t", "specs/x.yaml", "ok", data=data)
    site = publish(workdir / "site", Project(root=workdir), [outcome], now=NOW)
    assert [r.status for r in site.reports] == ["ok"]
