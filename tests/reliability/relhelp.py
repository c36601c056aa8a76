"""Helpers of the reliability suite: spec folders, CLI runs, a virtual clock, output searches.

Named with a `rel` prefix so it never shadows another test folder's helpers (the suite runs
with `--import-mode=importlib`; conftest.py puts this folder on sys.path). The benchmark
`bench/reliability_figures.py` imports it too, so the figures and the tests share one harness.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportrunner.emulator import Fault
from reportrunner.emulator.org import PIPELINES

ROOT = Path(__file__).resolve().parents[2]
NEW_BUSINESS = PIPELINES[0].id
TOTALS_PATH = "/report/funnel/opportunity/totals/"
STAGES_PATH = "/report/funnel/opportunity/stages/"
#: A key that must never be seen anywhere: long and distinctive, so a hit cannot be chance.
CANARY = "canary_k3y_Zx9QwErTyU1oP4aSdF7gHjK2lMn8bVc"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "internal error")


def spec_yaml(
    report_id: str,
    *,
    title: str | None = None,
    endpoints: Sequence[str] = ("totals", "stages"),
    cohort: str = "this-month",
    extra: str = "",
) -> str:
    """A valid report spec; `cohort` varies the request so reports do not share requests."""
    listed = ", ".join(endpoints)
    return (
        f"id: {report_id}\n"
        f"title: {title or report_id}\n"
        f"endpoints: [{listed}]\n"
        "request:\n"
        f"  pipeline: {NEW_BUSINESS}\n"
        "  type: created-cohort\n"
        f"  cohort_relative_range: {cohort}\n"
        f"{extra}"
    )


def write_specs(folder: Path, specs: Mapping[str, str]) -> Path:
    """Write `{file name stem: yaml text}` into folder/specs and return that folder."""
    specs_dir = folder / "specs"
    specs_dir.mkdir(parents=True, exist_ok=True)
    for stem, text in specs.items():
        (specs_dir / f"{stem}.yaml").write_text(text, encoding="utf-8")
    return specs_dir


def cli_env(base_url: str, key: str = CANARY, **extra: str) -> dict[str, str]:
    """The environment of a `reportrunner run` subprocess against an emulator."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOSE_", "GITHUB_"))}
    env.update(CLOSE_API_KEY=key, CLOSE_API_URL=base_url, PYTHONUNBUFFERED="1", **extra)
    return env


@dataclass
class CliRun:
    """What a finished `reportrunner` subprocess printed, and how long it took."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def explain(self) -> str:
        return (
            f"$ reportrunner {' '.join(self.args)}\nexit {self.returncode} "
            f"after {self.seconds:.1f} s\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )

    @property
    def traceback(self) -> bool:
        text = self.stdout + self.stderr
        return any(marker in text for marker in TRACEBACK_MARKERS)


def run_cli(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 60.0
) -> CliRun:
    """Run `python -m reportrunner ARGS` in a real subprocess (own signals, own globals)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "reportrunner", *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliRun(list(args), done.returncode, done.stdout, done.stderr, time.monotonic() - started)


class VirtualTime:
    """A clock/sleep pair for `run_reports`: waiting advances the clock instead of the wall.

    Backoff and rate-limit pauses then cost no real time, while every HTTP exchange (and every
    slow answer beyond `--timeout`) stays real. `slept` sums what the run asked to wait, which is
    what a real run would have spent waiting.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = 0.0
        self.slept = 0.0
        self.sleeps = 0

    def clock(self) -> float:
        with self._lock:
            return self._now + time.monotonic()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)
            self.slept += max(0.0, seconds)
            self.sleeps += 1
        time.sleep(0.0005)  # let the thread whose answer we wait for run


#: Every fault kind the emulator can script, by the name used in tests and figures.
FAULT_KINDS: dict[str, Fault] = {
    "429 RateLimit with ','": Fault.rate_limit("comma", reset=0.2),
    "429 RateLimit with ';'": Fault.rate_limit("semicolon", reset=0.2),
    "429 RateLimit-Reset headers": Fault.rate_limit("separate", reset=0.2),
    "429 Retry-After only": Fault.rate_limit("retry-after", reset=0.2),
    "429 legacy JSON body, nested": Fault.rate_limit("legacy-nested", reset=0.2),
    "429 legacy JSON body, flat": Fault.rate_limit("legacy-flat", reset=0.2),
    "503 Service Unavailable": Fault.status(503),
    "500 Internal Server Error": Fault.status(500),
    "502 HTML page": Fault.html(502),
    "truncated JSON on a 200": Fault.truncated_json(),
    "dropped connection": Fault.drop(),
    "slower than --timeout": Fault.delay(1.5),
}
#: The kinds that count as a failed attempt (a 429 is a wait, not a failure).
FAILING_KINDS = tuple(name for name in FAULT_KINDS if not name.startswith("429"))
#: The --timeout used with the "slower than --timeout" fault (its delay is 1.5 s).
SHORT_TIMEOUT = 0.5


def files_containing(folder: Path, needles: Sequence[bytes]) -> list[str]:
    """Every file under `folder` (any depth, hidden ones too) whose bytes contain a needle."""
    hits: list[str] = []
    if not folder.exists():
        return hits
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(needle in data for needle in needles):
                hits.append(str(path))
    return hits


def tree_snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, with its bytes (for "unchanged" checks)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def siblings(folder: Path) -> list[str]:
    """Names beside `folder` that belong to it (staging leftovers, moved-aside sites)."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))
