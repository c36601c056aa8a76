"""The publish workflow's ordering rule, as written in .github/ (issue 10, item 13).

Publishes on a branch run one at a time, oldest first, build through deploy: the `queue` job
waits for earlier runs (tests/reliability/test_publish_queue.py tests the waiting itself), every
job that reads or deploys the site runs after it, and no job sits in a `concurrency` group that
a later run could use to cancel a pending publish, except the per-repository deploy group,
which only ever holds runs already past the queue.
"""

from __future__ import annotations

from typing import Any

from wfutil import ROOT, load

REUSABLE = ROOT / ".github/workflows/reports-publish.yml"


def _needs(job: dict[str, Any]) -> set[str]:
    needs = job.get("needs", [])
    return {needs} if isinstance(needs, str) else set(needs)


def test_every_job_runs_after_the_queue() -> None:
    jobs = load(REUSABLE)["jobs"]
    queue = jobs["queue"]
    assert queue["permissions"] == {"actions": "read", "contents": "read"}
    (wait,) = [s for s in queue["steps"] if "queue_cmd" in s.get("run", "")]
    assert wait["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    assert "--max-wait" in wait["run"]
    # The wait must end before the job's own time limit does.
    max_wait = int(wait["run"].split("--max-wait")[1].split()[0])
    assert max_wait < queue["timeout-minutes"] * 60
    assert _needs(jobs["build"]) == {"queue"}
    assert "build" in _needs(jobs["deploy"]) and "build" in _needs(jobs["verdict"])


def test_no_concurrency_group_can_cancel_a_queued_publish() -> None:
    jobs = load(REUSABLE)["jobs"]
    grouped = {name for name, job in jobs.items() if "concurrency" in job}
    assert grouped == {"deploy"}, grouped
    assert jobs["deploy"]["concurrency"]["cancel-in-progress"] is False
    assert "concurrency" not in load(REUSABLE)
    caller = load(ROOT / ".github/workflows/publish.yml")
    assert "concurrency" not in caller and "concurrency" not in caller["jobs"]["publish"]
    assert caller["jobs"]["publish"]["permissions"]["actions"] == "read"
