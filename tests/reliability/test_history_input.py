"""History is untrusted input: a bad snapshot is dropped with a warning, never published or kept.

One snapshot with `count: 1e25` used to stop every report from publishing; `"12"`, NaN or `[1]`
made the fresh report vanish, and the bad snapshot was written back so every later run failed
too. Here each bad value, bad time and bad file is put into a history among good snapshots,
from each source (the previous site, a `--history-from` folder, a `--history-from` URL served
by a real local HTTP server): the report publishes, the warning names the file and the reason,
the good snapshots survive, and what is written back holds only checked snapshots.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from relhelp import CANARY, cli_env, run_cli, spec_yaml, write_specs

from reportrunner.emulator import Emulator
from reportrunner.fetch.earlier import read_source
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish
from reportrunner.site.history import MAX_FILE_BYTES

FIXTURE = Path(__file__).parents[1] / "render/fixtures/data.json"
ID = "new-business-this-month"
NOW = datetime(2026, 11, 30, 9, 0, 5, tzinfo=timezone.utc)
BAD_VALUES: dict[str, Any] = {
    "1e25": 1e25,
    "-1e20": -1e20,
    "text": "12",
    "NaN": math.nan,
    "Infinity": math.inf,
    "-Infinity": -math.inf,
    "list": [1],
    "object": {"a": 1},
    "boolean": True,
    "huge text": "9" * 100_000,
}
BAD_SNAPSHOTS: dict[str, Any] = {
    "not an object": [1],
    "null": None,
    "headline is a list": {"fetched_at": "2026-11-01T09:00:00Z", "headline": [1]},
    "no headline": {"fetched_at": "2026-11-01T09:00:00Z"},
    "time is text": {"fetched_at": "yesterday", "headline": {}},
    "month 13": {"fetched_at": "2026-13-01T09:00:00Z", "headline": {}},
    "1970": {"fetched_at": "1970-01-01T00:00:00Z", "headline": {}},
    "year 9999": {"fetched_at": "9999-12-31T23:59:59Z", "headline": {}},
    "time is a number": {"fetched_at": 1764493200, "headline": {}},
    "windows is text": {"fetched_at": "2026-11-01T09:00:00Z", "headline": {}, "windows": "x"},
    "long window text": {
        "fetched_at": "2026-11-01T09:00:00Z",
        "headline": {},
        "windows": {"cohort": {"kind": "x" * 10_000}},
    },
    "compared is a number": {
        "fetched_at": "2026-11-01T09:00:00Z",
        "headline": {},
        "compared_headline": 5,
    },
    "stages is a list": {"fetched_at": "2026-11-01T09:00:00Z", "headline": {}, "stages": [1]},
    "a stage count is text": {
        "fetched_at": "2026-11-01T09:00:00Z",
        "headline": {},
        "stages": {"stat_x": "12"},
    },
    "a stage count is 1e25": {
        "fetched_at": "2026-11-01T09:00:00Z",
        "headline": {},
        "stages": {"stat_x": 1e25},
    },
    "too many stages": {
        "fetched_at": "2026-11-01T09:00:00Z",
        "headline": {},
        "stages": {f"stat_{n}": 1 for n in range(1_000)},
    },
}


def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return loaded


def _good(day: int, count: float = 10) -> dict[str, Any]:
    moment = datetime(2026, 11, day, 9, tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"fetched_at": moment, "windows": {}, "headline": {"count": count}}


def _with_bad(bad: Any) -> dict[str, Any]:
    return {"id": ID, "snapshots": [_good(1), bad, _good(3, -5)]}


def _publish(out: Path, **kwargs: Any) -> Any:
    outcome = ReportOutcome(ID, "t", "specs/x.yaml", "ok", data=copy.deepcopy(_data()))
    return publish(out, Project(root=out.parent), [outcome], now=NOW, **kwargs)


def _written(out: Path) -> list[dict[str, Any]]:
    document = json.loads((out / "history" / f"{ID}.json").read_text(encoding="utf-8"))
    snapshots: list[dict[str, Any]] = document["snapshots"]
    return snapshots


def _all_checked(snapshots: list[dict[str, Any]]) -> bool:
    for item in snapshots:
        for value in item["headline"].values():
            if value is not None and not (
                isinstance(value, int | float) and math.isfinite(value) and abs(value) <= 1e15
            ):
                return False
    return True


def _cases() -> dict[str, Any]:
    cases = {
        f"count {name}": dict(_good(2), headline={"count": value})
        for name, value in BAD_VALUES.items()
    }
    cases.update(BAD_SNAPSHOTS)
    return cases


@pytest.mark.parametrize("case", sorted(_cases()))
def test_a_bad_snapshot_in_the_previous_site_is_dropped(tmp_path: Path, case: str) -> None:
    out = tmp_path / "site"
    _publish(out)
    path = out / "history" / f"{ID}.json"
    path.write_text(json.dumps(_with_bad(_cases()[case])), encoding="utf-8")
    result = _publish(out)
    assert [r.status for r in result.reports] == ["ok"], result.reports
    warnings = [w for w in result.warnings if str(path) in w]
    assert warnings and "ignored 1 of 3 snapshot(s)" in warnings[0], result.warnings
    written = _written(out)
    assert [s["fetched_at"][:10] for s in written] == ["2026-11-01", "2026-11-03", "2026-11-30"]
    assert _all_checked(written)
    again = _publish(out)  # the bad snapshot was not written back
    assert again.warnings == [] and [r.status for r in again.reports] == ["ok"]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


BAD_FILES: dict[str, bytes] = {
    "truncated JSON": json.dumps(_with_bad(_good(2))).encode()[:-20],
    "not UTF-8": b'{"id": "new-business-this-month", "snapshots": ["\xff\xfe"]}',
    "a list": b"[1, 2, 3]",
    "another report's": json.dumps({"id": "other", "snapshots": [_good(2)]}).encode(),
    "nested too deeply": _deep(100_000).encode(),
    "a 5000-digit number": b'{"snapshots": [{"headline": {"count": 1' + b"0" * 5000 + b"}}]}",
    "oversized": b'{"snapshots": [' + b" " * (MAX_FILE_BYTES + 1) + b"]}",
    "empty": b"",
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_history_file_is_ignored_with_a_warning(tmp_path: Path, case: str) -> None:
    out = tmp_path / "site"
    _publish(out)
    path = out / "history" / f"{ID}.json"
    path.write_bytes(BAD_FILES[case])
    result = _publish(out)
    assert [r.status for r in result.reports] == ["ok"]
    assert any(str(path) in w and "trend restarts" in w for w in result.warnings), result.warnings
    assert len(_written(out)) == 1, "only this run's snapshot"


def test_this_runs_own_numbers_are_checked_too(tmp_path: Path) -> None:
    """A 200 answer with an absurd total publishes; only its trend point is left out."""
    data = _data()
    data["responses"]["totals"]["base"]["aggregations"]["count"] = 1e300
    outcome = ReportOutcome(ID, "t", "specs/x.yaml", "ok", data=data)
    result = publish(tmp_path / "site", Project(root=tmp_path), [outcome], now=NOW)
    assert any("No trend point from this run" in w for w in result.warnings), result.warnings
    assert not (tmp_path / "site" / "history" / f"{ID}.json").exists()


# --- through the real CLI, from each source -------------------------------------------------


def _old_site(folder: Path, bad: Any) -> None:
    """A published site (manifest + history) whose history holds `bad` among good ones."""
    (folder / "history").mkdir(parents=True)
    manifest = {"format": "reportrunner-site", "format_version": 1, "reports": [{"id": "a"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    now = datetime.now(timezone.utc)
    days = [(now - timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ") for d in (3, 2)]
    good = [{"fetched_at": day, "headline": {"count": 3}} for day in days]
    document = {"id": "a", "snapshots": [good[0], bad, good[1]]}
    (folder / "history" / "a.json").write_text(json.dumps(document), encoding="utf-8")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over real HTTP on a free loopback port, and its URL."""
    root = tmp_path / "pages"
    root.mkdir()
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield root, f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
            thread.join(timeout=10)


