"""Checking history snapshots, which come from files anyone may have edited.

A snapshot is read back from the previous site, a `--history-from` folder or a URL, so it is
untrusted input: one `count: 1e25` used to stop every report from publishing, and `"12"`, NaN
or `[1]` made the fresh report disappear while the bad snapshot was written back. Every
snapshot is checked here (types, finite numbers of sane magnitude, short texts, a plausible
time) and rebuilt from the checked fields only, so what is written back is what was checked.
A bad snapshot is dropped with a reason; it never stops or removes a report.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from reportrunner.windows import parse_rfc3339

Snapshot = dict[str, Any]

#: `parse_rfc3339`, remembered: a run's time is parsed when its snapshot is checked, merged and
#: drawn (three times per snapshot of a long history). A pure function of the text, bounded.
fetched_moment = functools.lru_cache(maxsize=1 << 17)(parse_rfc3339)

#: Headline metrics, in the order pages show them; all are totals-endpoint fields.
HEADLINE_KEYS: tuple[str, ...] = (
    "count",
    "count_total_won",
    "count_win_rate",
    "value_win_rate",
    "value_total_won",
    "average_value_annualized_per_won_opportunity",
    "average_time_to_win",
    "sales_velocity",
)
#: Larger than any count, amount in cents (10 trillion dollars) or duration in seconds.
MAX_MAGNITUDE = 1e15
MAX_TEXT = 200
WINDOW_NAMES = ("report", "cohort", "compared", "compared_to_date")
#: Stage counts kept per snapshot (a pipeline has a few dozen statuses at most).
MAX_STAGES = 200
WINDOW_FIELDS = ("kind", "value", "start", "end")
#: Runs before this are not reportrunner's; a run far in the future is a wrong clock.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
FUTURE_SLACK = timedelta(days=1)


def metric_snapshot(
    data: dict[str, Any], metrics: dict[str, Any] | None, compared: dict[str, Any] | None
) -> Snapshot:
    """The history point of a kind whose numbers are metrics by key (no funnel headline or
    stages): the shared fields of one data.json plus this run's and the compared metrics."""
    return {
        "fetched_at": data["fetched_at"],
        "windows": data.get("windows", {}),
        "headline": {},
        "compared_headline": None,
        "stages": {},
        "metrics": metrics or {},
        "compared_metrics": compared,
    }


class BadSnapshot(ValueError):
    """Why one snapshot cannot be used."""


def _number(value: object, where: str) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadSnapshot(f"{where} is {type(value).__name__}, not a number")
    # abs first: math.isfinite(10**400) raises OverflowError (a JSON integer may be that long).
    if abs(value) > MAX_MAGNITUDE or not math.isfinite(value):
        raise BadSnapshot(f"{where} is {value!r}, not a finite number up to {MAX_MAGNITUDE:g}")
    return value


def _plain(value: object) -> bool:
    """A value `_number` accepts as it is, decided without building its error text.

    The common case of 73,000 snapshots (200 reports x 365 runs) costs no formatting; anything
    else (bool, NaN, out of range, another type, a subclass) takes `_number`'s full check.
    """
    if value is None:
        return True
    if type(value) is int or type(value) is float:
        return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    return False


