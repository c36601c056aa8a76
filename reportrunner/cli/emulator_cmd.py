"""`reportrunner emulator`: serve the Close API emulator until Ctrl-C.

The command parses its options into `EmulatorOptions` and calls `serve`, which starts an
`Emulator`, reports the base URL and key through a callback, and blocks until interrupted
(Ctrl-C or SIGTERM end it cleanly, without a traceback, exit status 0).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

import click

from reportrunner.cli._common import FiniteFloat, translate_errors
from reportrunner.errors import UsageError

#: routes.PAGE_MAX and limiters.LIMITERS, repeated so that `--help` does not import the
#: emulator (a test compares).
PAGE_MAX = 100
LIMITERS = (
    "default", "token-bucket", "fixed-window", "sliding-window", "retry-after", "per-group", "org"
)  # fmt: skip


@dataclass(frozen=True)
class EmulatorOptions:
    host: str = "127.0.0.1"
    port: int = 8787
    api_key: str = "emulator-key"
    seed: int = 1
    latency: float = 0.0
    rate_limit: float | None = None
    fail_rate: float = 0.0
    org_seed: int | None = None  # None: the documented organization (the example specs' ids)
    page_size: int = PAGE_MAX  # default and maximum `_limit` of the lists
    limiter: str = "default"  # one of limiters.LIMITERS
    burst: int | None = None  # requests in reserve; default: the rate, rounded (at least 1)
    keys: int = 1  # keys of the organisation: the --api-key value, then it + "-2" … "-N"


#: Most keys `--keys` may ask for (Close's example: a fourth key already adds nothing).
MAX_KEYS = 100


def organisation_keys(api_key: str, count: int) -> list[str]:
    """The keys an emulator started with `--keys count` accepts: `api_key` first, then
    `api_key-2` … `api_key-count` (docs/emulator.md)."""
    return [api_key, *(f"{api_key}-{n}" for n in range(2, count + 1))]


_DEFAULTS = EmulatorOptions()  # the options' defaults, written once
#: Documented ranges (docs/emulator.md): finite, and small enough that a typo cannot make the
#: server sleep for a year or promise a rate no socket could serve.
MAX_LATENCY = 60.0
MAX_RATE_LIMIT = 100_000.0
MAX_SEED = 2**63 - 1


def serve(
    options: EmulatorOptions,
    on_ready: Callable[[str, str], None],
    stop: threading.Event | None = None,
) -> None:
    """Run the emulator until `stop` is set (or KeyboardInterrupt); `on_ready(url, keys)`
    (several keys joined by commas, as CLOSE_API_KEY takes them)."""
    from reportrunner.emulator import Emulator
    from reportrunner.fetch.apikey import key_problem

    problem = key_problem(options.api_key)
    if problem:
        raise UsageError(
            f"--api-key cannot be sent in an HTTP header: {problem}",
            hint="use visible ASCII characters only (no spaces, no ':').",
        )
    try:
        emulator = Emulator(
            api_key=options.api_key,
            seed=options.seed,
            latency=options.latency,
            rate_limit=options.rate_limit,
            fail_rate=options.fail_rate,
            host=options.host,
            port=options.port,
            org_seed=options.org_seed,
            page_size=options.page_size,
            limiter=options.limiter,
            burst=options.burst,
            other_keys=organisation_keys(options.api_key, options.keys)[1:],
        )
    except ValueError as exc:
        raise UsageError(str(exc), hint="see `reportrunner emulator --help`") from exc
    stop = stop or threading.Event()
    try:
        emulator.start()
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}",
            hint="pick another --port (0 chooses a free one) or stop the program using it",
        ) from exc
    try:
        on_ready(emulator.base_url, ",".join(organisation_keys(options.api_key, options.keys)))
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass  # Ctrl-C is the normal way to stop the server
    finally:
        emulator.stop()


@contextmanager
def _sigterm_stops(stop: threading.Event) -> Iterator[None]:
    """While serving, SIGTERM (a service manager, CI) ends the server like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command(name="emulator")
