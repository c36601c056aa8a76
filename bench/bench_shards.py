"""Benchmark `run --shard K/N` + `render --from …` against one run, on one key and on several.

One emulator serves a per-key rate limit (`--rate-limit` requests/s for each key, Close-like
`--latency`; `--limiter org` adds the organisation limit, 3× a key's) and accepts several keys
of one organisation. The same N generated specs are then published three ways, each
`reportrunner` a separate process as in CI and each scenario against a fresh emulator (full
buckets):

- one-shot: `reportrunner run` with key 1;
- K shards on K keys (`--keys`, default 2): `run --shard k/K` with key k, all at the same time,
  then `render --from s1 … --from sK --out merged`;
- 2 shards on 1 key: the same with key 1 in both shards.

It prints each scenario's requests, 429 answers, fetch time (the slowest run's own), merge and
wall time (first start to merged site) and the speed-ups over the one-shot run; the last line
is the wall ratio one-shot / K shards on K keys.

    python bench/bench_shards.py                 # 200 specs, 5 req/s per key, 0.1 s latency
    python bench/bench_shards.py --n 100 --rate-limit 5
    python bench/bench_shards.py --keys 4 --limiter org   # org limit 3x a key's: 4 keys ≈ 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from bench_run import generate_specs

from reportrunner.emulator import Emulator

#: Keys of one organisation the emulator accepts (as many as --keys asks, at least two).
MAX_KEYS = 8
KEYS = tuple(f"bench-key-{index}" for index in range(1, MAX_KEYS + 1))


@dataclass
class Outcome:
    wall: float  # start of the first run to the end of the merge
    fetch: float  # the slowest run's own fetch time (`seconds` of --format json)
    merge: float
    requests: int
    rate_limited: int
    ok: int


def write_project(folder: Path, count: int) -> None:
    """N spec files (bench_run's generator: varied, one in ten sharing another's request)."""
    specs = folder / "specs"
    specs.mkdir(parents=True)
    for spec in generate_specs(count):
        document = {"id": spec.id, "title": spec.title, "timezone": spec.timezone,
                    "request": spec.request}  # fmt: skip
        (specs / f"{spec.id}.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")


def _start(folder: Path, base_url: str, key: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CLOSE_API_KEY": key, "CLOSE_API_URL": base_url}
    command = [sys.executable, "-m", "reportrunner", "run", "specs", "--format", "json", *args]
    return subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def _finish(process: subprocess.Popen[str]) -> dict[str, float]:
    stdout, _ = process.communicate(timeout=3600)
    if process.returncode not in (0, 1):
        raise SystemExit(f"reportrunner run exited {process.returncode}")
    payload: dict[str, float] = json.loads(stdout)
    return payload


def scenario(folder: Path, options: argparse.Namespace, keys: tuple[str, ...]) -> Outcome:
    """One run (one key) or len(keys) shards in parallel, each with its key, then the merge."""
    with Emulator(
        api_key=KEYS[0], other_keys=KEYS[1:], seed=1, latency=options.latency,
        rate_limit=options.rate_limit, limiter=options.limiter,
    ) as emulator:  # fmt: skip
        time.sleep(1.2)  # full buckets, as a fresh Close window would be
        started = time.monotonic()
        merge_seconds = 0.0
        if len(keys) == 1:
            runs = [_finish(_start(folder, emulator.base_url, keys[0], "--out", "one"))]
        else:
            count = len(keys)
            processes = [
                _start(folder, emulator.base_url, key, "--shard", f"{k}/{count}", "--out", f"s{k}")
                for k, key in enumerate(keys, start=1)
            ]
            runs = [_finish(process) for process in processes]
            sources = [arg for k in range(1, count + 1) for arg in ("--from", f"s{k}")]
            merge = [sys.executable, "-m", "reportrunner", "render", *sources, "--out", "merged"]
            merging = time.monotonic()
            subprocess.run(merge, cwd=folder, check=True, stdout=subprocess.DEVNULL, timeout=3600)
            merge_seconds = time.monotonic() - merging
        wall = time.monotonic() - started
    return Outcome(
        wall,
        max(run["seconds"] for run in runs),
        merge_seconds,
        int(sum(run["requests"] for run in runs)),
        int(sum(run["rate_limited"] for run in runs)),
        int(sum(run["ok"] for run in runs)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--rate-limit", type=float, default=5.0)
    parser.add_argument("--limiter", default="default", help="emulator limiter model")
    parser.add_argument("--keys", type=int, default=2, choices=range(2, MAX_KEYS + 1),
                        help="shards (each with its own key) of the sharded scenario")  # fmt: skip
    options = parser.parse_args()
    count = options.keys
    print(
        f"{options.n} specs; emulator: {options.rate_limit:g} req/s per key ({options.limiter}), "
        f"latency {options.latency:g} s; load before: {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as temp:
        folder = Path(temp)
        write_project(folder, options.n)
        rows = {
            "one-shot, 1 key": scenario(folder, options, KEYS[:1]),
            f"{count} shards, {count} keys": scenario(folder, options, KEYS[:count]),
            "2 shards, 1 key": scenario(folder, options, (KEYS[0], KEYS[0])),
        }
    one = rows["one-shot, 1 key"]
    print(
        f"{'scenario':<18} {'ok':>4} {'requests':>8} {'429s':>5} {'fetch s':>8} {'merge s':>8} "
        f"{'wall s':>7} {'fetch x':>8} {'wall x':>7}"
    )
    for name, row in rows.items():
        print(
            f"{name:<18} {row.ok:>4} {row.requests:>8} {row.rate_limited:>5} {row.fetch:>8.2f} "
            f"{row.merge:>8.2f} {row.wall:>7.2f} {one.fetch / row.fetch:>7.2f}x "
            f"{one.wall / row.wall:>6.2f}x"
        )
    print(f"load after: {os.getloadavg()[0]:.2f}")
    sharded, one_key = rows[f"{count} shards, {count} keys"], rows["2 shards, 1 key"]
    print(f"2 shards on one key: {one.wall / one_key.wall:.2f}x the one-shot speed (wall)")
    print(f"fetch ratio one-shot / {count} shards on {count} keys: {one.fetch / sharded.fetch:.2f}")
    print(f"ratio one-shot / {count} shards on {count} keys (wall, merge included): "
          f"{one.wall / sharded.wall:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
