"""The site builder: files, staging and swap, stale reports, removed reports, --only, safety."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from reportrunner.errors import RenderError, UsageError
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish, rerender
from reportrunner.site.staging import exclusive

Outcome = Callable[..., ReportOutcome]
ID = "new-business-this-month"


def _manifest(site: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    return loaded


def _entry(site: Path, report_id: str) -> dict[str, Any]:
    return next(r for r in _manifest(site)["reports"] if r["id"] == report_id)


def _siblings(site: Path) -> list[str]:
    return sorted(p.name for p in site.parent.iterdir() if p.name != site.name)


def test_publish_writes_every_file_of_the_spec_formats(
    tmp_path: Path, data: dict[str, Any], project: Project, now: datetime, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    result = publish(out, project, [make_outcome(data)], now=now)
    folder = out / ID
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["data.json", "index.html", "report.csv", "report.md", "stages.csv"]
    assert json.loads((folder / "data.json").read_text(encoding="utf-8")) == data
    assert (out / "index.html").is_file() and (out / "history" / f"{ID}.json").is_file()
    entry = _entry(out, ID)
    assert entry["status"] == "ok" and entry["fetched_at"] == data["fetched_at"]
    assert entry["files"]["stages_csv"] == f"{ID}/stages.csv"
    assert _manifest(out)["generated_at"] == "2026-11-30T09:00:05Z"
    assert result.by_status("ok")[0].id == ID and result.warnings == []
    assert _siblings(out) == [], "no staging folder is left behind"
    assert oct(out.stat().st_mode & 0o777) == "0o755"


def test_formats_limit_the_files(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    data["formats"] = ["md"]
    del data["responses"]["stages"]
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data)])
    assert sorted(p.name for p in (out / ID).iterdir()) == ["data.json", "report.md"]
    assert "## Funnel stages" not in (out / ID / "report.md").read_text(encoding="utf-8")


def test_failed_report_keeps_its_last_good_pages_as_stale(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data)])
    failed = make_outcome(id=ID, title=data["title"], error="Close answered 503 three times")
    result = publish(out, project, [failed])
    entry = _entry(out, ID)
    assert entry["status"] == "stale"
    assert entry["error"] == "Close answered 503 three times"
    assert entry["last_good_at"] == data["fetched_at"] and entry["fetched_at"] is None
    assert json.loads((out / ID / "data.json").read_text(encoding="utf-8")) == data
    page = (out / ID / "index.html").read_text(encoding="utf-8")
    assert "Stale data." in page and "Close answered 503 three times" in page
    assert "Stale" in (out / "index.html").read_text(encoding="utf-8")
    assert [r.id for r in result.by_status("stale")] == [ID]
    # The failure adds no snapshot: history still has the one good run.
    history = json.loads((out / "history" / f"{ID}.json").read_text(encoding="utf-8"))
    assert [s["fetched_at"] for s in history["snapshots"]] == [data["fetched_at"]]
    # Still failing next time: still stale, same last good data.
    publish(out, project, [failed])
    assert _entry(out, ID)["status"] == "stale"


def test_failed_report_without_earlier_data_is_listed_as_failed(
    tmp_path: Path, project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(id="new-one", error="invalid spec: specs/x.yaml:3:1")])
    entry = _entry(out, "new-one")
    assert entry["status"] == "failed" and entry["files"] == {}
    assert not (out / "new-one").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Failed: no data yet" in index and "invalid spec: specs/x.yaml:3:1" in index


def test_reports_whose_spec_is_gone_are_removed(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    other = dict(data, id="renewals", title="Renewals")
    publish(out, project, [make_outcome(data), make_outcome(other)])
    assert (out / "renewals" / "index.html").is_file()
    publish(out, project, [make_outcome(data)])
    assert not (out / "renewals").exists()
    assert not (out / "history" / "renewals.json").exists()
    assert [r["id"] for r in _manifest(out)["reports"]] == [ID]


def test_keep_carries_reports_not_run_this_time(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    other = dict(data, id="renewals", title="Renewals")
    publish(out, project, [make_outcome(data), make_outcome(other)])
    before = (out / "renewals" / "data.json").read_text(encoding="utf-8")
    newer = dict(data, fetched_at="2026-11-30T10:00:00Z")
    publish(out, project, [make_outcome(newer)], keep=["renewals", "never-existed"])
    assert (out / "renewals" / "data.json").read_text(encoding="utf-8") == before
    assert _entry(out, "renewals")["status"] == "ok"
    assert _entry(out, ID)["fetched_at"] == "2026-11-30T10:00:00Z"
    assert [r["id"] for r in _manifest(out)["reports"]] == [ID, "renewals"]


def test_a_template_error_leaves_the_previous_site_intact(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data)])
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.md").write_text("# {{ report.title }}\n{{ report.no_such_field }}\n")
    broken = Project(root=tmp_path, templates=Path("templates"))
    newer = dict(data, fetched_at="2026-11-30T10:00:00Z")
    with pytest.raises(RenderError) as caught:
        publish(out, broken, [make_outcome(newer)])
    assert str(caught.value).startswith(f"{templates / 'report.md'}:2: ")
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert _siblings(out) == ["templates"], "the staging folder was removed"


def test_an_interrupted_swap_is_recovered_on_the_next_run(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data)])
    # Simulate a kill between the two renames: the old site is aside, nothing at `out`.
    out.replace(tmp_path / ".site.previous-123-abcd")
    failed = make_outcome(id=ID, title=data["title"], error="timeout")
    publish(out, project, [failed])
    assert _entry(out, ID)["status"] == "stale", "the old data was found again"
    assert _siblings(out) == []


def test_staging_leftovers_of_an_interrupted_run_are_removed_at_once(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data)])
    # A signal that lands right after the staging folder was made leaves it behind.
    leftover = tmp_path / ".site.building-interrupted"
    (leftover / ID).mkdir(parents=True)
    other_site = tmp_path / ".other.building-running"  # another site's build: not ours
    other_site.mkdir()
    publish(out, project, [make_outcome(data)])
    assert not leftover.exists(), "publish holds the lock, so no other build owns it"
    assert other_site.exists()


def test_refuses_to_replace_a_folder_that_is_not_a_site(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError, match="not a site reportrunner built"):
        publish(precious, project, [make_outcome(data)])
    assert (precious / "notes.txt").read_text() == "keep me"
    file_out = tmp_path / "file"
    file_out.write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        publish(file_out, project, [make_outcome(data)])


@pytest.mark.parametrize(
    "bad_id", ["../escape", "a/b", "/abs", ".hidden", "history", "index.html", "x" * 200, ""]
)
def test_ids_cannot_write_outside_their_folder(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome, bad_id: str
) -> None:
    out = tmp_path / "site"
    result = publish(out, project, [make_outcome(dict(data, id=bad_id), id=bad_id)])
    assert result.reports[0].status == "failed"
    assert "cannot be used as a folder name" in (result.reports[0].error or "")
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert written == ["site", "site/history", "site/index.html", "site/manifest.json"]


def test_duplicate_ids_publish_the_first(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    result = publish(tmp_path / "site", project, [make_outcome(data), make_outcome(data)])
    assert [r.status for r in result.reports] == ["ok", "failed"]
    assert "appears twice" in (result.reports[1].error or "")


def test_rerender_rebuilds_the_same_pages_without_new_history(
    tmp_path: Path, data: dict[str, Any], project: Project, now: datetime, make_outcome: Outcome
) -> None:
    site = tmp_path / "site"
    publish(site, project, [make_outcome(data), make_outcome(id="broken")], now=now)
    preview = tmp_path / "preview"
    rerender(site, Project(root=tmp_path), out=preview, now=now)
    for name in (f"{ID}/index.html", f"{ID}/report.md", f"{ID}/report.csv", "index.html"):
        assert (preview / name).read_bytes() == (site / name).read_bytes(), name
    assert _manifest(preview) == _manifest(site)
    assert (preview / "history" / f"{ID}.json").read_bytes() == (
        site / "history" / f"{ID}.json"
    ).read_bytes()
    # In place, with the user's templates.
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "report.md").write_text("custom {{ report.title | md }}\n", encoding="utf-8")
    rerender(site, Project(root=tmp_path, templates=templates))
    assert (site / ID / "report.md").read_text(
        encoding="utf-8"
    ) == "custom New business — this month\n"


def test_rerender_needs_a_site(tmp_path: Path, project: Project) -> None:
    with pytest.raises(UsageError, match=r"no readable manifest\.json"):
        rerender(tmp_path / "nothing", project)


def test_unusable_data_fails_its_own_report_only(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    no_time = make_outcome(dict(data, id="no-time", fetched_at="yesterday"))
    bad_shape = dict(data, id="bad-shape")
    bad_shape["responses"] = {"totals": {"base": {"aggregations": [], "data": "x"}}}
    result = publish(out, project, [make_outcome(data), no_time, make_outcome(bad_shape)])
    statuses = {r.id: (r.status, r.error or "") for r in result.reports}
    assert statuses[ID] == ("ok", "")
    assert statuses["no-time"][0] == "failed" and "no valid fetched_at" in statuses["no-time"][1]
    assert statuses["bad-shape"][0] == "failed"
    assert "could not build the pages" in statuses["bad-shape"][1]
    assert not (out / "bad-shape").exists() and (out / ID / "index.html").is_file()
    # The run prints these, so a report that silently went missing cannot pass for ok.
    assert [w.split(":")[0] for w in result.warnings] == ["no-time", "bad-shape"]


def test_a_second_build_of_the_same_site_at_once_is_refused(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    with exclusive(out):  # another build holding the lock (flock: per open file)
        with pytest.raises(UsageError, match="another reportrunner is writing the site"):
            publish(out, project, [make_outcome(data)])
        # A sibling folder has a lock of its own.
        assert publish(tmp_path / "site2", project, [make_outcome(data)]).reports[0].status == "ok"
    assert publish(out, project, [make_outcome(data)]).reports[0].status == "ok"
    assert not (tmp_path / ".site.lock").exists(), "the lock file is removed on release"


def test_an_empty_site_says_how_to_add_reports(tmp_path: Path, project: Project) -> None:
    result = publish(tmp_path / "site", project, [])
    assert result.reports == []
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "No reports yet" in index and "specs/" in index
    assert _manifest(tmp_path / "site")["reports"] == []


def test_keep_carries_stale_and_failed_reports_as_they_were(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data), make_outcome(id="never-worked")])
    publish(out, project, [make_outcome(id=ID, title="t", error="timeout")], keep=["never-worked"])
    publish(out, project, [], keep=[ID, "never-worked"])
    assert _entry(out, ID)["status"] == "stale" and _entry(out, ID)["error"] == "timeout"
    assert _entry(out, "never-worked")["status"] == "failed"
    assert _entry(out, "never-worked")["error"] == "Close answered 500"


def test_data_from_another_format_version_is_not_rendered(
    tmp_path: Path, data: dict[str, Any], project: Project, make_outcome: Outcome
) -> None:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data)])
    stored = json.loads((out / ID / "data.json").read_text(encoding="utf-8"))
    stored["format_version"] = 2
    (out / ID / "data.json").write_text(json.dumps(stored), encoding="utf-8")
    result = rerender(out, project)
    assert result.reports[0].status == "failed"
    assert "data.json is in format 2, this reportrunner reads format 1" in (
        result.reports[0].error or ""
    )
