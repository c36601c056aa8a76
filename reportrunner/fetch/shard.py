"""`run --shard K/N`: which reports shard K of N fetches, stable and balanced by requests.

N jobs on N machines each compute the same partition from the spec files alone, so the shares
must not depend on file order, hash seeds or the clock (jobs start minutes apart, and a plan at
`now` changes with the day of the month and daylight saving time): requests are planned at one
fixed `REFERENCE` instant. Reports that share a deduplicated request (plan.py) form one group
and always land in one shard, so no request is fetched twice; a report id given twice stays in
one group too, so the site's "appears twice" rule still sees both.

Groups are placed by rendezvous hashing with bounded loads: each group ranks the shards by a
SHA-256 score of (group key, shard) and takes the best-ranked shard whose load stays within
`SLACK` over an even share, heaviest groups first. Rendezvous ranking keeps placement stable
(adding a spec moves few others); the load bound keeps the shares balanced.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePath
from typing import TYPE_CHECKING

from reportrunner.errors import UsageError
from reportrunner.kinds import kind_named
from reportrunner.model import Spec

if TYPE_CHECKING:
    from reportrunner.spec.validate import RejectedSpec, ValidationResult

#: More shards than this is a typo, not a plan (a GitHub matrix allows 256 jobs).
MAX_SHARDS = 64
#: A shard may carry this much over an even share before a group goes to its next choice.
SLACK = 0.05
#: Requests are planned at this instant for the partition only (mid-month, mid-day, UTC):
#: every job gets the same groups and weights whenever it starts.
REFERENCE = datetime(2024, 5, 15, 12, 0, tzinfo=timezone.utc)

_SHARD = re.compile(r"\s*(\d{1,4})\s*/\s*(\d{1,4})\s*")


@dataclass(frozen=True)
class Shard:
    """One share of a sharded run: `index` in 1..`count`."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """`K/N` as a Shard; UsageError (exit 2) says what is wrong with any other value."""
    match = _SHARD.fullmatch(text)
    if match is None:
        raise UsageError(
            f"--shard {text!r} is not of the form K/N",
            hint=f"give this job's share as K/N with K from 1 to N and N up to {MAX_SHARDS}, "
            "for example --shard 1/2 and --shard 2/2 in two jobs.",
        )
    index, count = int(match[1]), int(match[2])
    if not 1 <= count <= MAX_SHARDS:
        raise UsageError(
            f"--shard {text!r}: N must be from 1 to {MAX_SHARDS}, not {count}",
            hint="N is the number of jobs that fetch in parallel.",
        )
    if not 1 <= index <= count:
        raise UsageError(
            f"--shard {text!r}: K must be from 1 to {count}, not {index}",
            hint="shards are numbered from 1: --shard 1/N … --shard N/N.",
        )
    return Shard(index, count)


@dataclass(frozen=True)
class Group:
    """Reports that must be fetched by one shard, and the distinct requests they plan."""

    key: str  # the smallest report id: names the group in scores and orderings
    ids: tuple[str, ...]
    requests: int

    @property
    def weight(self) -> int:
        return max(self.requests, 1)  # a report without requests still costs a page


class _Union:
    """Union-find over report ids (iterative, so thousands of specs never recurse deeply)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def join(self, a: str, b: str) -> None:
        first, second = sorted((self.find(a), self.find(b)))
        self.parent[second] = first


def groups(specs: Sequence[Spec], extra_ids: Iterable[str] = ()) -> list[Group]:
    """The groups of `specs` (plus ids that plan nothing, such as rejected specs), by key."""
    union = _Union()
    by_request: dict[str, str] = {}
    requests_of: dict[str, set[str]] = {}
    for spec in specs:
        union.find(spec.id)
        keys = {request.key for request in kind_named(spec.kind).plan(spec, REFERENCE).requests}
        requests_of.setdefault(spec.id, set()).update(keys)
        for key in keys:
            union.join(spec.id, by_request.setdefault(key, spec.id))
    for report_id in extra_ids:
        union.find(report_id)
    members: dict[str, list[str]] = {}
    for report_id in union.parent:
        members.setdefault(union.find(report_id), []).append(report_id)
    found = []
    for root, ids in members.items():
        distinct = set().union(*(requests_of.get(i, set()) for i in ids))
        found.append(Group(root, tuple(sorted(ids)), len(distinct)))
    return sorted(found, key=lambda group: group.key)


def _score(key: str, shard: int) -> bytes:
    return hashlib.sha256(f"{key}\x00{shard}".encode()).digest()


def assign(found: Sequence[Group], count: int) -> dict[str, int]:
    """Report id → shard index (1..count) for every report of `found`."""
    total = sum(group.weight for group in found)
    capacity = math.ceil(total / count * (1 + SLACK))
    load = dict.fromkeys(range(1, count + 1), 0)
    placed: dict[str, int] = {}
    for group in sorted(found, key=lambda g: (-g.weight, g.key)):
        ranked = sorted(load, key=lambda shard: _score(group.key, shard), reverse=True)
        fitting = [shard for shard in ranked if load[shard] + group.weight <= capacity]
        # A group heavier than the bound goes where it adds least (ties: rank order).
        chosen = fitting[0] if fitting else min(ranked, key=lambda shard: load[shard])
        load[chosen] += group.weight
        placed.update(dict.fromkeys(group.ids, chosen))
    return placed


def fingerprint(found: Sequence[Group]) -> str:
    """Names the whole partition: shard outputs of different spec sets never merge."""
    text = "\n".join(" ".join(group.ids) for group in found)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Share:
    """What one shard fetches, and the mark its output carries for `render --from`."""

    shard: Shard
    ids: frozenset[str]
    requests: int
    fingerprint: str

    def mark(self) -> dict[str, object]:
        """The `shard` object of the output's manifest.json (docs/data-format.md)."""
        return {
            "index": self.shard.index,
            "count": self.shard.count,
            "partition": self.fingerprint,
            "ids": sorted(self.ids),
        }


def share(specs: Sequence[Spec], shard: Shard, extra_ids: Iterable[str] = ()) -> Share:
    """Shard `shard`'s reports among `specs` and `extra_ids` (rejected specs' ids)."""
    found = groups(specs, extra_ids)
    placed = assign(found, shard.count)
    mine = [group for group in found if placed[group.key] == shard.index]
    ids = frozenset(i for group in mine for i in group.ids)
    return Share(shard, ids, sum(group.requests for group in mine), fingerprint(found))


def select(validation: ValidationResult, shard: Shard) -> tuple[ValidationResult, Share]:
    """The validation result narrowed to `shard`'s specs (rejected ones too), and its share."""
    rejected_ids = [_rejected_id(rejected) for rejected in validation.rejected]
    mine = share(validation.specs, shard, rejected_ids)
    narrowed = dataclasses.replace(
        validation,
        specs=[spec for spec in validation.specs if spec.id in mine.ids],
        rejected=[
            r for r, i in zip(validation.rejected, rejected_ids, strict=True) if i in mine.ids
        ],
    )
    return narrowed, mine


def _rejected_id(rejected: RejectedSpec) -> str:
    """The id a rejected spec's failed report gets (as `run` names it)."""
    return rejected.id or PurePath(rejected.file).stem
