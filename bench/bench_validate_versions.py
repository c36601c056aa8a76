"""Benchmark: this checkout's `reportrunner validate` against another source tree's, same specs.

For a change to the spec stage (issue 11: report kinds, the split of the schema into what a
file says and what a merged draft must have): do 1,000 funnel specs validate as fast as
before? The other tree is any export of the package (`git archive main | tar -x -C DIR`), run
with PYTHONPATH=DIR so that its own code and schemas are used. Whole processes, alternated so
that the machine's load hits both alike; the figure is the CPU time (user + system) of each
validate process, median and minimum, which a busy shared machine moves far less than wall
time.

    git archive main | tar -x -C /tmp/mainsrc
    python bench/bench_validate_versions.py /tmp/mainsrc            # N=1,000, 5 runs each
    python bench/bench_validate_versions.py /tmp/mainsrc --size 2000 --repeat 7
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import generate  # the same generated specs


def _run(work: Path, source: str | None) -> float:
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = source
    command = [sys.executable, "-m", "reportrunner", "validate", "specs", "--format", "json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"validate exited {done.returncode}:\n{done.stdout[-1500:]}{done.stderr}")
    # CPU seconds of the child (user + system): far steadier than wall time on a busy machine.
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", help="a source tree holding reportrunner/ and schema/")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        (work / "specs").mkdir()
        generate(work / "specs", args.size)
        theirs, ours = [], []
        for _ in range(args.repeat):
            theirs.append(_run(work, args.other))
            ours.append(_run(work, None))
    print(f"{'N':>7}  {'runs':>4}  {'figure':>6}  {'other':>8}  {'this':>8}  {'ratio':>6}")
    for name, pick in (("median", statistics.median), ("min", min)):
        other, this = pick(theirs), pick(ours)
        print(
            f"{args.size:>7,}  {args.repeat:>4}  {name:>6}  {other:>7.2f}s  {this:>7.2f}s  "
            f"{this / other:>6.2f}"
        )


if __name__ == "__main__":
    main()