@pytest.mark.parametrize("case", ["nested too deeply", "truncated JSON", "not UTF-8"])
def test_a_bad_history_file_from_a_url_is_skipped(served: tuple[Path, str], case: str) -> None:
    root, url = served
    _old_site(root, _good(2))
    (root / "history" / f"{ID}.json").write_bytes(BAD_FILES[case])
    manifest = {"format": "reportrunner-site", "format_version": 1, "reports": [{"id": ID}]}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = _publish(root.parent / "site", earlier=read_source(url, [ID]))
    assert [r.status for r in result.reports] == ["ok"]
    assert any(f"history/{ID}.json" in w and "skipped" in w for w in result.warnings), result


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("previous site", 1e25),
        ("previous site", [1]),
        ("folder", math.nan),
        ("folder", "12"),
        ("url", math.inf),
        ("url", {"a": 1}),
    ],
)
def test_every_source_through_run(
    tmp_path: Path, served: tuple[Path, str], source: str, bad: Any
) -> None:
    project = tmp_path / "project"
    write_specs(project, {"a": spec_yaml("a"), "b": spec_yaml("b", cohort="this-year")})
    snapshot = {"fetched_at": "2026-11-20T09:00:00Z", "headline": {"count": bad}}
    args = ["run", "--out", "site"]
    if source == "previous site":
        where = project / "site"
        with Emulator(api_key=CANARY) as emu:
            first = run_cli(args, cwd=project, env=cli_env(emu.base_url))
        assert first.returncode == 0, first.explain()
        document = json.loads((where / "history" / "a.json").read_text(encoding="utf-8"))
        older = {"fetched_at": "2026-11-19T09:00:00Z", "headline": {"count": 2}}
        document["snapshots"][:0] = [older, snapshot]  # this run may share the first's second
        (where / "history" / "a.json").write_text(json.dumps(document), encoding="utf-8")
    elif source == "folder":
        where = tmp_path / "earlier"
        _old_site(where, snapshot)
        args += ["--history-from", str(where)]
    else:
        where, url = served
        _old_site(where, snapshot)
        args += ["--history-from", url]
    with Emulator(api_key=CANARY) as emu:
        run = run_cli(args, cwd=project, env=cli_env(emu.base_url))
        again = run_cli(args[:3], cwd=project, env=cli_env(emu.base_url))
    assert run.returncode == 0, run.explain()
    assert not run.traceback, run.explain()
    assert "ignored 1 of" in run.stderr and "a.json" in run.stderr, run.explain()
    manifest = json.loads((project / "site" / "manifest.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["status"] for r in manifest["reports"]} == {"a": "ok", "b": "ok"}
    history = json.loads((project / "site" / "history" / "a.json").read_text(encoding="utf-8"))
    assert _all_checked(history["snapshots"]), "nothing unchecked is written back"
    assert len(history["snapshots"]) >= 2, "the good earlier snapshots and this run's"
    assert again.returncode == 0 and "ignored" not in again.stderr, again.explain()


@pytest.mark.parametrize(
    "tampered",
    [
        {"title": "T" * 1_000_000, "fetched_at": {"x": 1}, "status": "weird"},
        {"title": ["x"], "spec_file": "\x1b[31mred", "fetched_at": "yesterday"},
        {"status": "stale", "error": {"deep": [1]}, "fetched_at": 1e25},
        {"status": "failed", "error": None, "title": None},
    ],
)
def test_a_tampered_manifest_entry_is_carried_sanely(
    tmp_path: Path, tampered: dict[str, Any]
) -> None:
    """`run --only` carries the other reports from the previous manifest, which is untrusted."""
    out = tmp_path / "site"
    _publish(out)
    path = out / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["reports"][0].update(tampered)
    path.write_text(json.dumps(manifest), encoding="utf-8")
    other = ReportOutcome("other", "t", "specs/o.yaml", "ok", data=dict(_data(), id="other"))
    result = publish(out, Project(root=tmp_path), [other], now=NOW, keep=[ID])
    entry = next(r for r in result.reports if r.id == ID)
    assert entry.status in ("ok", "stale", "failed")
    assert isinstance(entry.title, str) and len(entry.title) <= 200
    assert "\x1b" not in entry.spec_file
    assert entry.error is None or isinstance(entry.error, str)
    written = json.loads(path.read_text(encoding="utf-8"))
    carried = next(r for r in written["reports"] if r["id"] == ID)
    assert carried["fetched_at"] is None or carried["fetched_at"].endswith("Z")


def test_known_parts_are_kept_and_unknown_ones_left_out() -> None:
    """Stage counts and the to-date window survive the check; a later version's extras do not."""
    from reportrunner.site.snapshots import clean

    window = {"kind": "to-date", "value": None, "start": "2026-10-01T00:00:00Z", "end": None}
    item = {
        "fetched_at": "2026-11-01T09:00:00Z",
        "windows": {"compared_to_date": window, "from_the_future": {"kind": "x"}},
        "headline": {"count": 3, "not_a_metric": 1},
        "stages": {"stat_a": 4, "stat_b": None},
        "extra": "<script>",
    }
    checked = clean(item, NOW)
    assert checked["windows"] == {"compared_to_date": window}
    assert checked["stages"] == {"stat_a": 4, "stat_b": None}
    assert "not_a_metric" not in checked["headline"]
    assert "extra" not in checked
