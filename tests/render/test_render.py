"""The Jinja2 Environment: user templates shadow built-ins; errors name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reportrunner.errors import RenderError, UsageError
from reportrunner.model import Project
from reportrunner.site.filters import Formatter
from reportrunner.site.render import Renderer
from reportrunner.site.viewmodel import report_view


def _renderer(tmp_path: Path, files: dict[str, str]) -> Renderer:
    folder = tmp_path / "my-templates"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return Renderer(Project(root=tmp_path, templates=Path("my-templates")))


def test_user_template_shadows_the_built_in_one_by_name(
    tmp_path: Path, data: dict[str, Any]
) -> None:
    renderer = _renderer(tmp_path, {"report.md": "Only {{ report.title | md }}\n"})
    view = report_view(data, renderer.formatter)
    files = renderer.report_files(view, ["html", "md"])
    assert files["report.md"] == "Only New business — this month\n"
    assert files["index.html"].startswith("<!DOCTYPE html>"), "the others stay built-in"


def test_user_partial_overrides_inside_a_built_in_page(
    tmp_path: Path, data: dict[str, Any]
) -> None:
    renderer = _renderer(
        tmp_path, {"partials/footer.html": "<footer>{{ report.id }} &amp; co</footer>"}
    )
    page = renderer.report_files(report_view(data, renderer.formatter), ["html"])["index.html"]
    assert "<footer>new-business-this-month &amp; co</footer>" in page


def test_html_is_autoescaped_markdown_and_csv_are_not(tmp_path: Path) -> None:
    renderer = _renderer(
        tmp_path, {"a.html": "{{ value }}", "a.md": "{{ value }}", "a.csv": "{{ value }}"}
    )
    assert renderer.render("a.html", value="<b>&") == "&lt;b&gt;&amp;"
    assert renderer.render("a.md", value="<b>&") == "<b>&"
    assert renderer.render("a.csv", value="<b>&") == "<b>&"


def test_syntax_error_names_the_user_file_and_line(tmp_path: Path) -> None:
    renderer = _renderer(tmp_path, {"report.md": "line one\n{% if %}\n"})
    with pytest.raises(RenderError) as caught:
        renderer.render("report.md", report=None)
    error = caught.value
    assert error.template == str(tmp_path / "my-templates" / "report.md")
    assert error.line == 2
    assert str(error).startswith(
        f"{tmp_path / 'my-templates' / 'report.md'}:2: template syntax error"
    )


def test_undefined_variable_names_the_file_and_line(tmp_path: Path, data: dict[str, Any]) -> None:
    renderer = _renderer(tmp_path, {"report.md": "# {{ report.title }}\n\n{{ report.titel }}\n"})
    with pytest.raises(RenderError) as caught:
        renderer.report_files(report_view(data, renderer.formatter), ["md"])
    assert caught.value.line == 3
    assert "titel" in str(caught.value)
    assert caught.value.template is not None and caught.value.template.endswith("report.md")


def test_unknown_filter_is_a_render_error(tmp_path: Path) -> None:
    renderer = _renderer(tmp_path, {"x.md": "{{ 3 | no_such_filter }}"})
    with pytest.raises(RenderError, match="no_such_filter"):
        renderer.render("x.md")


def test_missing_templates_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        Renderer(Project(root=tmp_path, templates=Path("nowhere")))


def test_missing_template_is_a_render_error(tmp_path: Path) -> None:
    renderer = Renderer(Project(root=tmp_path))
    with pytest.raises(RenderError, match=r"'nothing\.html' not found"):
        renderer.render("nothing.html")


def test_project_locale_changes_the_numbers(tmp_path: Path, data: dict[str, Any]) -> None:
    data["currency"] = "EUR"
    renderer = Renderer(Project(root=tmp_path, locale="de_DE"))
    markdown = renderer.report_files(report_view(data, renderer.formatter), ["md"])["report.md"]
    assert "334.500,00\xa0€" in markdown
    assert Formatter("de_DE").percent(0.5) == "50,0\xa0%"
