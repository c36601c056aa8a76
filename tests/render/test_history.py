"""History: snapshots per run, merge from an earlier site (folder or URL), dedupe, cap."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reportrunner.fetch import earlier as earlier_site
from reportrunner.model import Project, ReportOutcome
from reportrunner.site import history
from reportrunner.site.build import publish

ID = "new-business-this-month"


def _snap(when: str, count: int = 1) -> dict[str, Any]:
    return {
        "fetched_at": when,
        "windows": {},
        "headline": {"count": count},
        "compared_headline": None,
    }


def test_snapshot_of_takes_headline_and_compared_headline(data: dict[str, Any]) -> None:
    snap = history.snapshot_of(data)
    assert snap["fetched_at"] == "2026-11-30T09:00:00Z"
    assert snap["windows"] == data["windows"]
    assert list(snap["headline"]) == list(history.HEADLINE_KEYS)
    assert snap["headline"]["count"] == 45 and snap["compared_headline"]["count"] == 40
    del data["responses"]["totals"]["compared"]
    assert history.snapshot_of(data)["compared_headline"] is None


def test_merge_dedupes_by_time_sorts_and_caps() -> None:
    a = [_snap("2026-11-02T09:00:00Z", 1), _snap("2026-11-01T09:00:00Z", 2)]
    b = [_snap("2026-11-02T10:00:00+01:00", 3), _snap("2026-11-03T09:00:00Z", 4), {"bad": 1}]
    merged = history.merge(a, b)
    # 09:00Z and 10:00+01:00 are the same moment: one snapshot, the later source wins.
    assert [s["headline"]["count"] for s in merged] == [2, 3, 4]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    many = [_snap(f"{start + timedelta(hours=i):%Y-%m-%dT%H:%M:%SZ}") for i in range(700)]
    capped = history.merge(many)
    assert len(capped) == history.MAX_SNAPSHOTS
    assert capped[-1]["fetched_at"] == max(s["fetched_at"] for s in many), "keeps the newest"


def test_each_successful_run_appends_a_snapshot(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    make_outcome: Callable[..., ReportOutcome],
) -> None:
    out = tmp_path / "site"
    for hour in ("09", "10", "10", "11"):  # the repeated run does not duplicate
        publish(out, project, [make_outcome(dict(data, fetched_at=f"2026-11-30T{hour}:00:00Z"))])
    document = json.loads((out / "history" / f"{ID}.json").read_text(encoding="utf-8"))
    assert document["id"] == ID
    assert [s["fetched_at"][11:13] for s in document["snapshots"]] == ["09", "10", "11"]
    page = (out / ID / "index.html").read_text(encoding="utf-8")
    assert "Trend over 3 runs" in page


def test_a_single_run_has_no_trend_chart(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    make_outcome: Callable[..., ReportOutcome],
) -> None:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data)])
    assert "Trend over" not in (out / ID / "index.html").read_text(encoding="utf-8")


def test_corrupt_local_history_is_a_warning(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    make_outcome: Callable[..., ReportOutcome],
) -> None:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data)])
    (out / "history" / f"{ID}.json").write_text("{not json")
    result = publish(out, project, [make_outcome(dict(data, fetched_at="2026-11-30T10:00:00Z"))])
    assert len(result.warnings) == 1 and "ignored the history" in result.warnings[0]
    document = json.loads((out / "history" / f"{ID}.json").read_text(encoding="utf-8"))
    assert len(document["snapshots"]) == 1


def test_history_from_a_folder_is_merged(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    make_outcome: Callable[..., ReportOutcome],
    earlier_snapshots: list[dict[str, Any]],
) -> None:
    earlier = tmp_path / "old-site"
    (earlier / "history").mkdir(parents=True)
    (earlier / "history" / f"{ID}.json").write_text(
        json.dumps(history.document(ID, earlier_snapshots)), encoding="utf-8"
    )
    out = tmp_path / "site"
    result = publish(
        out, project, [make_outcome(data)], earlier=earlier_site.read_source(str(earlier), [ID])
    )
    assert result.warnings == []
    document = json.loads((out / "history" / f"{ID}.json").read_text(encoding="utf-8"))
    assert len(document["snapshots"]) == 4
    missing = publish(
        out,
        project,
        [make_outcome(data)],
        earlier=earlier_site.read_source(str(tmp_path / "nope"), [ID]),
    )
    assert "neither a folder nor an http(s) URL" in missing.warnings[0]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on loopback serving a folder, like GitHub Pages serves a site."""
    root = tmp_path / "published"
    root.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/reports", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_history_from_a_published_url_is_merged(
    served: tuple[str, Path],
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    make_outcome: Callable[..., ReportOutcome],
    earlier_snapshots: list[dict[str, Any]],
) -> None:
    url, root = served
    old = tmp_path / "old"
    # The old site is one `publish` run's output, served from a sub-path like Pages does.
    first = dict(data, fetched_at="2026-11-23T09:00:00Z")
    publish(old, project, [make_outcome(first)])
    (root / "reports").mkdir()
    for path in old.rglob("*"):
        target = root / "reports" / path.relative_to(old)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(path.read_bytes())
    out = tmp_path / "site"
    result = publish(
        out, project, [make_outcome(data)], earlier=earlier_site.read_source(url, [ID])
    )
    assert result.warnings == []
    document = json.loads((out / "history" / f"{ID}.json").read_text(encoding="utf-8"))
    assert [s["fetched_at"] for s in document["snapshots"]] == [
        "2026-11-23T09:00:00Z",
        "2026-11-30T09:00:00Z",
    ]
    # A broken history file on the server is a warning, not a crash.
    (root / "reports" / "history" / f"{ID}.json").write_text("<html>oops</html>")
    result = publish(
        out, project, [make_outcome(data)], earlier=earlier_site.read_source(url + "/", [ID])
    )
    assert len(result.warnings) == 1 and f"history/{ID}.json" in result.warnings[0]


def test_unreachable_history_url_is_a_warning(
    served: tuple[str, Path],
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    make_outcome: Callable[..., ReportOutcome],
) -> None:
    url, _ = served  # nothing published there: manifest.json answers 404
    result = publish(
        tmp_path / "site",
        project,
        [make_outcome(data)],
        earlier=earlier_site.read_source(url, [ID]),
    )
    assert len(result.warnings) == 1
    assert "could not read" in result.warnings[0] and "HTTP 404" in result.warnings[0]
    assert result.reports[0].status == "ok"
    refused = earlier_site.read_url("http://127.0.0.1:9/", [ID])  # discard port: refused
    assert "continuing without the earlier history" in refused.warnings[0]


def test_oversized_remote_history_is_refused(
    served: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, root = served
    (root / "reports" / "history").mkdir(parents=True)
    (root / "reports" / "manifest.json").write_text(json.dumps({"reports": [{"id": ID}]}))
    big = history.document(ID, [_snap(f"2026-11-{day:02d}T09:00:00Z") for day in range(1, 29)])
    (root / "reports" / "history" / f"{ID}.json").write_text(json.dumps(big))
    monkeypatch.setattr(earlier_site, "MAX_BYTES", 1000)
    loaded = earlier_site.read_url(url, [ID, "not-published"])
    assert loaded.snapshots == {}
    assert len(loaded.warnings) == 1 and "larger than 1000 bytes" in loaded.warnings[0]
    monkeypatch.setattr(earlier_site, "MAX_BYTES", 1_000_000)
    assert len(earlier_site.read_url(url, [ID]).snapshots[ID]) == 28
