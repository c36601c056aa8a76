"""`reportrunner render --from DIR [--from DIR …] [--out DIR]`: rebuild a site from its files.

No network and no API key. With one --from, every page is rendered again from `<id>/data.json`
and `history/<id>.json`, with the templates and locale of reportrunner.yaml in the current
folder: this is how template changes are previewed and how a secret-free copy of a site is made.
With several, the outputs of `run --shard K/N` (and at most one earlier site) are merged into
the --out site (reportrunner/site/merge.py).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import say, translate_errors
from reportrunner.errors import ExitStatus, UsageError

#: Every shard (64 at most) and one earlier site.
MAX_SOURCES = 65


@dataclass(frozen=True)
class RenderOptions:
    """`reportrunner render`'s command line, parsed."""

    source: Path
    out: Path | None = None
    root: Path = Path()
    secrets: tuple[str, ...] = ()
    #: Further --from folders: with them, `source` and these are merged (shard outputs).
    more: tuple[Path, ...] = ()


def execute(options: RenderOptions) -> ExitStatus:
    """Re-render or merge; raises ReportRunnerError subclasses for the CLI to translate."""
    from reportrunner.cli._project import valid_project
    from reportrunner.site.build import rerender

    root = options.root.absolute()
    project = valid_project(root, "nothing was rendered")
    # No key is needed here, but one in the environment is still never written to the copy.
    if options.more:
        from reportrunner.site.merge import merge_sites

        if options.out is None:
            raise UsageError(
                "merging several --from folders needs --out",
                hint="for example: reportrunner render --from shard-1 --from shard-2 --out site",
            )
        if len(options.more) + 1 > MAX_SOURCES:
            raise UsageError(f"at most {MAX_SOURCES} --from folders (64 shards and one site)")
        folders = (options.source, *options.more)
        result = merge_sites(folders, options.out, project, secrets=options.secrets)
    else:
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
    "sources",
    required=True,
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A site folder written by `reportrunner run` (it has manifest.json). Repeat it to "
    "merge the outputs of `run --shard K/N` and at most one earlier site.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site [default: the --from folder, replaced in place; needed when "
    "merging].",
)
def command(sources: tuple[Path, ...], out: Path | None) -> None:
    """Re-render a site from its data.json and history files, or merge shard outputs.

    Uses the `templates:` folder and `site.locale` of reportrunner.yaml in the current
    folder, so it previews template changes without fetching anything from Close. Several
    --from folders (every `run --shard K/N` output, plus an earlier site whose last good pages
    and history are kept) are merged into one site at --out.

    \b
    Examples:
      reportrunner render --from site/
      reportrunner render --from site/ --out preview/
      reportrunner run --shard 1/2 --out shard-1/
      reportrunner run --shard 2/2 --out shard-2/
      reportrunner render --from shard-1/ --from shard-2/ --from site/ --out merged/
    """
    with translate_errors():
        key = os.environ.get("CLOSE_API_KEY", "").strip()
        options = RenderOptions(
            source=sources[0], out=out, secrets=(key,) if key else (), more=sources[1:]
        )
        status = execute(options)
    sys.exit(int(status))