@click.option("--host", default=_DEFAULTS.host, show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=_DEFAULTS.port,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option("--api-key", default=_DEFAULTS.api_key, show_default=True, help="The key to accept.")
@click.option(
    "--seed",
    default=_DEFAULTS.seed,
    show_default=True,
    type=click.IntRange(0, MAX_SEED),
    help="Synthetic data seed (0 to 2**63-1).",
)
@click.option(
    "--latency",
    default=_DEFAULTS.latency,
    show_default=True,
    type=FiniteFloat(0, MAX_LATENCY),
    help=f"Seconds added to every response (0 to {MAX_LATENCY:g}).",
)
@click.option(
    "--rate-limit",
    type=FiniteFloat(0, MAX_RATE_LIMIT, min_open=True),
    default=_DEFAULTS.rate_limit,
    help=f"Requests per second per key before answering 429, above 0 and at most "
    f"{MAX_RATE_LIMIT:g} (default: unlimited).",
)
@click.option(
    "--fail-rate",
    default=_DEFAULTS.fail_rate,
    show_default=True,
    type=FiniteFloat(0, 1),
    help="Share of requests answered with 503 (0..1).",
)
@click.option(
    "--org-seed",
    type=click.IntRange(0, MAX_SEED),
    default=None,
    metavar="N",
    help="Serve another organization (other ids, names, pipelines) generated from N (0 to "
    "2**63-1), as a stand-in for a real account [default: the documented one the example "
    "specs use].",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, PAGE_MAX),
    default=_DEFAULTS.page_size,
    show_default=True,
    metavar="N",
    help=f"Default and maximum `_limit` of the lists (1 to {PAGE_MAX}); `_limit` above it is a "
    "400. A small N makes clients paginate.",
)
@click.option(
    "--limiter",
    type=click.Choice(LIMITERS),
    default=_DEFAULTS.limiter,
    show_default=True,
    help="How --rate-limit is enforced: the emulator's own bucket, a token bucket whose reset "
    "is the next token, a fixed or sliding window, Retry-After only (no RateLimit header), a "
    "limit per endpoint group, or a key limit plus an organisation limit 3x as high "
    "(docs/emulator.md). Needs --rate-limit unless default.",
)
@click.option(
    "--burst",
    type=click.IntRange(1, 100_000),
    default=None,
    metavar="N",
    help="Requests a key may send at once before the rate applies (default: the rate).",
)
@click.option(
    "--keys",
    type=click.IntRange(1, MAX_KEYS),
    default=_DEFAULTS.keys,
    show_default=True,
    metavar="N",
    help="Keys of the one organisation to accept: the --api-key value, then that value "
    "followed by -2 … -N. Each has its own --rate-limit; with --limiter org they also share "
    "one 3x as high.",
)
def command(
    host: str,
    port: int,
    api_key: str,
    seed: int,
    latency: float,
    rate_limit: float | None,
    fail_rate: float,
    org_seed: int | None,
    page_size: int,
    limiter: str,
    burst: int | None,
    keys: int,
) -> None:
    """Serve a local Close API emulator with a synthetic organization until Ctrl-C.

    \b
    Example:
      reportrunner emulator --port 8787 --seed 1
      # in another terminal:
      CLOSE_API_KEY=emulator-key CLOSE_API_URL=http://127.0.0.1:8787/api/v1 reportrunner run
    """
    options = EmulatorOptions(
        host,
        port,
        api_key,
        seed,
        latency,
        rate_limit,
        fail_rate,
        org_seed=org_seed,
        page_size=page_size,
        limiter=limiter,
        burst=burst,
        keys=keys,
    )

    def ready(url: str, key: str) -> None:
        click.echo(f"Close API emulator listening on {url}")
        label = "API keys" if "," in key else "API key"
        click.echo(f"{label}: {key}   (HTTP Basic: the key as user name, empty password)")
        click.echo(f"Try: curl -u {key.split(',')[0]}: {url}/me/")
        click.echo("Press Ctrl-C to stop.")

    stop = threading.Event()
    with translate_errors(), _sigterm_stops(stop):
        serve(options, ready, stop)
    click.echo("Emulator stopped.")
