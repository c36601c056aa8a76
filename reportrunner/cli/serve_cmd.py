"""`reportrunner serve [--port N] [--watch] [--emulator]`: preview the site on localhost.

With --watch, a change to specs/, the templates or reportrunner.yaml rebuilds the site, by
`run --emulator` (with --emulator) or by `render` from the site's own data, and every open page
reloads itself. Rebuild errors are printed and the last good site stays served.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import say, translate_errors
from reportrunner.cli.emulator_cmd import _sigterm_stops
from reportrunner.errors import ReportRunnerError, UsageError

#: Seconds between two looks at the sources' mtimes (a look costs a few stat calls).
POLL = 0.5


def _sources(root: Path) -> list[Path]:
    """What a rebuild depends on: specs, reportrunner.yaml, the user's and built-in templates."""
    from reportrunner.resources import templates_dir
    from reportrunner.site.render import user_templates
    from reportrunner.spec.validate import check_project

    paths = [root / "specs", root / "reportrunner.yaml", root / "templates", templates_dir()]
    project, _ = check_project(root)
    try:
        mine = user_templates(project)
    except ReportRunnerError:
        mine = None  # reported by the rebuild itself
    return [*paths, mine] if mine is not None else paths


def _rebuild(folder: Path, emulator: bool) -> None:
    """One rebuild; errors are printed, not raised: the preview keeps serving."""
    try:
        if emulator:
            from reportrunner.cli.run_cmd import RunOptions
            from reportrunner.cli.run_cmd import execute as run

            run(RunOptions(paths=(), out=folder, emulator=True))
        else:
            from reportrunner.cli.render_cmd import RenderOptions
            from reportrunner.cli.render_cmd import execute as render

            render(RenderOptions(source=folder, root=Path.cwd()))
    except ReportRunnerError as exc:
        say(f"error: {exc}", err=True)
        if exc.hint:
            say(f"hint: {exc.hint}", err=True)


def serve(folder: Path, port: int, watch: bool, emulator: bool, stop: threading.Event) -> None:
    from reportrunner.cli._project import valid_project
    from reportrunner.site.preview import PreviewServer, Watcher

    root = Path.cwd()
    valid_project(root, "nothing was served")
    if emulator:
        _rebuild(folder, emulator=True)
    if not (folder / "index.html").is_file():
        raise UsageError(
            f"{folder} holds no site (no index.html)",
            hint="build one first (`reportrunner run --emulator`), or add --emulator.",
        )
    try:
        server = PreviewServer(folder, port)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
            hint="pick another --port (0 chooses a free one) or stop the program using it",
        ) from exc
    # Looked at before serving: a change made once the page is up is always a change.
    watcher = Watcher(_sources(root))
    seen = watcher.snapshot()
    with server:
        click.echo(f"Serving {folder.as_posix()}/ on {server.url} (this computer only)")
        if watch:
            how = "run --emulator" if emulator else "render from the site's data"
            click.echo(f"Watching specs/, templates and reportrunner.yaml; rebuilding by {how}.")
        click.echo("Press Ctrl-C to stop.")
        try:
            while not stop.wait(POLL):
                if not watch:
                    continue
                now = watcher.snapshot()
                if now == seen:
                    continue
                click.echo("change seen; rebuilding")
                _rebuild(folder, emulator)
                watcher = Watcher(_sources(root))  # reportrunner.yaml may name other templates
                seen = watcher.snapshot()
                server.changed()
        except KeyboardInterrupt:
            pass  # Ctrl-C is the normal way to stop


@click.command("serve", epilog=EXIT_STATUS_HELP)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free port). Only this computer can connect.",
)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The site folder to serve (what `run --out` wrote).",
)
@click.option(
    "--watch", is_flag=True, help="Rebuild when specs, templates or reportrunner.yaml change."
)
@click.option(
    "--emulator",
    is_flag=True,
    help="Build by running every spec against the built-in emulator (at start and on each "
    "change) instead of re-rendering the site's own data.",
)
def command(port: int, folder: Path, watch: bool, emulator: bool) -> None:
    """Serve the site on http://127.0.0.1:PORT/; with --watch, rebuild it on every change.

    Open pages reload themselves after a rebuild, so a template author sees each save at
    once. Without --emulator, a rebuild re-renders the pages from the site's data.json
    (`reportrunner render`): no network, no API key.

    \b
    Examples:
      reportrunner serve --emulator --watch          # edit templates/, watch the browser
      reportrunner run && reportrunner serve --port 8080
    """
    stop = threading.Event()
    with translate_errors(), _sigterm_stops(stop):
        serve(folder, port, watch, emulator, stop)
    click.echo("Stopped.")
    sys.exit(0)
