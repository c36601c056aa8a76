"""`reportrunner render --from DIR [--out DIR]` through the real command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reportrunner.cli import main
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

ID = "new-business-this-month"


@pytest.fixture
def site(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    make_outcome: Callable[..., ReportOutcome],
) -> Path:
    out = tmp_path / "site"
    publish(out, project, [make_outcome(data)])
    return out


def test_render_into_a_new_folder(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", "--from", str(site), "--out", "preview"])
    assert result.exit_code == 0, result.output
    assert "rendered 1 report(s) (1 ok, 0 stale, 0 failed)" in result.output
    assert (tmp_path / "preview" / ID / "index.html").read_bytes() == (
        site / ID / "index.html"
    ).read_bytes()
    # The site keeps its own title when there is no reportrunner.yaml here.
    assert "Acme revenue reports" in (tmp_path / "preview" / "index.html").read_text(
        encoding="utf-8"
    )


def test_render_uses_the_projects_templates(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "reportrunner.yaml").write_text(
        "templates: my-templates\nsite:\n  title: Preview\n"
    )
    (tmp_path / "my-templates").mkdir()
    (tmp_path / "my-templates" / "report.md").write_text("Custom: {{ report.title | md }}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", "--from", str(site)])
    assert result.exit_code == 0, result.output
    assert (site / ID / "report.md").read_text(
        encoding="utf-8"
    ) == "Custom: New business — this month\n"
    assert '<h1 dir="auto">Preview</h1>' in (site / "index.html").read_text(encoding="utf-8")


def test_render_from_a_folder_that_is_not_a_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", "--from", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "no readable manifest.json" in result.output
    assert "Traceback" not in result.output


def test_template_error_exits_1_with_file_and_line(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "reportrunner.yaml").write_text("templates: tpl\n")
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "report.html").write_text("<p>\n{{ report.nope }}\n</p>\n")
    monkeypatch.chdir(tmp_path)
    before = (site / ID / "index.html").read_bytes()
    result = CliRunner().invoke(main, ["render", "--from", str(site)])
    assert result.exit_code == 1, result.output
    assert f"error: {tmp_path / 'tpl' / 'report.html'}:2: " in result.output
    assert "hint:" in result.output and "Traceback" not in result.output
    assert (site / ID / "index.html").read_bytes() == before, "the site is left as it was"


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["render", "--help"])
    assert result.exit_code == 0
    assert "reportrunner render --from site/" in result.output


def test_render_from_a_site_written_before_to_date_comparisons(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    make_outcome: Callable[..., ReportOutcome],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # data.json format 1 as earlier versions wrote it: no comparison mode, no to-date answer,
    # and history snapshots without stage counts.
    data.pop("comparison")
    data["windows"].pop("compared_to_date")
    data["responses"]["totals"].pop("compared_to_date")
    out = tmp_path / "old-site"
    publish(out, project, [make_outcome(data)])
    history = out / "history" / f"{ID}.json"
    history.write_text(history.read_text(encoding="utf-8").replace('"stages"', '"x"'), "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", "--from", str(out), "--out", "preview"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "preview" / ID / "index.html").read_text(encoding="utf-8")
    assert "shown against all of last month" in page and "(not judged)" in page
    assert 'class="delta better"' not in page.split('id="users"')[0], "no verdict without to-date"
