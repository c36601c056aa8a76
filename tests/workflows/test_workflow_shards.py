"""The sharded publish (publish.yml with REPORTS_SHARDS, calling reports-publish.yml), step by step.

The Close emulator stands in for api.close.com and accepts two keys (CLOSE_API_KEY and
CLOSE_API_KEY_2, shard 2's own); a loopback HTTP server stands in for GitHub Pages. Proven: the
setup job builds the matrix, each shard fetches its share with its own key (only the secret's
name is printed), the merge job deploys one site with the same reports and numbers as a one-job
run of the same workflow, a report failed in its shard keeps its last good page (stale) and the
run then fails naming it, a shard whose key is refused stops the deploy, and bad inputs stop
the setup job with a clear annotation.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_workflow_publish import PUBLISH, _assert_key_never_shown, _fresh_clone, _manifest
from wfactions import PagesSite
from wfharness import Harness, WorkflowRun

from reportrunner.emulator import Emulator, Fault

#: Shard 2's own key, accepted by the `two_keys` emulator beside its api_key (never shown).
SECOND_KEY = "wf-canary-second-" + secrets.token_hex(12)


@pytest.fixture
def two_keys() -> Iterator[Emulator]:
    """The emulator with a second key of the same organisation (shard 2's)."""
    with Emulator(
        api_key="wf-canary-" + secrets.token_hex(12), other_keys=[SECOND_KEY], seed=1
    ) as emulator:
        yield emulator


def _publish(
    tmp_path: Path,
    name: str,
    emulator: Emulator,
    pages: PagesSite,
    *,
    shards: str | None = "2",
    inputs: dict[str, Any] | None = None,
    second_key: str | None = None,
) -> WorkflowRun:
    workspace, temp = _fresh_clone(tmp_path, name)
    variables = {"REPORTS_PUBLISH_PAGES": "true"}
    if shards is not None:
        variables["REPORTS_SHARDS"] = shards
    key_2 = SECOND_KEY if second_key is None else second_key
    harness = Harness(
        workspace=workspace, temp=temp, event_name="workflow_dispatch", inputs=inputs or {},
        vars=variables, secrets={"CLOSE_API_KEY": emulator.api_key, "CLOSE_API_KEY_2": key_2},
        env={"CLOSE_API_URL": emulator.base_url}, pages=pages,
    )  # fmt: skip
    return harness.run(PUBLISH)


def _numbers(site: Path) -> dict[str, Any]:
    """Every report's data.json without what differs between two runs (times, durations)."""
    found = {}
    for report_id in _manifest(site)["reports"]:
        data = json.loads((site / report_id["id"] / "data.json").read_text(encoding="utf-8"))
        data.pop("fetched_at")
        data["stats"] = {"requests": data["stats"]["requests"]}
        # A to-date comparison ends at the moment of the run, so its window, and what falls in
        # it, moves between the two runs; every other request is the same in both.
        for answers in (data.get("responses") or {}).values():
            if isinstance(answers, dict):
                answers.pop("compared_to_date", None)
        if isinstance(data.get("windows"), dict):
            data["windows"].pop("compared_to_date", None)
        if data.get("kind") == "activity":
            # The emulator's activities accrue up to the second (a working day is under way
            # between the two runs), so only the requests' shape can match, not the counts.
            data.pop("responses", None)
            data.pop("windows", None)
        found[report_id["id"]] = data
    return found


@pytest.mark.slow
def test_sharded_publish_deploys_the_same_site_as_one_job(
    tmp_path: Path, two_keys: Emulator, pages: PagesSite
) -> None:
    one = _publish(tmp_path, "one", two_keys, pages, shards=None)
    assert one.jobs["publish"].result == "success", one.log()
    assert one.jobs["publish/setup"].result == "skipped", "shards: 1 is the one-job path"
    one_site = tmp_path / "one-site"
    shutil.copytree(pages.root, one_site)
    time.sleep(1.1)  # snapshots are keyed by their fetch time, to the second

    run = _publish(tmp_path, "sharded", two_keys, pages)
    log = run.log()
    assert run.jobs["publish/build"].result == "skipped", log
    assert run.jobs["publish/setup"].outputs["matrix"] == "[1,2]", log
    fetches = [run.jobs[f"publish/fetch ({k})"] for k in (0, 1)]
    assert [f.result for f in fetches] == ["success", "success"], log
    names = [f.step("Check that this shard's key secret is set").stdout for f in fetches]
    assert "Shard 1 fetches with the secret CLOSE_API_KEY." in names[0], names
    assert "Shard 2 fetches with the secret CLOSE_API_KEY_2." in names[1], names
    assert [run.jobs[j].result for j in ("publish/merge", "publish/deploy", "publish/verdict")] == [
        "success"
    ] * 3, log
    assert run.jobs["publish"].outputs["page-url"] == pages.url + "/"

    manifest = _manifest(pages.root)
    assert [r["id"] for r in manifest["reports"]] == [
        r["id"] for r in _manifest(one_site)["reports"]
    ]
    assert all(r["status"] == "ok" for r in manifest["reports"]), manifest
    assert _numbers(pages.root) == _numbers(one_site), "the same numbers as one job"
    for report in manifest["reports"]:  # the one-job run's snapshot and this run's, once each
        history = json.loads((pages.root / "history" / f"{report['id']}.json").read_text())
        times = [s["fetched_at"] for s in history["snapshots"]]
        assert len(times) == len(set(times)) == 2, (report["id"], times)
    for key in (two_keys.api_key, SECOND_KEY):
        _assert_key_never_shown(run, pages.root, key)

    # A report that fails in its shard keeps the deployed page, stale; the run fails naming it.
    time.sleep(1.1)
    two_keys.inject(Fault.status(400), path="/report/")
    bad = _publish(tmp_path, "bad", two_keys, pages)
    assert bad.jobs["publish/deploy"].result == "success", bad.log()
    assert bad.jobs["publish/merge"].outputs["status"] == "1", bad.log()
    statuses = {r["id"]: r["status"] for r in _manifest(pages.root)["reports"]}
    (stale,) = [i for i, s in statuses.items() if s != "ok"]
    assert statuses[stale] == "stale" and (pages.root / stale / "index.html").is_file()
    verdict = bad.jobs["publish/verdict"]
    assert verdict.result == "failure" and f"`{stale}`" in verdict.summary, verdict.summary


def test_a_shard_whose_key_is_refused_stops_the_deploy(
    tmp_path: Path, two_keys: Emulator, pages: PagesSite
) -> None:
    wrong = "wf-wrong-" + secrets.token_hex(8)
    run = _publish(tmp_path, "wrong", two_keys, pages, second_key=wrong)
    log = run.log()
    fetches = {k: run.jobs[f"publish/fetch ({k})"] for k in (0, 1)}
    assert fetches[0].result == "success" and fetches[1].result == "failure", log
    assert fetches[1].step("run").note == "exit status 3", log
    assert run.jobs["publish/merge"].result == "skipped", log
    assert run.jobs["publish/deploy"].result == "skipped", log
    assert not any(pages.root.iterdir()), "nothing may reach Pages"
    assert wrong not in log


@pytest.mark.parametrize(
    ("shards", "inputs", "title"),
    [("17", {}, "Bad shards input"), ("0", {}, "Bad shards input"),
     ("2", {"reports": "renewals-stages"}, "reports and shards cannot be combined")],
)  # fmt: skip
def test_bad_inputs_stop_the_setup_job(
    tmp_path: Path, two_keys: Emulator, pages: PagesSite, shards: str, inputs: dict[str, Any],
    title: str,
) -> None:  # fmt: skip
    run = _publish(tmp_path, "bad-input", two_keys, pages, shards=shards, inputs=inputs)
    setup = run.jobs["publish/setup"]
    assert setup.result == "failure", run.log()
    assert [a.properties["title"] for a in setup.annotations if a.level == "error"] == [title]
    assert run.jobs["publish/fetch"].result == "skipped", run.log()
    assert not two_keys.requests
