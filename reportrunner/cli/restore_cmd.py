"""`python -m reportrunner.cli.restore_cmd SOURCE DEST`: the publish workflow's restore step.

Not a `reportrunner` subcommand: it exists for reports-publish.yml, which runs it before
`reportrunner run` (docs/github-actions.md). The logic is `reportrunner.fetch.restore`; this only
prints its warnings as GitHub annotations and always exits 0, since a previous site that
cannot be restored means "start afresh", never a failed publish.
"""

from __future__ import annotations

from pathlib import Path

import click

from reportrunner.cli._common import translate_errors


@click.command("restore")
@click.argument("source")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
def command(source: str, dest: Path) -> None:
    """Copy the checked manifest.json and data.json files of the site at SOURCE into DEST.

    \b
    Example:
      python -m reportrunner.cli.restore_cmd https://acme.github.io/reports/ _site
    """
    from reportrunner.cli.output import command_safe, github_annotation
    from reportrunner.fetch.restore import restore

    with translate_errors():
        result = restore(source, dest)
    for warning in result.warnings:
        message = f"{warning}; that file starts afresh."
        click.echo(github_annotation("warning", message, title="Earlier site not restored"))
    if not result.listed and not result.ids:
        click.echo(command_safe(f"No earlier site at {source}; every report starts afresh."))
    else:
        click.echo(
            command_safe(
                f"Restored the data of {len(result.ids)} of {result.listed} report(s) "
                f"from {source}."
            )
        )


if __name__ == "__main__":
    command()
