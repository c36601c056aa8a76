"""User templates run sandboxed: they cannot reach Python internals, the key, or change data.

A template under `templates:` runs in the process that holds the API key; before the sandbox,
`{{ cycler.__init__.__globals__.os.environ.get('CLOSE_API_KEY') }}` put the key on the page.
Each escape below must fail with a RenderError naming the user's file and line; in a real run
that report keeps its previous pages (stale) while the others publish, and the key is nowhere.
The documented context and filters keep working in a user template.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from relhelp import CANARY, CliRun, cli_env, files_containing, run_cli, spec_yaml, write_specs

from reportrunner.emulator import Emulator
from reportrunner.errors import TemplateSandboxError
from reportrunner.model import Project
from reportrunner.site.filters import Formatter
from reportrunner.site.render import Renderer
from reportrunner.site.viewmodel import report_view

FIXTURE = Path(__file__).parents[1] / "render/fixtures/data.json"
NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
ESCAPES = {
    "environ through cycler": "{{ cycler.__init__.__globals__.os.environ.get('CLOSE_API_KEY') }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "view class globals": "{{ report.__class__.__init__.__globals__ }}",
    "namespace globals": "{{ namespace.__init__.__globals__ }}",
    "object dict": "{% set d = report.__dict__ %}{{ d }}",
    "format string": "{{ '{0.__class__.__init__.__globals__}'.format(report) }}",
    "list mutation": "{{ report.tags.append('x') }}",
    "dict mutation": "{{ report.files.update({'html': '../x'}) }}",
    "filter function globals": "{{ (report.title|attr('__class__')).__mro__ }}",
}


def _renderer(tmp_path: Path, template: str) -> Renderer:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "report.md").write_text(f"# {{{{ report.title | md }}}}\n\n{template}\n")
    return Renderer(Project(root=tmp_path, templates=Path("templates")))


def _view(renderer: Renderer) -> object:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return report_view(data, renderer.formatter)


@pytest.mark.parametrize("case", sorted(ESCAPES))
def test_escapes_fail_naming_the_file_and_line(tmp_path: Path, case: str) -> None:
    renderer = _renderer(tmp_path, ESCAPES[case])
    with pytest.raises(TemplateSandboxError) as caught:
        renderer.render("report.md", report=_view(renderer))
    error = caught.value
    assert error.template == str(tmp_path / "templates" / "report.md")
    assert error.line == 3
    assert str(error).startswith(f"{tmp_path / 'templates' / 'report.md'}:3: ")
    assert "Python internals" in str(error)


def test_the_documented_context_and_filters_still_work(tmp_path: Path) -> None:
    template = (
        "{% for item in report.headline %}{{ item.label | md }}: {{ item.text }}\n{% endfor %}"
        "{{ 1234567 | money('USD') }} {{ 0.4286 | percent(1) }} {{ 86400 | duration }} "
        "{{ report.tags | join(', ') }} {{ report.files.items() | list | length }} "
        "{{ report.stages | map(attribute='label') | first }} "
        "{% set parts = namespace(n=0) %}{% for s in report.stages %}"
        "{% set parts.n = parts.n + 1 %}{% endfor %}{{ parts.n }} stages"
    )
    renderer = _renderer(tmp_path, template)
    text = renderer.render("report.md", report=_view(renderer))
    assert "$12,345.67" in text and "42.9%" in text and " stages" in text
    assert Formatter("en_US").filters().keys() <= renderer.env.filters.keys()


def _run(tmp_path: Path, emu: Emulator) -> CliRun:
    return run_cli(["run", "--out", "site"], cwd=tmp_path, env=cli_env(emu.base_url))


@pytest.mark.parametrize("case", ["environ through cycler", "list mutation"])
def test_a_run_keeps_the_previous_pages_and_leaks_nothing(tmp_path: Path, case: str) -> None:
    write_specs(tmp_path, {"a": spec_yaml("a"), "b": spec_yaml("b", cohort="this-year")})
    (tmp_path / "reportrunner.yaml").write_text("templates: templates\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    with Emulator(api_key=CANARY, now=NOW) as emu:
        first = _run(tmp_path, emu)
        assert first.returncode == 0, first.explain()
        before = (tmp_path / "site" / "a" / "report.md").read_bytes()
        # Only report a's Markdown reaches the escape: report b publishes as usual.
        (tmp_path / "templates" / "report.md").write_text(
            "{% if report.title == 'a' %}\n" + ESCAPES[case] + "\n{% endif %}\nplain\n",
            encoding="utf-8",
        )
        run = _run(tmp_path, emu)
    assert run.returncode == 1, run.explain()
    assert not run.traceback, run.explain()
    assert "templates/report.md:2:" in run.stderr and "Python internals" in run.stderr
    manifest = json.loads((tmp_path / "site" / "manifest.json").read_text(encoding="utf-8"))
    statuses = {entry["id"]: entry["status"] for entry in manifest["reports"]}
    assert statuses == {"a": "stale", "b": "ok"}, manifest
    assert (tmp_path / "site" / "a" / "report.md").read_bytes() == before
    assert (tmp_path / "site" / "b" / "report.md").read_text(encoding="utf-8") == "plain\n"
    assert files_containing(tmp_path, [CANARY.encode()]) == []
