"""The command line: `reportrunner init | ids | validate | plan | new | schema | run | render |
deliver | serve | emulator`.

The CLI package is the only code that imports click. Each command turns options into a typed
settings object, calls one core function and maps the result (or the exception) to an exit
status; see `reportrunner.errors.ExitStatus`. Heavy imports (requests, jinja2) happen inside the
commands that need them, so `--help` and `validate` start fast.
"""

from __future__ import annotations

import importlib

import click

from reportrunner import __version__

EXIT_STATUS_HELP = """\b
Exit statuses:
  0  success
  1  validation errors, or some reports failed
  2  usage error, or invalid reportrunner.yaml
  3  configuration or access problem (no API key, key rejected, API unreachable)
  4  run, deliver: published, but a Slack or e-mail delivery failed (retried next run)
  130 interrupted (Ctrl-C or SIGTERM); the previous site is left unchanged
"""

# name -> module under reportrunner.cli that defines a click command called `command`.
_COMMANDS: dict[str, str] = {
    "init": "init_cmd",
    "ids": "ids_cmd",
    "validate": "validate_cmd",
    "plan": "plan_cmd",
    "new": "new_cmd",
    "schema": "schema_cmd",
    "run": "run_cmd",
    "render": "render_cmd",
    "deliver": "deliver_cmd",
    "serve": "serve_cmd",
    "emulator": "emulator_cmd",
}


class _LazyGroup(click.Group):
    """Imports a command's module only when that command (or the help listing) needs it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        command: click.Command = importlib.import_module(f"reportrunner.cli.{target}").command
        return command


@click.group(cls=_LazyGroup, epilog=EXIT_STATUS_HELP)
@click.version_option(__version__, prog_name="reportrunner")
@click.option(
    "--debug", is_flag=True, help="Show full tracebacks for errors (never shows the API key)."
)
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Close CRM funnel reports as code.

    Start with the emulator (no key), then your account: init writes reportrunner.yaml and
    specs with its ids, ids lists them, serve previews the site.

    \b
    Examples:
      reportrunner run --emulator      # every spec in specs/ -> site/
      reportrunner serve --emulator --watch
      reportrunner ids --emulator      # the ids a spec can name
      reportrunner init --emulator --dir try-it
      reportrunner validate specs/
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
