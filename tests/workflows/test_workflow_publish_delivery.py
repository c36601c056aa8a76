"""The publish workflow delivers with the optional secrets, and its state outlives the runner.

Three scheduled runs, each on a fresh clone and an empty runner, against the emulator (Close),
a loopback Pages site and the Slack stand-in of tests/deliver (given as the SLACK_WEBHOOK_URL
secret): the first finds the webhook revoked (404), so the site is still deployed and the run
fails naming the delivery; the second sends; the third sends nothing, because `when: changed`
reads what was sent from the deployed site's history/deliveries.state.json.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from wfactions import PagesSite
from wfharness import Harness, WorkflowRun
from wfutil import ROOT, git

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deliver"))
from dlvslack import fake_slack

DELIVER = """
deliver:
  - to: slack
    webhook_env: SLACK_WEBHOOK_URL
    when: changed
"""


def _publish(tmp_path: Path, name: str, close_api: Any, pages: PagesSite, hook: str) -> WorkflowRun:
    workspace, temp = tmp_path / name / "workspace", tmp_path / name / "temp"
    temp.mkdir(parents=True)
    git(tmp_path, "clone", "--quiet", "--no-hardlinks", str(ROOT), str(workspace))
    for path in (ROOT / ".github" / "workflows").iterdir():
        (workspace / ".github" / "workflows" / path.name).write_bytes(path.read_bytes())
    project = workspace / "reportrunner.yaml"
    project.write_text(project.read_text(encoding="utf-8") + DELIVER, encoding="utf-8")
    harness = Harness(
        workspace=workspace,
        temp=temp,
        event_name="schedule",
        vars={"REPORTS_PUBLISH_PAGES": "true"},
        secrets={"CLOSE_API_KEY": close_api.api_key, "SLACK_WEBHOOK_URL": hook},
        env={"CLOSE_API_URL": close_api.base_url},
        pages=pages,
    )
    return harness.run(".github/workflows/publish.yml")


def test_a_failed_delivery_still_deploys_and_changed_survives_fresh_runners(
    tmp_path: Path, close_api: Any, pages: PagesSite
) -> None:
    jobs = ("publish/build", "publish/deploy", "publish/verdict")
    with fake_slack() as slack:
        slack.answer(404)
        first = _publish(tmp_path, "revoked", close_api, pages, slack.url)
        log = first.log()
        assert [first.jobs[j].result for j in jobs] == ["success", "success", "failure"], log
        assert first.jobs["publish/build"].outputs["status"] == "4", log
        assert (pages.root / "index.html").is_file(), log
        assert "A delivery failed" in first.jobs["publish/verdict"].summary, log
        assert slack.received == []

        second = _publish(tmp_path, "sent", close_api, pages, slack.url)
        assert [second.jobs[j].result for j in jobs] == ["success"] * 3, second.log()
        assert len(slack.received) == 1, second.log()
        assert (pages.root / "history" / "deliveries.state.json").is_file()

        third = _publish(tmp_path, "unchanged", close_api, pages, slack.url)
        assert [third.jobs[j].result for j in jobs] == ["success"] * 3, third.log()
        assert len(slack.received) == 1, third.log()  # nothing changed: nothing sent
        assert "headline unchanged since the last message" in third.log()
        for run in (first, second, third):
            text = run.log() + "".join(job.summary for job in run.jobs.values())
            # ::add-mask:: is how the runner learns a secret; it never shows those lines.
            shown = [line for line in text.splitlines() if "::add-mask::" not in line]
            assert not [line for line in shown if "xoxcanarysecret42" in line]
