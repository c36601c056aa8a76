"""Error translation at the edge: core exceptions become one clear message and an exit status."""

from __future__ import annotations

import math
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from reportrunner.cli.output import command_safe
from reportrunner.errors import ExitStatus, ReportRunnerError
from reportrunner.redact import redact


class FiniteFloat(click.FloatRange):
    """A float option that refuses nan and ±inf before the range check (click's FloatRange
    lets nan through every bound, since nan compares false with everything), and always has a
    finite upper bound: `--timeout 1e308` is a usage error (exit 2), not a crash later."""

    name = "finite float"

    def __init__(self, min: float, max: float, *, min_open: bool = False) -> None:
        super().__init__(min, max, min_open=min_open)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)  # a float, before the range check
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


def is_debug(ctx: click.Context | None = None) -> bool:
    ctx = ctx or click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and ctx.obj.get("debug"):
            return True
        ctx = ctx.parent
    return False


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text that may hold words from Close, a spec or a file: masked, and no line of it
    can become a GitHub workflow command."""
    click.echo(command_safe(redact(text)), err=err, nl=nl)


def fail(message: str, status: ExitStatus, hint: str | None = None) -> None:
    """Print `message` (and a hint) to stderr and exit with `status`."""
    # Messages quote paths, ids and Close's words: none may become a workflow command.
    click.echo(command_safe(f"error: {redact(message)}"), err=True)
    if hint:
        click.echo(command_safe(f"hint: {redact(hint)}"), err=True)
    sys.exit(int(status))


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn ReportRunnerError, Ctrl-C and unexpected crashes into messages and exit statuses.

    A traceback is shown only with --debug, and always passes through `redact` first.
    """
    debug = is_debug()
    try:
        yield
    except ReportRunnerError as exc:
        if debug:
            click.echo(command_safe(redact(traceback.format_exc())), err=True)
        fail(str(exc), exc.exit_status, exc.hint)
    except KeyboardInterrupt:
        fail("interrupted; nothing was changed in the output folder.", ExitStatus.INTERRUPTED)
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except Exception as exc:  # the last line of defence: never a bare traceback
        if debug:
            click.echo(command_safe(redact(traceback.format_exc())), err=True)
        fail(
            f"internal error: {type(exc).__name__}: {exc}",
            ExitStatus.FAILED,
            "this is a bug in reportrunner; rerun with --debug and report the output "
            "(the API key is never printed).",
        )
