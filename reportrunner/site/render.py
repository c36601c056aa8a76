"""One Jinja2 Environment for every page: the user's templates first, then the built-in ones.

With a `templates:` folder the Environment is Jinja's immutable sandbox: a user's template runs
in the process that holds the API key, and may use the documented context and filters only.
Without one, only the built-in templates (ours, reviewed like code) run, in a plain Environment
with the same options: the sandbox's check of every attribute access was a third of the time
spent in templates, and a sandbox guards against template code, not against data. HTML templates are
autoescaped; Markdown and CSV are not (they use the `md` and `csv_row`
filters, which are tested). `StrictUndefined` makes a typo in a template an error instead of a
blank cell. Any template failure becomes a `RenderError` naming the template file and line, so
a mistake in a user's override points at the user's file.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reportrunner.errors import RenderError, TemplateSandboxError, UsageError
from reportrunner.kinds.base import PageView
from reportrunner.model import Project
from reportrunner.resources import templates_dir
from reportrunner.site.filters import Formatter
from reportrunner.site.indexview import IndexView
from reportrunner.site.viewmodel import ReportView

#: Output file (inside the report folder) → template, per spec format.
REPORT_OUTPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "html": (("index.html", "report.html"),),
    "md": (("report.md", "report.md"),),
    "csv": (("report.csv", "report.csv"), ("stages.csv", "stages.csv")),
}
#: manifest `files` key of each output file.
FILE_KEYS = {
    "index.html": "html",
    "report.md": "md",
    "report.csv": "csv",
    "stages.csv": "stages_csv",
    "transitions.csv": "transitions_csv",  # status-change reports: every move, one per row
    "data.json": "data",
}
CSV_BOM = "\ufeff"  # lets Excel recognise UTF-8; LibreOffice and Python's utf-8-sig skip it


def user_templates(project: Project) -> Path | None:
    """The project's `templates:` folder, resolved against the project root."""
    if project.templates is None:
        return None
    folder = (
        project.templates if project.templates.is_absolute() else project.root / project.templates
    )
    if not folder.is_dir():
        named_in = str(project.file) if project.file else "reportrunner.yaml"
        raise UsageError(
            f"the templates folder {folder} (`templates:` in {named_in}) does not exist",
            hint="create it, or remove `templates:` to use the built-in templates.",
        )
    return folder


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, its verdict on each attribute remembered.

    Jinja decides from the object's type and the attribute's name alone (`_` names, function
    and frame internals, the mutating methods of lists, dicts, sets), but re-decides on every
    access through `isinstance` checks against ABCs: a tenth of publishing 1,000 reports.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict


class Renderer:
    """Renders report pages and the index with one Environment and one locale."""

    def __init__(self, project: Project) -> None:
        self.formatter = Formatter(project.locale)
        self.folders: list[Path] = []
        custom = user_templates(project)
        if custom is not None:
            self.folders.append(custom)
        self.folders.append(templates_dir())
        loaders = [jinja2.FileSystemLoader(str(folder)) for folder in self.folders]
        # Sandboxed whenever a user folder is in use (any template may then come from it, as
        # an override or through an include): user templates run in the process that holds
        # the API key, so they must not reach Python internals
        # (`cycler.__init__.__globals__.os.environ`) or change data. Autoescape is the same
        # either way: escaping is the Environment's option, not the sandbox's.
        self.sandboxed = custom is not None
        kind = _Sandbox if self.sandboxed else jinja2.Environment
        self.env = kind(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html",), default_for_string=False, default=False
            ),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # A Renderer lives for one build (serve makes a new one per rebuild): templates are
            # compiled once, not checked on disk at every page and include.
            auto_reload=False,
        )
        self.env.filters.update(self.formatter.filters())

    def render(self, name: str, **context: Any) -> str:
        """One template with `context`; failures become RenderError with file and line."""
        try:
            template = self.env.get_template(name)
            return template.render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(
                f"template syntax error: {exc.message}",
                template=exc.filename or exc.name or name,
                line=exc.lineno,
                hint="fix the template; `reportrunner render --from SITE` previews it offline.",
            ) from exc
        except jinja2.TemplateNotFound as exc:
            searched = ", ".join(str(folder) for folder in self.folders)
            raise RenderError(
                f"template {exc.name!r} not found (searched {searched})",
                template=name,
                hint="check the name of the template and of the `templates:` folder.",
            ) from exc
        except SecurityError as exc:
            template_file, line = self._where(exc, name)
            raise TemplateSandboxError(
                f"the template tried to reach Python internals, which templates may not do ({exc})",
                template=template_file,
                line=line,
                hint="use only the context and filters docs/pages.md lists; this report keeps "
                "its previous pages until the template is fixed.",
            ) from exc
        except Exception as exc:  # any error raised while a template runs
            template_file, line = self._where(exc, name)
            raise RenderError(
                f"{type(exc).__name__}: {exc}",
                template=template_file,
                line=line,
                hint="a misspelt variable or filter is the usual cause; see docs/pages.md "
                "for what templates can use.",
            ) from exc

    def _where(self, exc: BaseException, name: str) -> tuple[str, int | None]:
        """The innermost template frame of a runtime error (Jinja maps frames to lines)."""
        roots = [str(folder.resolve()) for folder in self.folders]
        found: tuple[str, int | None] = (name, None)
        for frame in traceback.extract_tb(exc.__traceback__):
            filename = str(Path(frame.filename).resolve()) if frame.filename else ""
            if any(filename.startswith(root) for root in roots):
                found = (frame.filename, frame.lineno)
        return found

    @staticmethod
    def outputs(view: ReportView, formats: list[str]) -> list[tuple[str, str]]:
        """(output file, template) pairs a report gets for its spec's `formats`."""
        pairs = []
        for fmt in formats:
            for output, template in REPORT_OUTPUTS.get(fmt, ()):
                if output == "report.csv" and view.totals_csv is None:
                    continue
                if output == "stages.csv" and view.stages_csv is None:
                    continue
                pairs.append((output, template))
        return pairs

    def report_files(
        self,
        view: ReportView | PageView,
        formats: list[str],
        pairs: list[tuple[str, str]] | None = None,
    ) -> dict[str, str]:
        """The rendered files of one report (folder-relative name → text).

        `pairs` are the (output, template) pairs of the report's kind (default: the funnel's
        for `formats`). `view.files` is filled first so that every page can link to its siblings.
        """
        if pairs is None:
            assert isinstance(view, ReportView)
            pairs = self.outputs(view, formats)
        view.files = {FILE_KEYS[output]: output for output, _ in pairs}
        view.files["data"] = "data.json"
        files: dict[str, str] = {}
        for output, template in pairs:
            text = self.render(template, report=view)
            files[output] = CSV_BOM + text if output.endswith(".csv") else text
        return files

    def index_page(self, view: IndexView) -> str:
        return self.render("index.html", site=view)
