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
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from reportrunner.errors import ExitStatus, ProjectError
from reportrunner.model import Project
from reportrunner.pipeline import (
    Connection,
    PipelineHooks,
    PipelineSettings,
    run_pipeline,
)

ROOT = Path(__file__).resolve().parents[2]
KEY = "test-key"


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
    assert KEY not in (project / "site/manifest.json").read_text(encoding="utf-8")


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
    first = run_pipeline(_settings(project, out=project / "first"), _connect_to(emulator))
    assert first.exit_status is ExitStatus.OK
    # A later second: snapshots are told apart by their fetch time, to the second.
    later = _settings(project, history_from=str(project / "first"))
    time.sleep(1.05 - time.time() % 1)
    second = run_pipeline(later, _connect_to(emulator))
    assert second.exit_status is ExitStatus.OK
    report_id = second.validation.specs[0].id
    document = json.loads((project / "site/history" / f"{report_id}.json").read_text())
    assert len(document["snapshots"]) == 2


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
