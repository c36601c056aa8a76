"""`reportrunner render --from DIR [--out DIR]`: rebuild a site's pages from its own files.

No network and no API key: every page is rendered again from `<id>/data.json` and
`history/<id>.json`, with the templates and locale of reportrunner.yaml in the current folder.
This is how template changes are previewed and how a secret-free copy of a site is made.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import say, translate_errors
from reportrunner.errors import ExitStatus


@dataclass(frozen=True)
class RenderOptions:
    """`reportrunner render`'s command line, parsed."""

    source: Path
    out: Path | None = None
    root: Path = Path()
    secrets: tuple[str, ...] = ()


def execute(options: RenderOptions) -> ExitStatus:
    """Re-render the site; raises ReportRunnerError subclasses for the CLI to translate."""
    from reportrunner.cli._project import valid_project
    from reportrunner.site import rerender

    root = options.root.absolute()
    project = valid_project(root, "nothing was rendered")
    # No key is needed here, but one in the environment is still never written to the copy.
    result = rerender(options.source, project, out=options.out, secrets=options.secrets)
    for warning in result.warnings:
        say(f"warning: {warning}", err=True)
    counts = {status: len(result.by_status(status)) for status in ("ok", "stale", "failed")}
    click.echo(
        f"rendered {len(result.reports)} report(s) ({counts['ok']} ok, {counts['stale']} stale, "
        f"{counts['failed']} failed) into {result.out}/ — open {result.out / 'index.html'}"
    )
    return ExitStatus.OK


@click.command("render", epilog=EXIT_STATUS_HELP)
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A site folder written by `reportrunner run` (it has manifest.json).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the re-rendered site [default: the --from folder, replaced in place].",
)
def command(source: Path, out: Path | None) -> None:
    """Re-render a site from its data.json and history files, with no network.

    Uses the `templates:` folder and `site.locale` of reportrunner.yaml in the current
    folder, so it previews template changes without fetching anything from Close.

    \b
    Examples:
      reportrunner render --from site/
      reportrunner render --from site/ --out preview/
    """
    with translate_errors():
        key = os.environ.get("CLOSE_API_KEY", "").strip()
        status = execute(RenderOptions(source=source, out=out, secrets=(key,) if key else ()))
    sys.exit(int(status))
