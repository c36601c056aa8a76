"""`run --shard K/N`'s partition (fetch/shard.py): complete, grouped, balanced, stable."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from reportrunner.emulator.org import PIPELINES
from reportrunner.errors import UsageError
from reportrunner.fetch.plan import plan_report
from reportrunner.fetch.shard import (
    MAX_SHARDS,
    REFERENCE,
    Shard,
    assign,
    groups,
    parse_shard,
    share,
)
from reportrunner.model import Spec


def make_specs(count: int, *, first: int = 0) -> list[Spec]:
    """Varied specs; every fifth repeats the previous one's request (a shared request)."""
    specs = []
    for index in range(first, first + count):
        source = index - 1 if index % 5 == 4 else index
        start = date(2026, 1, 1) + timedelta(days=source % 300)
        request: dict[str, Any] = {
            "pipeline": PIPELINES[source % len(PIPELINES)].id,
            "type": "created-cohort",
            "cohort_datetime_range": {
                "start": f"{start.isoformat()}T00:00:00Z",
                "end": f"{(start + timedelta(days=7 + source % 50)).isoformat()}T00:00:00Z",
            },
        }
        if source % 3 == 0:
            request["compared_datetime_range"] = "same-days-last-month"
        specs.append(Spec(id=f"r-{index:04d}", title=f"R {index}", request=request,
                          source=f"specs/r-{index:04d}.yaml"))  # fmt: skip
    return specs


def partition(specs: list[Spec], count: int) -> dict[str, int]:
    return assign(groups(specs), count)


@pytest.mark.parametrize("text", ["1/1", "2/3", " 3 / 3 ", f"{MAX_SHARDS}/{MAX_SHARDS}"])
def test_parse_good_values(text: str) -> None:
    shard = parse_shard(text)
    assert 1 <= shard.index <= shard.count <= MAX_SHARDS


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not of the form K/N"),
        ("2", "not of the form K/N"),
        ("a/b", "not of the form K/N"),
        ("-1/2", "not of the form K/N"),
        ("1/2/3", "not of the form K/N"),
        ("0/2", "K must be from 1 to 2, not 0"),
        ("3/2", "K must be from 1 to 2, not 3"),
        ("1/0", "N must be from 1 to 64, not 0"),
        (f"1/{MAX_SHARDS + 1}", f"N must be from 1 to {MAX_SHARDS}"),
        ("1/99999", "not of the form K/N"),
    ],
)
def test_parse_bad_values_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as caught:
        parse_shard(text)
    assert caught.value.exit_status == 2


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8])
def test_every_report_lands_in_exactly_one_shard(count: int) -> None:
    specs = make_specs(120)
    shares = [
        share(specs, Shard(k, count), ["rejected-a", "rejected-b"]) for k in range(1, count + 1)
    ]
    every = [i for s in shares for i in s.ids]
    assert sorted(every) == sorted([s.id for s in specs] + ["rejected-a", "rejected-b"])
    assert len({s.fingerprint for s in shares}) == 1


def test_reports_that_share_a_request_stay_together() -> None:
    specs = make_specs(100)
    placed = partition(specs, 4)
    by_request: dict[str, set[int]] = {}
    for spec in specs:
        for request in plan_report(spec, REFERENCE).requests:
            by_request.setdefault(request.key, set()).add(placed[spec.id])
    shared = [key for key, shards in by_request.items() if len(shards) > 1]
    assert not shared, f"requests fetched by two shards: {shared[:3]}"
    # The fixture really has shared requests (every fifth spec repeats one).
    assert placed["r-0004"] == placed["r-0003"]
    assert len(groups(specs)) < len(specs)


def test_a_report_id_given_twice_stays_in_one_shard() -> None:
    first, second = make_specs(2)
    twin = Spec(id=first.id, title="Twin", request=second.request, source="specs/twin.yaml")
    found = groups([first, second, twin])
    (group,) = [g for g in found if first.id in g.ids]
    assert second.id in group.ids  # joined through the twin's request


@pytest.mark.parametrize("count", [2, 3, 4, 8])
def test_shares_are_balanced_by_planned_requests(count: int) -> None:
    specs = make_specs(400)
    shares = [share(specs, Shard(k, count)) for k in range(1, count + 1)]
    loads = [s.requests for s in shares]
    mean = sum(loads) / count
    assert max(loads) <= mean * 1.06 + 3, loads  # SLACK (5%) plus one group


def test_the_partition_ignores_file_order() -> None:
    specs = make_specs(150)
    shuffled = specs[:]
    random.Random(7).shuffle(shuffled)
    assert partition(specs, 3) == partition(shuffled, 3)


def test_adding_or_removing_one_spec_moves_few_others() -> None:
    specs = make_specs(300)
    before = partition(specs, 4)
    for extra in make_specs(10, first=1000):
        after = partition([*specs, extra], 4)
        moved = [i for i in before if before[i] != after[i]]
        assert len(moved) <= 3, moved
    after = partition(specs[1:], 4)
    moved = [i for i in after if before[i] != after[i]]
    assert len(moved) <= len(specs) // 10, moved


def test_the_same_partition_in_other_processes_and_hash_seeds() -> None:
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]);"
        "from test_partition import make_specs, partition;"
        "print(json.dumps(partition(make_specs(80), 3), sort_keys=True))"
    )
    here = str(Path(__file__).parent)
    outputs = set()
    for seed in ("1", "2", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code, here], env=env, capture_output=True,
                              text=True, timeout=120, check=True)  # fmt: skip
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == partition(make_specs(80), 3)
