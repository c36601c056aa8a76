"""Each fast path of publishing gives exactly what the careful path gives, odd input included.

The fast paths (issue 14): a history already in `clean`'s shape is copied rather than rebuilt
(`snapshots._exact`); a rerender reads each history where its report is built
(`history.Unread`), sorted ones as they are; built-in templates render outside the sandbox
when no `templates:` folder is in use; trend tooltips and labels are formatted when a chart
reads them (`trendview.Lazy`); a CSV row looks its cells up in the cache directly; the site
writer makes a new report folder without resolving its path. Each is compared here with the
path it stands in for, on good input and on edited or odd input.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import pytest

from reportrunner.errors import UsageError
from reportrunner.model import Project, ReportOutcome
from reportrunner.site import history, snapshots
from reportrunner.site.build import publish, rerender
from reportrunner.site.filters import Formatter, csv_cell, csv_row
from reportrunner.site.history import Unread, merge, read_folder
from reportrunner.site.render import Renderer
from reportrunner.site.snapshots import checked, clean
from reportrunner.site.trendview import Lazy, trends
from reportrunner.site.viewmodel import report_view
from reportrunner.site.writer import SiteWriter

Outcome = Callable[..., ReportOutcome]


def _snapshot(day: int, now: datetime) -> dict[str, Any]:
    """One snapshot as reportrunner writes it (the shape `clean` builds)."""
    moment = now - timedelta(days=day)
    window = {"kind": "relative", "value": "this-month", "start": "2026-11-01T00:00:00Z"}
    return clean(
        {
            "fetched_at": moment.isoformat(),
            "windows": {"report": dict(window, end=None), "compared": None},
            "headline": {
                "count": 40 + day % 7,
                "value_total_won": 1.5 * day,
                "count_win_rate": 0.4,
            },
            "compared_headline": {"count": 31},
            "stages": {"stat_a": day, "stat_b": None},
        },
        now,
    )


def _history(now: datetime, runs: int = 30) -> list[dict[str, Any]]:
    return [_snapshot(day, now) for day in range(runs, 0, -1)]


def _careful(items: list[Any], now: datetime) -> tuple[list[dict[str, Any]], str]:
    """`checked` by `clean` alone, item by item: the path every fast one stands in for."""
    good, dropped, first = [], 0, ""
    for index, item in enumerate(items):
        try:
            good.append(clean(item, now))
        except snapshots.BadSnapshot as exc:
            dropped += 1
            first = first or f"snapshot {index + 1}: {exc}"
    if not dropped:
        return good, ""
    total = dropped + len(good)
    return good, f"ignored {dropped} of {total} snapshot(s) in h.json ({first}); kept the rest."


def test_a_history_in_cleans_shape_is_copied_exactly(now: datetime) -> None:
    items = _history(now)
    assert snapshots._exact(copy.deepcopy(items), now) == items
    quick, warning = checked(copy.deepcopy(items), "h.json", now)
    assert (quick, warning) == _careful(items, now)
    # Copies, not the file's own objects, at every level.
    given = copy.deepcopy(items)
    copied = snapshots._exact(given, now)
    assert copied is not None
    assert copied[0] is not given[0] and copied[0]["headline"] is not given[0]["headline"]
    assert copied[0]["windows"]["report"] is not given[0]["windows"]["report"]


def _edits(now: datetime) -> dict[str, Callable[[dict[str, Any]], None]]:
    """Edits of one snapshot that a person or an older version could make."""

    def keys_reordered(item: dict[str, Any]) -> None:
        item["headline"] = dict(reversed(item["headline"].items()))

    def windows_reordered(item: dict[str, Any]) -> None:
        item["windows"] = dict(reversed(item["windows"].items()))

    def top_reordered(item: dict[str, Any]) -> None:
        fetched = item.pop("fetched_at")
        item["fetched_at"] = fetched

    return {
        "headline key order": keys_reordered,
        "window order": windows_reordered,
        "snapshot key order": top_reordered,
        "extra key": lambda item: item.update(later="x"),
        "extra headline key": lambda item: item["headline"].update(later_metric=1),
        "missing headline key": lambda item: item["headline"].pop("count"),
        "missing stages": lambda item: item.pop("stages"),
        "stages null": lambda item: item.update(stages=None),
        "windows null": lambda item: item.update(windows=None),
        "unknown window": lambda item: item["windows"].update(later={"kind": "x"}),
        "window field missing": lambda item: item["windows"]["report"].pop("end"),
        "a kind's own metrics": lambda item: item.update(metrics={"calls": 3}),
        "compared is a list": lambda item: item.update(compared_headline=[1]),
        "NaN": lambda item: item["headline"].update(count=float("nan")),
        "1e16": lambda item: item["headline"].update(count=1e16),
        "huge integer": lambda item: item["headline"].update(count=10**400),
        "boolean": lambda item: item["headline"].update(count=True),
        "text number": lambda item: item["stages"].update(stat_a="12"),
        "long stage id": lambda item: item["stages"].update({"s" * 201: 1}),
        "long window text": lambda item: item["windows"]["report"].update(kind="k" * 201),
        "bad time": lambda item: item.update(fetched_at="2026-11-30T09:00:00"),
        "future time": lambda item: item.update(fetched_at=(now + timedelta(days=2)).isoformat()),
        "not an object": lambda item: item.clear(),
        "int subclass": lambda item: item["headline"].update(count=_Int(3)),
    }


class _Int(int):
    """An int that is not exactly `int` (only JSON from elsewhere could hold one)."""


@pytest.mark.parametrize("edit", sorted(_edits(datetime(2026, 11, 30, 9))))
def test_edited_snapshots_get_the_careful_verdict(now: datetime, edit: str) -> None:
    items = _history(now, 12)
    for position in (0, 5, 11):
        edited = copy.deepcopy(items)
        _edits(now)[edit](edited[position])
        assert snapshots._exact(copy.deepcopy(edited), now) is None, (edit, position)
        assert checked(copy.deepcopy(edited), "h.json", now) == _careful(edited, now), edit


def test_random_edits_never_part_from_the_careful_path(now: datetime) -> None:
    pick = random.Random(14)
    values: list[Any] = [None, 0, -1, 2.5, 1e15, -1e15, 1e15 + 2, "x", True, [], {}, 10**20]
    for _ in range(300):
        items = copy.deepcopy(_history(now, 6))
        item = pick.choice(items)
        where = pick.choice(["headline", "compared_headline", "stages"])
        if isinstance(item[where], dict):
            key = pick.choice([*item[where], "count", "new"])
            item[where][key] = pick.choice(values)
        else:
            item[where] = pick.choice(values)
        assert checked(copy.deepcopy(items), "h.json", now) == _careful(items, now), items


def _write(site: Path, report_id: str, document: Any, raw: bytes | None = None) -> None:
    (site / "history").mkdir(parents=True, exist_ok=True)
    path = site / "history" / f"{report_id}.json"
    path.write_bytes(raw if raw is not None else json.dumps(document).encode())


def _read_careful(site: Path, report_id: str, now: datetime) -> tuple[list[Any], list[str]]:
    loaded = read_folder(site, [report_id], now)
    return merge(loaded.snapshots.get(report_id, [])), loaded.warnings


@pytest.mark.parametrize(
    "case",
    [
        "sorted",
        "unsorted",
        "duplicate times",
        "bad snapshot",
        "bad JSON",
        "another report's",
        "not UTF-8",
        "missing",
        "over the cap",
    ],
)
def test_a_history_read_where_it_is_built_is_the_one_read_first(
    tmp_path: Path, now: datetime, case: str
) -> None:
    items = _history(now, 40)
    document: dict[str, Any] = {"id": "r", "snapshots": items}
    raw = None
    if case == "unsorted":
        random.Random(1).shuffle(items)
    elif case == "duplicate times":
        items[3] = dict(items[4], headline=dict(items[4]["headline"], count=1))
    elif case == "bad snapshot":
        items[7]["headline"]["count"] = "12"
    elif case == "bad JSON":
        raw = b'{"id": "r", "snapshots": ['
    elif case == "another report's":
        document["id"] = "other"
    elif case == "not UTF-8":
        raw = b'{"id": "r", "snapshots": ["\xff"]}'
    elif case == "over the cap":
        start = now - timedelta(days=600)
        items[:] = [
            dict(items[0], fetched_at=(start + timedelta(days=d)).isoformat()) for d in range(550)
        ]
    if case != "missing":
        _write(tmp_path, "r", document, raw)
    assert Unread(tmp_path, "r", now).load() == _read_careful(tmp_path, "r", now)
    assert history.resolve(Unread(tmp_path, "r", now))[:2] == _read_careful(tmp_path, "r", now)


def test_a_rerender_warns_as_before_and_builds_the_same_site(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    now: datetime,
    make_outcome: Outcome,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcomes = []
    for number in range(3):
        report = dict(copy.deepcopy(data), id=f"r{number}", title=f"R{number}")
        outcomes.append(make_outcome(report))
    publish(tmp_path / "site", project, outcomes, now=now)
    for number, bad in ((0, "12"), (2, None)):
        path = tmp_path / "site" / "history" / f"r{number}.json"
        document = json.loads(path.read_text("utf-8"))
        document["snapshots"] = _history(now, 20)
        if bad is not None:
            document["snapshots"][4]["headline"]["count"] = bad
        path.write_text(json.dumps(document), "utf-8")
    (tmp_path / "site" / "history" / "r1.json").write_text("{", "utf-8")
    result = rerender(tmp_path / "site", project, out=tmp_path / "again", now=now)
    # What the rerender said before it read histories where it builds: read_folder's warnings,
    # in report order.
    ids = [f"r{number}" for number in range(3)]
    expected = read_folder(tmp_path / "site", ids, now).warnings
    assert result.warnings == expected and len(expected) == 2
    for number in (0, 2):
        written = json.loads((tmp_path / "again" / "history" / f"r{number}.json").read_text())
        careful = _read_careful(tmp_path / "site", f"r{number}", now)[0]
        assert written == {"id": f"r{number}", "snapshots": careful}


def test_built_in_templates_render_the_same_with_and_without_the_sandbox(
    tmp_path: Path, data: dict[str, Any], now: datetime
) -> None:
    plain = Renderer(Project(root=tmp_path))
    assert not plain.sandboxed and type(plain.env) is jinja2.Environment
    (tmp_path / "templates").mkdir()
    boxed = Renderer(Project(root=tmp_path, templates=Path("templates")))
    assert boxed.sandboxed, "any user folder keeps the sandbox, even an empty one"
    hostile = copy.deepcopy(data)
    hostile["title"] = '<script>alert(1)</script> & "quotes" {{ 7*7 }}'
    hostile["description"] = '=HYPERLINK("http://x") | *md* <b>'
    snapshots_ = _history(now, 120)
    for renderer_pair in ((plain, boxed),):
        texts = []
        for renderer in renderer_pair:
            view = report_view(hostile, renderer.formatter, history=snapshots_)
            texts.append(renderer.report_files(view, ["html", "md", "csv"]))
        assert texts[0] == texts[1]
        assert (
            "&lt;script&gt;" in texts[0]["index.html"]
            and "<script>alert" not in texts[0]["index.html"]
        )


def test_the_sandbox_still_guards_user_templates(tmp_path: Path, data: dict[str, Any]) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "report.md").write_text("{{ report.__class__.__init__.__globals__ }}")
    renderer = Renderer(Project(root=tmp_path, templates=Path("templates")))
    from reportrunner.errors import TemplateSandboxError

    with pytest.raises(TemplateSandboxError):
        renderer.render("report.md", report=report_view(data, renderer.formatter))


def test_lazy_texts_are_the_list_they_stand_for() -> None:
    made: list[int] = []

    def make(index: int) -> str:
        made.append(index)
        return f"t{index}"

    lazy = Lazy(5, make)
    assert len(lazy) == 5 and lazy[0] == "t0" and lazy[-1] == "t4" and lazy[0] == "t0"
    assert made == [0, 4], "each text made once, and only when read"
    assert list(lazy) == [f"t{i}" for i in range(5)] and lazy[1:3] == ["t1", "t2"]
    with pytest.raises(IndexError):
        lazy[5]


@pytest.mark.parametrize("spacing", ["days", "hours", "seconds"])
def test_trend_charts_from_lazy_texts_match_every_run_formatted(
    now: datetime, spacing: str
) -> None:
    step = {"days": timedelta(days=1), "hours": timedelta(hours=5), "seconds": timedelta(seconds=7)}
    items = _history(now, 150)
    for number, item in enumerate(items):
        item["fetched_at"] = (now - step[spacing] * (150 - number)).isoformat()
    fmt = Formatter()
    charts = trends([("stat_a", "Lead")], items, fmt, "USD", "Europe/Paris")
    from reportrunner.site.charts import run_chart
    from reportrunner.site.snapshots import fetched_moment
    from reportrunner.site.trendview import run_labels

    moments = [fetched_moment(item["fetched_at"]) for item in items]
    texts = [fmt.moment(moment, "Europe/Paris") for moment in moments]
    labels = list(run_labels(moments, texts, fmt, "Europe/Paris"))
    count = run_chart(
        "count", "Opportunities", texts, labels, [i["headline"]["count"] for i in items], fmt.count
    )
    assert count is not None and charts[0] == count


def test_csv_rows_are_the_cells_quoted_one_by_one() -> None:
    rows: list[list[Any]] = [
        ["=SUM(A1)", 1, 1.0, True, None, Decimal("1.50"), "a,b", ' "q" ', "\u202eevil"],
        [["not", "hashable"], {"a": 1}, 3],
        [],
    ]
    for row in rows:
        assert csv_row(row) == ",".join(csv_cell(cell) for cell in row) + "\r\n"
        assert csv_row(iter(row)) == csv_row(row)


def test_the_writer_makes_new_folders_and_refuses_links_already_there(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "site"
    root.mkdir()
    (root / "linked").symlink_to(outside)
    (root / "there").mkdir()
    with SiteWriter(root) as writer:
        assert writer.mkdir("new") == (root / "new").resolve()
        writer.text(("new", "a.txt"), "a")
        assert writer.mkdir("there") == (root / "there").resolve()
        with pytest.raises(UsageError, match="outside"):
            writer.mkdir("linked")
        with pytest.raises(UsageError, match="outside"):
            writer.mkdir("..")
    assert (root / "new" / "a.txt").read_text() == "a"
    assert list(outside.iterdir()) == []
