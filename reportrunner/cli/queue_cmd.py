"""`python -m reportrunner.cli.queue_cmd`: the publish workflow's "wait for earlier runs" job.

Not a `reportrunner` subcommand: reports-publish.yml runs it first, so that publishes on a
branch run one at a time in the order they were started (`reportrunner.cli._ghqueue`,
docs/github-actions.md). Reads GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID and
GITHUB_TOKEN (never printed); outside GitHub Actions there is nothing to wait for.
Exit 0 when it is this run's turn, 1 when an earlier run outlasted --max-wait.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from reportrunner.cli._common import FiniteFloat, translate_errors

API_TIMEOUT = 30.0
API_MAX_BYTES = 5_000_000


def _api_get(base: str, token: str) -> Any:
    """A GET on the Actions API through the bounded reader; the token is never printed."""
    import json

    from reportrunner.fetch import bounded

    session = bounded.new_session()
    session.headers.update(
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
    )

    def get(path: str) -> Any:
        limits = bounded.Bounds(deadline=API_TIMEOUT, max_bytes=API_MAX_BYTES)
        try:
            response = bounded.send(session, "GET", base.rstrip("/") + path, bounds=limits)
        except Exception as exc:  # every transport failure counts as one failed poll
            raise ValueError(f"{type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code} for {path}")
        return json.loads(response.content.decode("utf-8"))

    return get


@click.command("queue")
@click.option(
    "--max-wait",
    type=FiniteFloat(0, 86_400),
    default=6_000.0,
    show_default=True,
    help="Seconds to wait for earlier runs before this one gives up (0 to 86400).",
)
def command(max_wait: float) -> None:
    """Wait until no earlier run of this workflow on this branch is still going.

    \b
    Example (in a workflow step, with GITHUB_TOKEN: ${{ github.token }}):
      python -m reportrunner.cli.queue_cmd --max-wait 6000
    """
    from reportrunner.cli._ghqueue import EarlierRun, wait_turn
    from reportrunner.cli.output import command_safe, github_annotation
    from reportrunner.redact import register_secret

    names = ("GITHUB_API_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_TOKEN")
    values = {name: os.environ.get(name, "").strip() for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing or not values["GITHUB_RUN_ID"].isdigit():
        click.echo(
            f"Not in a GitHub Actions run ({', '.join(missing) or 'GITHUB_RUN_ID'}); "
            "nothing to wait for."
        )
        return
    register_secret(values["GITHUB_TOKEN"])

    def waiting(runs: list[EarlierRun]) -> None:
        listed = ", ".join(f"{run.id} ({run.status})" for run in runs)
        click.echo(command_safe(f"Waiting for earlier publish run(s) on this branch: {listed}"))
        sys.stdout.flush()

    with translate_errors():
        get = _api_get(values["GITHUB_API_URL"], values["GITHUB_TOKEN"])
        result = wait_turn(
            get,
            values["GITHUB_REPOSITORY"],
            int(values["GITHUB_RUN_ID"]),
            max_wait=max_wait,
            on_wait=waiting,
        )
    for warning in result.warnings:
        click.echo(github_annotation("warning", warning, title="Publish order not checked"))
    click.echo(f"This run's turn after {result.seconds:.0f} s ({result.polls} look(s)).")


if __name__ == "__main__":
    command()
