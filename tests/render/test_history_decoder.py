"""orjson decodes history files, and the snapshots and warnings are exactly `json`'s.

orjson reads some texts into other values than `json` does (it refuses NaN, Infinity and
lone surrogates; an integer beyond 64 bits becomes a float). `history._decoded` keeps orjson's
answer only when it passes every check without a warning, and decodes again with `json`
otherwise: these tests compare both readers on such texts and on random edits of a good file.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from reportrunner.site import history
from reportrunner.site.history import Unread
from reportrunner.site.snapshots import clean

NOW = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)


def _document(runs: int = 20) -> dict[str, Any]:
    window = {"kind": "relative", "value": "this-month", "start": "2026-11-01T00:00:00Z"}
    snapshots = [
        clean(
            {
                "fetched_at": (NOW - timedelta(days=day)).isoformat(),
                "windows": {"report": dict(window, end=None), "cohort": None, "compared": None},
                "headline": {"count": 40 + day % 7, "value_total_won": 1.5 * day},
                "compared_headline": {"count": 31} if day % 2 else None,
                "stages": {"stat_a": day, "stat_b": None},
            },
            NOW,
        )
        for day in range(runs, 0, -1)
    ]
    return {"id": "r", "snapshots": snapshots}


def _both(tmp_path: Path, raw: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    (tmp_path / "history").mkdir(exist_ok=True)
    (tmp_path / "history" / "r.json").write_bytes(raw)
    fast = Unread(tmp_path, "r", NOW).load_verbatim()
    with monkeypatch.context() as patch:
        patch.setattr(history, "orjson", None)
        plain = Unread(tmp_path, "r", NOW).load_verbatim()
    return fast, plain


def test_orjson_is_used_for_a_good_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert history.orjson is not None, "orjson is a dependency (pyproject.toml)"
    calls: list[bytes] = []
    loads = history.orjson.loads
    monkeypatch.setattr(history.orjson, "loads", lambda raw: calls.append(raw) or loads(raw))
    fast, plain = _both(tmp_path, json.dumps(_document()).encode(), monkeypatch)
    assert calls and fast == plain and fast[2] is not None  # written back as it was


@pytest.mark.parametrize(
    "old, new",
    [
        ('"count": 41', '"count": NaN'),  # json reads NaN; orjson refuses it
        ('"count": 41', '"count": 1e400'),  # json: inf; orjson refuses it
        ('"count": 41', '"count": 123456789012345678901234567890'),  # orjson: a float
        ('"count": 41', '"count": 18446744073709551616'),  # just past 64 bits
        ('"stat_a"', '"stat_\\ud800"'),  # a lone surrogate: json reads it, orjson refuses it
        ('"id": "r"', '"id": 123456789012345678901234567890'),  # the file's id: its message
        ('"count": 41', '"count": 41, "count": 42'),  # a key twice: both take the last
    ],
)
def test_texts_the_readers_differ_on_give_json_s_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    text = json.dumps(_document())
    assert old in text
    fast, plain = _both(tmp_path, text.replace(old, new, 1).encode(), monkeypatch)
    assert repr(fast) == repr(plain)  # repr: NaN != NaN, and 1e20 == 10**20


def test_random_edits_give_json_s_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(14)
    text = json.dumps(_document(8))
    pieces = ["NaN", "1e400", "-0.0", "18446744073709551616", "9" * 25, '"\\udc80"', "null", "1.5"]
    for _ in range(150):
        edited = text
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(edited))
            cut = rng.randint(0, 4)
            edited = edited[:at] + rng.choice(pieces) + edited[at + cut :]
        fast, plain = _both(tmp_path, edited.encode("utf-8", "surrogatepass"), monkeypatch)
        assert repr(fast) == repr(plain), edited
