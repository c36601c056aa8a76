"""`run --shard K/N` then `render --from … --out SITE`, over real HTTP against the emulator.

The project is this repository's own specs/ and reportrunner.yaml (8 reports, two of which share
their base requests through a matrix). Proven: the merged site has the same reports and the same
numbers as a one-shot run; a report that failed in its shard keeps the earlier site's last good
page (stale); histories are merged with every snapshot once and the cap applied; an id in two
shard outputs, a missing or repeated shard, a forged mark or a folder that is not a site is
refused with exit 2 and nothing written; the --from folders are never changed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reportrunner.cli import main
from reportrunner.emulator import Emulator, Fault
from reportrunner.site.history import MAX_SNAPSHOTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Path:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    shutil.copy(ROOT / "reportrunner.yaml", tmp_path / "reportrunner.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLOSE_API_KEY", emulator.api_key)
    monkeypatch.setenv("CLOSE_API_URL", emulator.base_url)
    return tmp_path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def explain(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def run_shards(count: int, *extra: str) -> list[str]:
    folders = []
    for index in range(1, count + 1):
        folder = f"shard-{index}"
        result = cli("run", "--shard", f"{index}/{count}", "--out", folder, *extra)
        assert result.exit_code in (0, 1), explain(result)
        assert f"shard {index}/{count}: " in result.stderr, "each shard names its share"
        folders.append(folder)
    return folders


def merge(*folders: str, out: str = "merged") -> Result:
    return cli("render", *[arg for f in folders for arg in ("--from", f)], "--out", out)


def manifest(site: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in data["reports"]}


def numbers(site: Path, report_id: str) -> dict[str, Any]:
    """A report's data.json without what differs between two runs (fetch times, durations)."""
    data = json.loads((site / report_id / "data.json").read_text(encoding="utf-8"))
    data.pop("fetched_at")
    stats = data.pop("stats")
    data["requests"] = stats["requests"]
    return data


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("count", [2, 3])
def test_merged_shards_publish_the_same_site_as_one_run(project: Path, count: int) -> None:
    # A running period is compared to date in whole minutes of the real clock: runs that
    # straddle a minute differ in that span, so such an attempt is made again (once suffices).
    for _attempt in range(2):
        minute = int(time.time() // 60)
        for folder in ["one", *[f"shard-{i}" for i in range(1, count + 1)]]:
            shutil.rmtree(project / folder, ignore_errors=True)
        one = cli("run", "--out", "one")
        assert one.exit_code == 0, explain(one)
        shards = run_shards(count)
        if int(time.time() // 60) == minute:
            break
    shares = [set(manifest(project / s)) for s in shards]
    assert all(shares) and sum(map(len, shares)) == len(set().union(*shares))
    before = {s: tree_digest(project / s) for s in shards}

    merged = merge(*shards)
    assert merged.exit_code == 0, explain(merged)
    expected, got = manifest(project / "one"), manifest(project / "merged")
    assert list(got) == list(expected), "same reports, in the same order"
    assert {i: e["status"] for i, e in got.items()} == dict.fromkeys(expected, "ok")
    for report_id in expected:
        assert numbers(project / "merged", report_id) == numbers(project / "one", report_id)
        snapshots = json.loads((project / "merged/history" / f"{report_id}.json").read_text())
        assert len(snapshots["snapshots"]) == 1, report_id
    index = (project / "merged/index.html").read_text(encoding="utf-8")
    assert all(f'href="{i}/' in index for i in expected), "the index lists every report"
    assert "shard" not in json.loads((project / "merged/manifest.json").read_text())
    assert before == {s: tree_digest(project / s) for s in shards}, "sources unchanged"


def test_a_report_failed_in_its_shard_keeps_the_earlier_page(
    project: Path, emulator: Emulator
) -> None:
    assert cli("run", "--out", "previous").exit_code == 0
    earlier = manifest(project / "previous")
    # Snapshots are told apart by their fetch time, to the second: the next run must not
    # fetch within the same second as this one.
    time.sleep(1.05 - time.time() % 1)
    emulator.inject(Fault.status(400), path="/report/")  # one report request fails, once
    shards = run_shards(2, "--history-from", "previous")
    failed = [i for s in shards for i, e in manifest(project / s).items() if e["status"] != "ok"]
    assert len(failed) == 1, failed

    merged = merge(*shards, "previous")
    assert merged.exit_code == 0, explain(merged)
    assert f"{failed[0]}: failed in shard" in merged.stderr
    got = manifest(project / "merged")
    assert got[failed[0]]["status"] == "stale", got[failed[0]]
    assert got[failed[0]]["last_good_at"] == earlier[failed[0]]["last_good_at"]
    assert (project / "merged" / failed[0] / "index.html").is_file()
    assert "1 stale" in merged.stdout
    others = [i for i in got if i != failed[0]]
    assert all(got[i]["status"] == "ok" for i in others)
    # The others have the earlier snapshot and this run's, each once.
    for report_id in others:
        history = json.loads((project / "merged/history" / f"{report_id}.json").read_text())
        times = [s["fetched_at"] for s in history["snapshots"]]
        assert len(times) == len(set(times)) == 2, (report_id, times)


def test_histories_merge_with_the_cap(project: Path) -> None:
    assert cli("run", "--out", "previous").exit_code == 0
    report_id = next(iter(manifest(project / "previous")))
    path = project / "previous/history" / f"{report_id}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    (snapshot,) = document["snapshots"]
    old = []
    for day in range(MAX_SNAPSHOTS + 20):  # more than the cap, all in the past
        stamp = (date(2021, 1, 1) + timedelta(days=day)).isoformat() + "T06:00:00Z"
        old.append({**snapshot, "fetched_at": stamp})
    document["snapshots"] = [*old, snapshot]
    path.write_text(json.dumps(document), encoding="utf-8")

    shards = run_shards(2)
    merged = merge(*shards, "previous")
    assert merged.exit_code == 0, explain(merged)
    history = json.loads((project / "merged/history" / f"{report_id}.json").read_text())
    times = [s["fetched_at"] for s in history["snapshots"]]
    assert len(times) == MAX_SNAPSHOTS == len(set(times))
    assert times == sorted(times)
    fresh = manifest(project / "merged")[report_id]["fetched_at"]
    assert times[-1] == fresh and snapshot["fetched_at"] in times


def test_an_id_in_two_shard_outputs_is_refused(project: Path) -> None:
    shards = run_shards(2)
    taken = next(iter(manifest(project / shards[0])))
    # The second shard's output claims a report of the first (both its mark and its reports).
    path = project / shards[1] / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["shard"]["ids"].append(taken)
    document["reports"].append({**manifest(project / shards[0])[taken]})
    path.write_text(json.dumps(document), encoding="utf-8")
    shutil.copytree(project / shards[0] / taken, project / shards[1] / taken)

    result = merge(*shards)
    assert result.exit_code == 2, explain(result)
    assert f"report id '{taken}' is in two shard outputs: " in result.stderr
    assert "shard-1" in result.stderr and "shard-2" in result.stderr
    assert not (project / "merged").exists()


def test_missing_repeated_and_foreign_shards_are_refused(project: Path) -> None:
    shards = run_shards(3)
    assert "2/3 missing" in merge(shards[0], shards[2]).stderr
    assert "shard 1/3 is given twice" in merge(shards[0], shards[0], *shards[1:]).stderr
    assert cli("run", "--shard", "1/2", "--out", "other-1").exit_code == 0
    result = merge("other-1", *shards[1:])
    assert result.exit_code == 2 and "another N" in result.stderr, explain(result)
    # A shard that lists a report outside its share (its mark says otherwise).
    path = project / shards[0] / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["shard"]["ids"] = document["shard"]["ids"][1:]
    path.write_text(json.dumps(document), encoding="utf-8")
    result = merge(*shards)
    assert result.exit_code == 2 and "outside its share" in result.stderr, explain(result)
    assert not (project / "merged").exists()


@pytest.mark.parametrize(
    "mark",
    [[1, 2], {"index": 0, "count": 2, "partition": "x", "ids": []},
     {"index": 1, "count": 2, "partition": "x" * 500, "ids": []},
     {"index": True, "count": 2, "partition": "x", "ids": []},
     {"index": 1, "count": 2, "partition": "x", "ids": [1]}],
)  # fmt: skip
def test_a_forged_shard_mark_is_refused(project: Path, mark: object) -> None:
    shards = run_shards(2)
    path = project / shards[0] / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["shard"] = mark
    path.write_text(json.dumps(document), encoding="utf-8")
    result = merge(*shards)
    assert result.exit_code == 2, explain(result)
    assert "has a `shard` entry that `run --shard` did not write" in result.stderr


def test_folders_that_are_not_sites_are_refused(project: Path) -> None:
    shards = run_shards(2)
    (project / "junk").mkdir()
    (project / "junk/notes.txt").write_text("mine", encoding="utf-8")
    result = merge(*shards, "junk")
    assert result.exit_code == 2 and "--from " in result.stderr, explain(result)
    assert "not a site reportrunner built" in result.stderr
    assert (project / "junk/notes.txt").read_text() == "mine"
    result = merge(*shards, out="junk")
    assert result.exit_code == 2, explain(result)
    assert (project / "junk/notes.txt").read_text() == "mine", "never deleted"
    result = merge(*shards, out=shards[0])
    assert result.exit_code == 2 and "is one of the shard outputs" in result.stderr
    assert cli("run", "--out", "a").exit_code == 0 and cli("run", "--out", "b").exit_code == 0
    result = merge(*shards, "a", "b")
    assert result.exit_code == 2 and "more than one --from folder" in result.stderr
    result = merge("a", "b")
    assert result.exit_code == 2 and "no --from folder is a shard output" in result.stderr
    result = cli("render", "--from", shards[0], "--from", shards[1])
    assert result.exit_code == 2 and "needs --out" in result.stderr


def test_run_shard_usage_errors(project: Path, emulator: Emulator) -> None:
    for value in ("0/2", "3/2", "two", "1/65"):
        result = cli("run", "--shard", value, "--out", "s")
        assert result.exit_code == 2, explain(result)
        assert "--shard" in result.stderr and "Traceback" not in result.output
    result = cli("run", "--shard", "1/2", "--only", "new-business-last-month", "--out", "s")
    assert result.exit_code == 2 and "cannot be combined" in result.stderr, explain(result)
    assert not emulator.requests, "nothing fetched"


def test_without_a_project_file_the_merged_site_keeps_the_shards_title(project: Path) -> None:
    shards = run_shards(2)
    (project / "reportrunner.yaml").unlink()
    merged = merge(*shards)
    assert merged.exit_code == 0, explain(merged)
    document = json.loads((project / "merged/manifest.json").read_text(encoding="utf-8"))
    assert document["site"]["title"] == "Acme Robotics revenue reports", document["site"]
    assert "Acme Robotics revenue reports" in (project / "merged/index.html").read_text()


def test_shard_histories_are_checked_like_an_earlier_sites(project: Path) -> None:
    shards = run_shards(2)
    report_id = next(iter(manifest(project / shards[0])))
    path = project / shards[0] / "history" / f"{report_id}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    (good,) = document["snapshots"]
    hostile = {**good, "fetched_at": "2024-01-01T00:00:00Z",
               "headline": {**good["headline"], "count": 1e25}}  # fmt: skip
    document["snapshots"] = [hostile, good]
    path.write_text(json.dumps(document), encoding="utf-8")
    (project / shards[1] / "history" / "x.json").write_text("not json", encoding="utf-8")

    merged = merge(*shards)
    assert merged.exit_code == 0, explain(merged)
    assert str(path) in merged.stderr, "the warning names the file"
    history = json.loads((project / "merged/history" / f"{report_id}.json").read_text())
    assert [s["fetched_at"] for s in history["snapshots"]] == [good["fetched_at"]]
    assert manifest(project / "merged")[report_id]["status"] == "ok"
    assert not (project / "merged/history/x.json").exists(), "only the shards' own reports"
