"""`pipeline.run_pipeline`: the whole run as one library call, without click (real HTTP).

The tests call it the way a library user would: settings stated, an emulator started by the
caller as the connection, the result read as data.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from reportrunner.errors import ExitStatus, ProjectError
from reportrunner.fetch.earlier import read_source
from reportrunner.model import Project
from reportrunner.pipeline import (
    Connection,
    PipelineHooks,
    PipelineSettings,
    run_pipeline,
)

ROOT = Path(__file__).resolve().parents[2]
KEY = "test-key"
HOUR = timedelta(hours=1)
#: The `emulator` fixture's "today" (tests/conftest.py), so relative windows hold data.
EMULATOR_NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("specs", "schema"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "reportrunner.yaml", tmp_path / "reportrunner.yaml")
    return tmp_path


def _connect_to(emulator: Any) -> Any:
    @contextmanager
    def connect(project: Project) -> Iterator[Connection]:
        assert isinstance(project, Project)
        yield Connection(emulator.base_url, KEY)

    return connect


def _settings(project: Path, **overrides: Any) -> PipelineSettings:
    values: dict[str, Any] = {
        "out": project / "site",
        "paths": (project / "specs",),
        "root": project,
    }
    values.update(overrides)
    return PipelineSettings(**values)


def test_the_pipeline_fetches_and_publishes_every_example(project: Path, emulator: Any) -> None:
    events: list[str] = []
    published: list[int] = []
    hooks = PipelineHooks(
        on_event=lambda event: events.append(event.kind),
        on_published=lambda run, site: published.append(len(site.reports)),
    )
    result = run_pipeline(_settings(project), _connect_to(emulator), hooks=hooks)
    assert result.exit_status is ExitStatus.OK, [o.error for o in result.run.outcomes]
    ids = {spec.id for spec in result.validation.specs}
    manifest = json.loads((project / "site/manifest.json").read_text(encoding="utf-8"))
    assert {entry["id"] for entry in manifest["reports"]} == ids
    assert all(entry["status"] == "ok" for entry in manifest["reports"])
    assert published == [len(ids)] and "report" in events


def test_an_invalid_spec_fails_its_report_only(project: Path, emulator: Any) -> None:
    (project / "specs/broken.yaml").write_text("title: Broken\nrequest: {}\n", encoding="utf-8")
    result = run_pipeline(_settings(project), _connect_to(emulator))
    assert result.exit_status is ExitStatus.FAILED
    failed = [o for o in result.run.outcomes if o.status == "failed"]
    assert len(failed) == 1 and failed[0].source.endswith("broken.yaml"), failed
    assert "invalid spec" in (failed[0].error or "")
    assert sum(o.status == "ok" for o in result.run.outcomes) == len(result.validation.specs)


def test_an_invalid_project_stops_before_anything_is_fetched(project: Path) -> None:
    (project / "reportrunner.yaml").write_text("api: {jobs: many}\n", encoding="utf-8")

    @contextmanager
    def never(project: Project) -> Iterator[Connection]:
        raise AssertionError("connected although the project is invalid")
        yield  # pragma: no cover

    with pytest.raises(ProjectError, match="no report was fetched"):
        run_pipeline(_settings(project), never)
    assert not (project / "site").exists()


def test_the_earlier_history_is_read_before_publishing(project: Path, emulator: Any) -> None:
    first = _settings(project, out=project / "first", now=EMULATOR_NOW)
    assert run_pipeline(first, _connect_to(emulator)).exit_status is ExitStatus.OK
    later = _settings(project, history_from=str(project / "first"), now=EMULATOR_NOW + HOUR)
    second = run_pipeline(later, _connect_to(emulator))
    assert second.exit_status is ExitStatus.OK
    for spec in second.validation.specs:
        document = json.loads((project / "site/history" / f"{spec.id}.json").read_text())
        assert len(document["snapshots"]) == 2, spec.id


def test_only_keeps_the_history_of_every_other_report(project: Path, emulator: Any) -> None:
    """The publish workflow restores manifest and data.json only, then runs `only` with the
    earlier site: every kept report's history comes from there."""
    first = _settings(project, out=project / "published", now=EMULATOR_NOW)
    assert run_pipeline(first, _connect_to(emulator)).exit_status is ExitStatus.OK
    shutil.copytree(project / "published", project / "site")
    shutil.rmtree(project / "site/history")  # what restore.py brings back: no history
    ids = sorted(p.parent.name for p in (project / "published").glob("*/data.json"))
    refresh = _settings(
        project,
        only=(ids[0],),
        history_from=str(project / "published"),
        now=EMULATOR_NOW + HOUR,
    )
    assert run_pipeline(refresh, _connect_to(emulator)).exit_status is ExitStatus.OK
    counts = {
        report_id: len(
            json.loads((project / "site/history" / f"{report_id}.json").read_text())["snapshots"]
        )
        for report_id in ids
    }
    assert counts == {report_id: 2 if report_id == ids[0] else 1 for report_id in ids}


def test_a_report_id_that_is_a_path_is_never_read_from_the_earlier_site(tmp_path: Path) -> None:
    earlier = tmp_path / "site"
    (earlier / "history").mkdir(parents=True)
    outside = tmp_path / "outside.json"  # site/history/../../outside.json
    outside.write_text(json.dumps({"id": "../../outside", "snapshots": []}), encoding="utf-8")
    loaded = read_source(str(earlier), ["../../outside", "ok-id"], EMULATOR_NOW)
    assert loaded.snapshots == {} and not any("outside" in w for w in loaded.warnings)


def test_no_site_file_holds_the_key(project: Path, emulator: Any) -> None:
    assert run_pipeline(_settings(project), _connect_to(emulator)).exit_status is ExitStatus.OK
    written = [p for p in (project / "site").rglob("*") if p.is_file()]
    assert len(written) > 20
    assert not [p for p in written if KEY.encode() in p.read_bytes()]


def test_the_pipeline_runs_without_click(project: Path) -> None:
    """A fresh interpreter runs a whole pipeline and never imports click."""
    script = textwrap.dedent(
        f"""
        import sys
        from contextlib import contextmanager
        from pathlib import Path
        from reportrunner.emulator import Emulator
        from reportrunner.pipeline import Connection, PipelineSettings, run_pipeline

        root = Path({str(project)!r})

        @contextmanager
        def connect(project):
            with Emulator(api_key="k") as emu:
                yield Connection(emu.base_url, "k")

        settings = PipelineSettings(out=root / "lib-site", paths=(root / "specs",), root=root)
        result = run_pipeline(settings, connect)
        assert "click" not in sys.modules, "the core imported click"
        print(int(result.exit_status))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0", done.stdout + done.stderr
    assert (project / "lib-site/index.html").is_file()
