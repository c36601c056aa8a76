"""A history file written back as it was read (`Unread.load_verbatim`) says what was checked.

A rerender used to encode every history again; now a file that is exactly the document
reportrunner writes of the snapshots read (checked in full, nothing dropped, reordered or
capped, no backslash, no key given twice) is written back as its own text. These tests hold
that text to the careful path: whenever it is used, it parses into the very document the
careful path would encode, with every key once; any other file is encoded again.
"""

from __future__ import annotations

import copy
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from reportrunner.site import history
from reportrunner.site.history import Unread, merge, read_folder
from reportrunner.site.snapshots import clean


def _snapshot(day: int, now: datetime) -> dict[str, Any]:
    moment = now - timedelta(days=day)
    window = {"kind": "relative", "value": "this-month", "start": "2026-11-01T00:00:00Z"}
    return clean(
        {
            "fetched_at": moment.isoformat(),
            "windows": {
                "report": dict(window, end=None),
                "cohort": dict(window, end="2026-12-01T00:00:00Z") if day % 3 else None,
                "compared": None,
            },
            "headline": {"count": 40 + day % 7, "value_total_won": 1.5 * day},
            "compared_headline": {"count": 31} if day % 2 else None,
            "stages": {"stat_a": day, "stat:b": None},
        },
        now,
    )


def _document(now: datetime, runs: int = 30) -> dict[str, Any]:
    return {"id": "r", "snapshots": [_snapshot(day, now) for day in range(runs, 0, -1)]}


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), f"a key given twice: {keys}"
    return dict(pairs)


def _load(site: Path, text: str, now: datetime) -> tuple[list[Any], list[str], str | None]:
    (site / "history").mkdir(parents=True, exist_ok=True)
    (site / "history" / "r.json").write_bytes(text.encode("utf-8", "surrogatepass"))
    return Unread(site, "r", now).load_verbatim()


def _careful(site: Path, now: datetime) -> tuple[list[Any], list[str]]:
    loaded = read_folder(site, ["r"], now)
    return merge(loaded.snapshots.get("r", [])), loaded.warnings


def _holds(site: Path, text: str, now: datetime) -> str | None:
    """Load `text` both ways; when it comes back verbatim, it is the careful document."""
    snapshots, warnings, verbatim = _load(site, text, now)
    assert (snapshots, warnings) == _careful(site, now)
    if verbatim is not None:
        assert verbatim == text
        assert json.loads(verbatim, object_pairs_hook=_once) == history.document("r", snapshots)
    return verbatim


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("ascii_only", [True, False])
def test_an_unchanged_history_comes_back_as_its_text(
    tmp_path: Path, now: datetime, indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(_document(now), indent=indent, ensure_ascii=ascii_only) + "\n"
    assert _holds(tmp_path, text, now) == text


def _variants(now: datetime) -> dict[str, str]:
    """Files that parse, but are not exactly what reportrunner writes of what was checked."""
    good = json.dumps(_document(now))
    document = _document(now)
    unsorted = copy.deepcopy(document)
    unsorted["snapshots"].reverse()
    extra = dict(copy.deepcopy(document), later=1)
    dropped = copy.deepcopy(document)
    dropped["snapshots"][3]["headline"]["count"] = "12"
    missing = copy.deepcopy(document)
    del missing["snapshots"][0]["stages"]
    many = {"id": "r", "snapshots": [_snapshot(day, now) for day in range(600, 0, -1)]}
    quoted = copy.deepcopy(document)
    quoted["snapshots"][2]["windows"]["report"]["kind"] = 'rel"ative'
    return {
        "unsorted": json.dumps(unsorted),
        "extra top-level key": json.dumps(extra),
        "a snapshot dropped": json.dumps(dropped),
        "a key missing": json.dumps(missing),
        "over the cap": json.dumps(many),
        "a backslash escape": json.dumps(quoted),
        "an escaped letter": good.replace('"relative"', '"rel\\u0061tive"', 1),
        "id given twice": good[:-1] + ', "id": "r"}',
        "snapshots given twice": '{"id": "r", "snapshots": [{"x": 1}], ' + good[1:],
        "headline key twice": good.replace('"count": ', '"count": "12", "count": ', 1),
        "stage key twice": good.replace('"stat_a": ', '"stat_a": 3, "stat_a": ', 1),
        "window twice": good.replace(
            '"compared": null', '"compared": null, "compared": {"a": "b:c"}', 1
        ),
        "no id": '{"snapshots"' + good.split('"snapshots"', 1)[1],
        "id last": '{"snapshots"' + good.split('"snapshots"', 1)[1][:-1] + ', "id": "r"}',
    }


@pytest.mark.parametrize("case", sorted(_variants(datetime(2026, 11, 30, 9, tzinfo=timezone.utc))))
def test_any_other_file_is_encoded_again(tmp_path: Path, now: datetime, case: str) -> None:
    assert _holds(tmp_path, _variants(now)[case], now) is None


def test_random_duplicates_and_colons_never_come_back_verbatim(
    tmp_path: Path, now: datetime
) -> None:
    pick = random.Random(14)
    good = json.dumps(_document(now, 8))
    pieces = ['"count": 1, ', '"x": "a:b", ', '"count": ', '"stat_a": 2, ', '"end": null, ']
    for _ in range(200):
        at = [i + 1 for i, char in enumerate(good) if char in "{,"]
        position = pick.choice(at)
        edited = good[:position] + pick.choice(pieces) + good[position:]
        try:
            json.loads(edited)
        except ValueError:
            continue
        _holds(tmp_path, edited, now)
