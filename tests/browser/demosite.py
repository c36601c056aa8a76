"""The demo site with every state a reader can meet, built by the real CLI on the emulator.

Three `reportrunner run --emulator` runs over a copy of the repository's specs/ (nothing in the
repository changes): the first two succeed for every report; before the third, the Renewals
pipeline is "retired" (its spec names a pipeline Close no longer has, so Close answers 400 and
the report goes stale with the second run's numbers) and a spec for another retired pipeline is
added (Close rejects it from the start: failed, no data). The specs themselves cover a running
period compared to date, a full-period choice, different lengths, finished periods compared
like for like and a stages-only report. Used by the browser tests and by screenshots.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RENEWALS_PIPELINE = "pipe_Db7hIm3lXSbJROEjrwqX7J"
RETIRED_PIPELINE = "pipe_0Retired0Pipeline0Gone0000"
RETIRED_SPEC = f"""\
title: Lost deals — retired pipeline
description: Deals of a pipeline that was deleted in Close; this report never worked.
tags: [renewals]
endpoints: [totals]
request:
  pipeline: {RETIRED_PIPELINE}
  type: active-stage-cohort
  report_relative_range: last-month
"""


def _run(project: Path, out: Path, expected: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSE_")}
    result = subprocess.run(
        [sys.executable, "-m", "reportrunner", "run", "--emulator", "--out", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    if result.returncode != expected or not (out / "manifest.json").is_file():
        raise RuntimeError(
            f"`reportrunner run --emulator` in {project} exited {result.returncode}, "
            f"expected {expected}:\n{result.stdout}\n{result.stderr}"
        )


def build_demo_site(out: Path) -> Path:
    """Build the demo site into `out` (its parent gets a `demo-project/` folder)."""
    project = out.parent / "demo-project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(ROOT / "specs", project / "specs")
    shutil.copy(ROOT / "reportrunner.yaml", project / "reportrunner.yaml")
    _run(project, out, expected=0)
    # Snapshots are told apart by their whole-second fetch time, and a run takes well under a
    # second: start the second good run (the one that gives every report a trend) in the next.
    time.sleep(1.01 - time.time() % 1)
    _run(project, out, expected=0)
    renewals = project / "specs" / "renewals-stages.yaml"
    text = renewals.read_text(encoding="utf-8")
    assert RENEWALS_PIPELINE in text, "specs/renewals-stages.yaml no longer names Renewals"
    renewals.write_text(text.replace(RENEWALS_PIPELINE, RETIRED_PIPELINE), encoding="utf-8")
    (project / "specs" / "lost-deals.yaml").write_text(RETIRED_SPEC, encoding="utf-8")
    _run(project, out, expected=1)  # exit 1: two reports failed, the others are published
    return out
