"""The pull-request check previews the Slack and e-mail deliveries, with no secret anywhere.

A pull request that adds `deliver:` to reportrunner.yaml gets the messages in its job summary
(`deliver --dry-run --format github` after the emulator preview) and in the preview artifact.
The runner's environment holds a canary webhook URL and SMTP URL, as a careless set-up could:
the dry run never reads them, so they appear in no log, summary or file.
"""

from __future__ import annotations

from pathlib import Path

from wfharness import Harness
from wfutil import git

CANARY_HOOK = "https://hooks.slack.com/services/T0PRCANARY/B0PRCANARY/prcanarytoken77"
CANARY_SMTP = "smtps://mailer:pr-canary-pass-5521@smtp.example.com:465"
DELIVER = """
deliver:
  - to: slack
    webhook_env: SLACK_WEBHOOK_URL
    reports: [new-business-*]
    when: changed
  - to: email
    smtp_env: REPORTRUNNER_SMTP_URL
    from: reports@example.com
    recipients: [vp-sales@example.com]
"""


def test_pull_request_shows_the_delivery_messages_without_secrets(
    workspace: Path, runner_temp: Path
) -> None:
    base = git(workspace, "rev-parse", "HEAD")
    git(workspace, "checkout", "--quiet", "-b", "deliveries")
    project = workspace / "reportrunner.yaml"
    project.write_text(project.read_text(encoding="utf-8") + DELIVER, encoding="utf-8")
    git(workspace, "commit", "--quiet", "-am", "Deliver to Slack and e-mail")
    head = git(workspace, "rev-parse", "HEAD")
    event = {
        "number": 8,
        "pull_request": {"number": 8, "base": {"sha": base, "ref": "main"},
                         "head": {"sha": head, "ref": "deliveries"}},
    }  # fmt: skip
    harness = Harness(
        workspace=workspace,
        temp=runner_temp,
        event_name="pull_request",
        event=event,
        skip={"tests": "the test suite is what runs this harness; CI runs .ci/run itself"},
        env={"SLACK_WEBHOOK_URL": CANARY_HOOK, "REPORTRUNNER_SMTP_URL": CANARY_SMTP},
    )
    run = harness.run(".github/workflows/pr-check.yml")
    job = run.jobs["validate"]
    log = run.log()
    assert job.result == "success", log
    summary = job.summary
    assert "### Deliveries" in summary, summary
    assert "New business" in summary and "Subject: Reports " in summary, summary
    assert "Opportunities" in summary, summary
    preview = runner_temp / "artifacts" / "report-preview" / "delivery-preview"
    files = sorted(p.name for p in preview.iterdir())
    assert files == [
        "email-REPORTRUNNER_SMTP_URL-vp-sales_example.com.eml",
        "slack-SLACK_WEBHOOK_URL.slack.json",
    ], log
    everything = [log, summary] + [
        p.read_text(encoding="utf-8", errors="replace")
        for p in runner_temp.rglob("*")
        if p.is_file()
    ]
    for text in everything:
        for secret in (CANARY_HOOK, "prcanarytoken77", CANARY_SMTP, "pr-canary-pass-5521"):
            assert secret not in text
