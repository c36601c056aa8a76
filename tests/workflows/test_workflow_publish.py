"""The publish workflow (publish.yml calling reports-publish.yml), executed step by step.

The Close emulator stands in for api.close.com (CLOSE_API_URL, and its key as the
CLOSE_API_KEY secret), and a loopback HTTP server for GitHub Pages. Proven here: the site is
deployed with an index and a job summary; a second run carries the history of the first from
the Pages URL; a failed report keeps its last good data (stale), the others are still deployed
and the run then fails naming it; without REPORTS_PUBLISH_PAGES nothing is deployed and the site
is an artifact; a missing secret stops with a clear message; the key is never printed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from wfactions import PagesSite
from wfharness import Harness, WorkflowRun
from wfutil import ROOT, git

PUBLISH = ".github/workflows/publish.yml"


def _fresh_clone(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """Every GitHub run starts from a new checkout and an empty runner."""
    workspace, temp = tmp_path / name / "workspace", tmp_path / name / "temp"
    temp.mkdir(parents=True)
    git(tmp_path, "clone", "--quiet", "--no-hardlinks", str(ROOT), str(workspace))
    for path in (ROOT / ".github" / "workflows").iterdir():
        (workspace / ".github" / "workflows" / path.name).write_bytes(path.read_bytes())
    return workspace, temp


def _publish(
    tmp_path: Path,
    name: str,
    close_api: Any,
    pages: PagesSite | None,
    *,
    publish_pages: bool = True,
    key: str | None = None,
    event_name: str = "schedule",
    inputs: dict[str, Any] | None = None,
) -> tuple[WorkflowRun, Path]:
    workspace, temp = _fresh_clone(tmp_path, name)
    harness = Harness(
        workspace=workspace,
        temp=temp,
        event_name=event_name,
        inputs=inputs or {},
        vars={"REPORTS_PUBLISH_PAGES": "true"} if publish_pages else {},
        secrets={"CLOSE_API_KEY": close_api.api_key if key is None else key},
        env={"CLOSE_API_URL": close_api.base_url},
        pages=pages,
    )
    return harness.run(PUBLISH), temp


def _manifest(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    return data


def _all_text(run: WorkflowRun) -> str:
    return "\n".join(
        part
        for job in run.jobs.values()
        for part in [job.summary, *(s.stdout + s.stderr + s.note for s in job.steps)]
    )


def _assert_key_never_shown(run: WorkflowRun, site: Path, key: str) -> None:
    assert key not in _all_text(run)
    for path in site.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_publishes_to_pages_and_carries_history(
    tmp_path: Path, close_api: Any, pages: PagesSite
) -> None:
    first, _ = _publish(tmp_path, "first", close_api, pages)
    log = first.log()
    jobs = ("publish/build", "publish/deploy", "publish/verdict")
    assert [first.jobs[j].result for j in jobs] == ["success"] * 3, log
    assert first.jobs["publish"].result == "success", log
    assert (pages.root / "index.html").is_file(), log
    manifest = _manifest(pages.root)
    ids = [r["id"] for r in manifest["reports"]]
    assert ids and all(r["status"] == "ok" for r in manifest["reports"]), f"{manifest}\n{log}"
    build = first.jobs["publish/build"]
    assert build.summary.strip(), f"the run step writes a job summary\n{log}"
    assert "refreshed and published to " + pages.url in first.jobs["publish/verdict"].summary
    assert first.jobs["publish"].outputs["page-url"] == pages.url + "/", first.jobs["publish"]
    _assert_key_never_shown(first, pages.root, close_api.api_key)

    report = ids[0]
    before = json.loads((pages.root / "history" / f"{report}.json").read_text(encoding="utf-8"))
    time.sleep(1.1)  # snapshots are keyed by their fetch time, to the second

    second, _ = _publish(tmp_path, "second", close_api, pages)
    assert second.jobs["publish"].result == "success", second.log()
    after = json.loads((pages.root / "history" / f"{report}.json").read_text(encoding="utf-8"))
    old_times = [s["fetched_at"] for s in before["snapshots"]]
    new_times = [s["fetched_at"] for s in after["snapshots"]]
    history = f"{old_times} -> {new_times}\n{second.log()}"
    assert new_times[: len(old_times)] == old_times, history
    assert len(new_times) == len(old_times) + 1, history


@pytest.mark.slow
def test_failed_report_is_stale_others_deployed_then_the_run_fails(
    tmp_path: Path, close_api: Any, pages: PagesSite
) -> None:
    from reportrunner.emulator import Fault

    first, _ = _publish(tmp_path, "good", close_api, pages)
    assert first.jobs["publish"].result == "success", first.log()

    # One report request is answered 400 (not retried): that report fails this time.
    close_api.inject(Fault.status(400), path="/report/")
    run, _ = _publish(tmp_path, "bad", close_api, pages)
    log = run.log()
    assert run.jobs["publish/build"].result == "success", log
    assert run.jobs["publish/build"].outputs["status"] == "1", log
    assert run.jobs["publish/deploy"].result == "success", "the other reports are still deployed"
    verdict = run.jobs["publish/verdict"]
    assert verdict.result == "failure", log
    assert run.jobs["publish"].result == "failure"

    manifest = _manifest(pages.root)
    failed = [r["id"] for r in manifest["reports"] if r["status"] != "ok"]
    assert len(failed) == 1, manifest
    (stale,) = [r for r in manifest["reports"] if r["id"] == failed[0]]
    assert stale["status"] == "stale" and stale["last_good_at"], stale
    assert (pages.root / failed[0] / "index.html").is_file()
    assert f"`{failed[0]}`" in verdict.summary, verdict.summary
    assert any(failed[0] in a.message for a in verdict.annotations), verdict.annotations
    assert sum(r["status"] == "ok" for r in manifest["reports"]) == len(manifest["reports"]) - 1


def test_without_the_variable_the_site_is_only_an_artifact(
    tmp_path: Path, close_api: Any, pages: PagesSite
) -> None:
    run, temp = _publish(tmp_path, "private", close_api, pages, publish_pages=False)
    log = run.log()
    assert run.jobs["publish/deploy"].result == "skipped", log
    assert run.jobs["publish/build"].step("pages").outcome == "skipped", log
    assert run.jobs["publish"].result == "success", log
    assert not any(pages.root.iterdir()), "nothing may reach Pages"
    artifact = temp / "artifacts" / "reports-site"
    assert (artifact / "index.html").is_file(), log
    assert not (temp / "artifacts" / "github-pages").exists()
    assert "the site is in this run's artifact" in run.jobs["publish/verdict"].summary
    _assert_key_never_shown(run, artifact, close_api.api_key)


def test_dispatch_with_report_ids_refreshes_only_those(
    tmp_path: Path, close_api: Any, pages: PagesSite
) -> None:
    run, temp = _publish(
        tmp_path, "dispatch", close_api, None, publish_pages=False,
        event_name="workflow_dispatch",
        inputs={"reports": "new-business-last-month, webinar-leads-this-quarter"},
    )  # fmt: skip
    assert run.jobs["publish"].result == "success", run.log()
    manifest = _manifest(temp / "artifacts" / "reports-site")
    fresh = {r["id"] for r in manifest["reports"] if r["fetched_at"]}
    assert fresh == {"new-business-last-month", "webinar-leads-this-quarter"}, manifest


def test_missing_secret_stops_before_any_request(
    tmp_path: Path, close_api: Any, pages: PagesSite
) -> None:
    close_api.clear_requests()
    run, _ = _publish(tmp_path, "nokey", close_api, pages, key="")
    build = run.jobs["publish/build"]
    assert build.result == "failure", run.log()
    errors = [a for a in build.annotations if a.level == "error"]
    assert errors and errors[0].properties["title"] == "CLOSE_API_KEY is not set", errors
    assert build.step("run").outcome == "skipped"
    assert run.jobs["publish/deploy"].result == "skipped"
    assert not close_api.requests


@pytest.mark.slow
def test_dispatch_with_report_ids_keeps_the_other_published_reports(
    tmp_path: Path, close_api: Any, pages: PagesSite
) -> None:
    first, _ = _publish(tmp_path, "all", close_api, pages)
    assert first.jobs["publish"].result == "success", first.log()
    before = {r["id"]: r for r in _manifest(pages.root)["reports"]}
    time.sleep(1.1)

    run, _ = _publish(
        tmp_path, "one", close_api, pages, event_name="workflow_dispatch",
        inputs={"reports": "renewals-stages"},
    )  # fmt: skip
    assert run.jobs["publish"].result == "success", run.log()
    after = {r["id"]: r for r in _manifest(pages.root)["reports"]}
    assert set(after) == set(before), "a partial refresh must not unpublish the other reports"
    assert after["renewals-stages"]["fetched_at"] != before["renewals-stages"]["fetched_at"]
    unchanged = set(before) - {"renewals-stages"}
    assert all(after[i]["fetched_at"] == before[i]["fetched_at"] for i in unchanged), after


def test_invalid_spec_on_main_fails_only_its_report(
    tmp_path: Path, close_api: Any, pages: PagesSite
) -> None:
    workspace, temp = _fresh_clone(tmp_path, "invalid")
    broken = workspace / "specs" / "broken.yaml"
    broken.write_text("title: Broken\nrequest:\n  type: created-cohort\n", encoding="utf-8")
    git(workspace, "add", "specs/broken.yaml")
    git(workspace, "commit", "--quiet", "-m", "A broken spec slips into main")
    harness = Harness(
        workspace=workspace, temp=temp, event_name="push",
        vars={"REPORTS_PUBLISH_PAGES": "true"}, secrets={"CLOSE_API_KEY": close_api.api_key},
        env={"CLOSE_API_URL": close_api.base_url}, pages=pages,
    )  # fmt: skip
    run = harness.run(PUBLISH)
    log = run.log()
    build = run.jobs["publish/build"]
    assert build.step("validate").outcome == "failure", log
    assert build.result == "success", "continue-on-error: the fetch still runs"
    assert any(a.properties.get("file") == "specs/broken.yaml" for a in build.annotations), log
    assert run.jobs["publish/deploy"].result == "success", log
    verdict = run.jobs["publish/verdict"]
    assert verdict.result == "failure" and "`broken`" in verdict.summary, verdict.summary
    statuses = {r["id"]: r["status"] for r in _manifest(pages.root)["reports"]}
    assert statuses.pop("broken") == "failed"
    assert set(statuses.values()) == {"ok"}, statuses


def test_called_from_a_specs_only_repository_without_install_says_what_to_do(
    tmp_path: Path, close_api: Any
) -> None:
    workspace, temp = _fresh_clone(tmp_path, "caller")
    git(workspace, "rm", "--quiet", "pyproject.toml")
    git(workspace, "commit", "--quiet", "-m", "A repository that only holds specs")
    harness = Harness(
        workspace=workspace, temp=temp, event_name="schedule",
        secrets={"CLOSE_API_KEY": close_api.api_key}, env={"CLOSE_API_URL": close_api.base_url},
    )  # fmt: skip
    run = harness.run(PUBLISH)
    # The first job checks, before waiting for earlier runs; nothing after it runs.
    queue = run.jobs["publish/queue"]
    assert queue.result == "failure", run.log()
    (error,) = [a for a in queue.annotations if a.level == "error"]
    assert error.properties["title"] == "Nothing to install" and "install" in error.message
    assert queue.step("install").outcome == "skipped"
    assert run.jobs["publish/build"].result == "skipped", run.log()