def _headline(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadSnapshot(f"{where} is {type(value).__name__}, not an object")
    # Unknown keys (a later version's metrics) are left out, not trusted.
    headline: dict[str, Any] = {}
    for key in HEADLINE_KEYS:
        number = value.get(key)
        headline[key] = number if _plain(number) else _number(number, f"{where}.{key}")
    return headline


def _text(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise BadSnapshot(f"{where} is not a text of at most {MAX_TEXT} characters")
    return value


def _windows(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadSnapshot(f"windows is {type(value).__name__}, not an object")
    windows: dict[str, Any] = {}
    # As with headline keys, a window this version does not know is left out, not trusted.
    for name, window in ((name, value[name]) for name in WINDOW_NAMES if name in value):
        if window is not None and not isinstance(window, dict):
            raise BadSnapshot(f"windows.{name} is {type(window).__name__}, not an object")
        windows[name] = (
            None
            if window is None
            else {key: _text(window.get(key), f"windows.{name}.{key}") for key in WINDOW_FIELDS}
        )
    return windows


def _stages(value: object) -> dict[str, Any]:
    """{status id: count}, as `history.stage_counts` writes it ({} in older snapshots)."""
    if value is None:
        return {}
    return _numbers_by_key(value, "stages", "stage counts", "status id")


def _metrics(value: object, where: str) -> dict[str, Any] | None:
    """{metric key: number} of a report kind whose metrics are not the funnel's (absent: None)."""
    if value is None:
        return None
    return _numbers_by_key(value, where, "metrics", "metric key")


def _numbers_by_key(value: object, where: str, items: str, key_name: str) -> dict[str, Any]:
    """A bounded object of numbers under short keys, each number checked like any other."""
    if not isinstance(value, dict) or len(value) > MAX_STAGES:
        raise BadSnapshot(f"{where} is not an object of at most {MAX_STAGES} {items}")
    checked: dict[str, Any] = {}
    for key, number in value.items():
        if len(key) > MAX_TEXT:
            raise BadSnapshot(f"{where} has a {key_name} longer than {MAX_TEXT} characters")
        checked[key] = number if _plain(number) else _number(number, f"{where}.{key}")
    return checked


def _moment(value: object, now: datetime) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise BadSnapshot("fetched_at is not an RFC 3339 time")
    try:
        moment = fetched_moment(value)
    except ValueError:
        raise BadSnapshot(f"fetched_at {value!r} is not an RFC 3339 time") from None
    if not EARLIEST <= moment <= now + FUTURE_SLACK:
        raise BadSnapshot(f"fetched_at {value!r} is before 2000 or in the future")
    return moment


def clean(item: object, now: datetime) -> Snapshot:
    """The checked copy of one snapshot; BadSnapshot says what is wrong with it."""
    if not isinstance(item, dict):
        raise BadSnapshot(f"it is {type(item).__name__}, not an object")
    _moment(item.get("fetched_at"), now)
    compared = item.get("compared_headline")
    cleaned = {
        "fetched_at": item["fetched_at"],
        "windows": _windows(item.get("windows")),
        "headline": _headline(item.get("headline"), "headline"),
        "compared_headline": None if compared is None else _headline(compared, "compared_headline"),
        "stages": _stages(item.get("stages")),
    }
    # Totals of a kind whose metrics are not the funnel's, by key; absent from funnel ones.
    for name in ("metrics", "compared_metrics"):
        metrics = _metrics(item.get(name), name)
        if metrics is not None:
            cleaned[name] = metrics
    return cleaned


#: The keys of a snapshot as `clean` builds it (and reportrunner writes it), in order.
SNAPSHOT_KEYS = ("fetched_at", "windows", "headline", "compared_headline", "stages")
#: The key orders `clean` gives a snapshot's windows: WINDOW_NAMES, some left out, in order.
_WINDOW_ORDERS = frozenset(
    tuple(name for bit, name in enumerate(WINDOW_NAMES) if mask >> bit & 1)
    for mask in range(1 << len(WINDOW_NAMES))
)


def _exact(
    items: list[object], now: datetime, spelling: list[int] | None = None, *, owned: bool = False
) -> list[Snapshot] | None:
    """Copies of `items` when each already is what `clean` would build from it, else None.

    A history reportrunner wrote holds snapshots in `clean`'s own shape: the same keys in
    the same order at every level (SNAPSHOT_KEYS, HEADLINE_KEYS, WINDOW_FIELDS), none left
    out and none added. For such a snapshot the checked copy is the snapshot itself, so only
    its shape (one tuple comparison per object) and its values (`_all_plain`, C loops) are
    checked, and each object is copied whole (`dict`, in C). Any other shape gives None and
    the caller takes `_quick`, which rebuilds; a bad value gives None as there.

    `spelling`, when given, receives the keys of all the items' objects and the colons inside
    their strings (what a JSON text of them holds: `history._keys_once`). `owned`: the items
    were just decoded and nothing else holds them, so they are returned themselves, uncopied
    (copying 365 snapshots' seven objects each was a fifth of checking them).
    """
    window_keys = 0
    good: list[Snapshot] = []
    numbers: list[Any] = []
    texts: list[Any] = []
    stamps: list[Any] = []
    keys: list[Any] = []
    for item in items:
        if type(item) is not dict or tuple(item) != SNAPSHOT_KEYS:
            return None
        head, compared = item["headline"], item["compared_headline"]
        windows, stages = item["windows"], item["stages"]
        if type(head) is not dict or tuple(head) != HEADLINE_KEYS:
            return None
        numbers += head.values()
        if compared is not None:
            if type(compared) is not dict or tuple(compared) != HEADLINE_KEYS:
                return None
            numbers += compared.values()
        if type(windows) is not dict or tuple(windows) not in _WINDOW_ORDERS:
            return None
        window_keys += len(windows)
        for window in windows.values():
            if window is not None:
                if type(window) is not dict or tuple(window) != WINDOW_FIELDS:
                    return None
                texts += window.values()
        if type(stages) is not dict or len(stages) > MAX_STAGES:
            return None
        keys += stages
        numbers += stages.values()
        stamps.append(item["fetched_at"])
        if owned:
            good.append(item)  # its shape was just checked
            continue
        kept = {name: None if w is None else dict(w) for name, w in windows.items()}
        good.append(
            {
                "fetched_at": stamps[-1],
                "windows": kept,
                "headline": dict(head),
                "compared_headline": None if compared is None else dict(compared),
                "stages": dict(stages),
            }
        )
    if not _all_plain(numbers, texts, stamps, keys, now):
        return None
    if spelling is not None:
        # Keys: 5 per snapshot, one per number (headline, compared, stage), per window text
        # and per window. Strings: the window texts, stage ids and times (the rest are ours).
        strings = "".join(filter(None, texts)) + "".join(keys) + "".join(stamps)
        count = len(SNAPSHOT_KEYS) * len(good) + len(numbers) + len(texts) + window_keys
        spelling[:] = [count, strings.count(":")]
    return good


def _quick(items: list[object], now: datetime) -> list[Snapshot] | None:
    """The checked copies of `items` when every one is plainly good, else None.

    The same checks as `clean`, over all of a history's values at once (their types as a set,
    finiteness and magnitude by C loops), so 365 good snapshots cost little. Anything unusual
    (a bad value, another type, a subclass) gives None: the caller then takes `clean`, item by
    item, which says what is wrong.
    """
    good: list[Snapshot] = []
    numbers: list[Any] = []
    texts: list[Any] = []
    stamps: list[Any] = []
    keys: list[Any] = []
    for item in items:
        if type(item) is not dict:
            return None
        # A kind's own metrics (not the funnel's) take the careful path, which keeps them.
        if "metrics" in item or "compared_metrics" in item:
            return None
        head, compared = item.get("headline"), item.get("compared_headline")
        windows, stages = item.get("windows"), item.get("stages")
        if type(head) is not dict or not (compared is None or type(compared) is dict):
            return None
        if not (windows is None or type(windows) is dict):
            return None
        if not (stages is None or (type(stages) is dict and len(stages) <= MAX_STAGES)):
            return None
        headline = dict(zip(HEADLINE_KEYS, map(head.get, HEADLINE_KEYS), strict=True))
        numbers += headline.values()
        if compared is not None:
            compared = dict(zip(HEADLINE_KEYS, map(compared.get, HEADLINE_KEYS), strict=True))
            numbers += compared.values()
        kept: dict[str, Any] = {}
        given: dict[str, Any] = windows or {}
        for name in WINDOW_NAMES:
            if name in given:
                window = given[name]
                if window is None:
                    kept[name] = None
                    continue
                if type(window) is not dict:
                    return None
                kept[name] = dict(zip(WINDOW_FIELDS, map(window.get, WINDOW_FIELDS), strict=True))
                texts += kept[name].values()
        if stages:
            keys += stages
            numbers += stages.values()
        stamps.append(item.get("fetched_at"))
        good.append(
            {
                "fetched_at": stamps[-1],
                "windows": kept,
                "headline": headline,
                "compared_headline": compared,
                "stages": dict(stages) if stages else {},
            }
        )
    return good if _all_plain(numbers, texts, stamps, keys, now) else None


def _all_plain(
    numbers: list[Any], texts: list[Any], stamps: list[Any], keys: list[Any], now: datetime
) -> bool:
    """Whether the values `_quick` gathered pass `clean`'s checks (C loops, no error texts)."""
    if not set(map(type, numbers)) <= {int, float, type(None)}:
        return False
    values = [number for number in numbers if number is not None]
    try:
        if not all(map(math.isfinite, values)) or max(map(abs, values), default=0) > MAX_MAGNITUDE:
            return False
    except OverflowError:  # an integer too large for a float
        return False
    if not set(map(type, texts)) <= {str, type(None)}:
        return False
    if max(map(len, filter(None, texts)), default=0) > MAX_TEXT:  # None (and "") left out
        return False
    if not set(map(type, keys)) <= {str} or max(map(len, keys), default=0) > MAX_TEXT:
        return False
    if not set(map(type, stamps)) <= {str} or max(map(len, stamps), default=0) > 40:
        return False
    try:
        moments = list(map(fetched_moment, stamps))
    except ValueError:
        return False
    return not moments or (min(moments) >= EARLIEST and max(moments) <= now + FUTURE_SLACK)


def checked(items: Iterable[object], where: str, now: datetime) -> tuple[list[Snapshot], str]:
    """The usable snapshots of `items`, and a warning naming `where` if any were dropped."""
    good, warning, _ = inspected(items, where, now)
    return good, warning


def inspected(
    items: Iterable[object], where: str, now: datetime, *, owned: bool = False
) -> tuple[list[Snapshot], str, tuple[int, int] | None]:
    """`checked`, and when every item already was exactly what `clean` builds from it (the
    snapshots are then equal to `items`, key order included), what they spell: the number
    of keys in all their objects and of colons inside their strings (`_exact`). `owned`:
    nothing else holds `items` (just decoded), so exact ones need not be copied."""
    items = list(items)
    spelling: list[int] = []
    exact = _exact(items, now, spelling, owned=owned)
    if exact is not None:
        return exact, "", (spelling[0], spelling[1])
    quick = _quick(items, now)
    if quick is not None:
        return quick, "", None
    good: list[Snapshot] = []
    dropped = 0
    first = ""
    for index, item in enumerate(items):
        try:
            good.append(clean(item, now))
        except BadSnapshot as exc:
            dropped += 1
            first = first or f"snapshot {index + 1}: {exc}"
    if not dropped:
        return good, "", None
    total = dropped + len(good)
    warning = f"ignored {dropped} of {total} snapshot(s) in {where} ({first}); kept the rest."
    return good, warning, None
