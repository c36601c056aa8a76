"""`run` delivers after publishing and `deliver` from a built site: exit statuses, state, canary.

Real parts throughout: the emulator as Close (CLOSE_API_URL), the Slack stand-in, aiosmtpd.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dlvslack import TOKEN_PATH, FakeSlack
from dlvsmtp import SMTP_PASSWORD, Mailbox

from reportrunner.cli import main
from reportrunner.deliver.state import FILE as STATE_FILE
from reportrunner.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
KEY = "deliver-cli-key"
REPORTS = ("q1-cohort-year-over-year.yaml", "new-business.yaml")
DELIVER = """
deliver:
  - to: slack
    webhook_env: SLACK_WEBHOOK_URL
    when: changed
  - to: email
    smtp_env: REPORTRUNNER_SMTP_URL
    from: reports@example.com
    recipients: [vp-sales@example.com]
    reports: [q1-*]
"""


@pytest.fixture(scope="module")
def close() -> Iterator[Emulator]:
    with Emulator(api_key=KEY, now=datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)) as emu:
        yield emu


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "specs").mkdir()
    for name in REPORTS:
        shutil.copy(ROOT / "specs" / name, tmp_path / "specs" / name)
    text = (ROOT / "reportrunner.yaml").read_text(encoding="utf-8")
    (tmp_path / "reportrunner.yaml").write_text(text + DELIVER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _env(close: Emulator, slack: FakeSlack, smtp: Mailbox, **more: str) -> dict[str, str]:
    return {
        "CLOSE_API_KEY": KEY,
        "CLOSE_API_URL": close.base_url,
        "SLACK_WEBHOOK_URL": slack.url,
        "REPORTRUNNER_SMTP_URL": smtp.url(),
        **more,
    }


def _cli(*args: str, env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _explain(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def test_run_delivers_then_changed_stays_quiet_on_the_next_run(
    project: Path, close: Emulator, slack: FakeSlack, smtp: Mailbox
) -> None:
    env = _env(close, slack, smtp)
    first = _cli("run", "--out", "site", env=env)
    assert first.exit_code == 0, _explain(first)
    assert len(slack.received) == 1 and len(smtp.messages) == 1
    assert "delivery Slack ($SLACK_WEBHOOK_URL): sent — 3 report(s)" in first.stdout
    assert (project / "site" / STATE_FILE).is_file()
    assert (
        "q1-cohort-yoy" in str(smtp.messages[0]["Subject"]) or "Q1" in smtp.messages[0]["Subject"]
    )
    second = _cli("run", "--out", "site", env=env)
    assert second.exit_code == 0, _explain(second)
    assert len(slack.received) == 1  # changed: nothing changed, nothing sent
    assert len(smtp.messages) == 2  # always
    assert "headline unchanged since the last message" in second.stdout


def test_exit_4_published_but_delivery_failed_and_retried_next_run(
    project: Path, close: Emulator, slack: FakeSlack, smtp: Mailbox
) -> None:
    env = _env(close, slack, smtp)
    slack.answer(404)
    failed = _cli("run", "--out", "site", "--format", "github", env=env)
    assert failed.exit_code == 4, _explain(failed)
    assert (project / "site" / "index.html").is_file()  # published all the same
    assert "delivery failed: Slack ($SLACK_WEBHOOK_URL): the webhook answered HTTP 404" in (
        failed.stderr
    )
    assert "::error title=Delivery failed::Slack ($SLACK_WEBHOOK_URL)" in failed.stdout
    assert len(smtp.messages) == 1  # the other delivery went out
    again = _cli("run", "--out", "site", env=env)
    assert again.exit_code == 0, _explain(again)
    assert len(slack.received) == 1  # the failed message was tried again


def test_run_with_the_builtin_emulator_announces_nothing(
    project: Path, slack: FakeSlack, smtp: Mailbox
) -> None:
    result = _cli("run", "--emulator", "--out", "site", env={"SLACK_WEBHOOK_URL": slack.url})
    assert result.exit_code == 0, _explain(result)
    assert slack.attempts == 0 and "emulator numbers are never announced" in result.stderr


def test_deliver_dry_run_shows_the_messages_in_the_job_summary(
    project: Path, tmp_path: Path, slack: FakeSlack, smtp: Mailbox
) -> None:
    assert _cli("run", "--emulator", "--out", "site", env={}).exit_code == 0
    summary = tmp_path / "summary.md"
    result = _cli(
        "deliver", "--site", "site", "--dry-run", "--format", "github",
        env={"GITHUB_STEP_SUMMARY": str(summary), "SLACK_WEBHOOK_URL": slack.url},
    )  # fmt: skip
    assert result.exit_code == 0, _explain(result)
    assert slack.attempts == 0 and smtp.messages == []
    files = sorted(p.name for p in (project / "delivery-preview").iterdir())
    assert files == [
        "email-REPORTRUNNER_SMTP_URL-vp-sales_example.com.eml",
        "slack-SLACK_WEBHOOK_URL.slack.json",
    ]
    text = summary.read_text(encoding="utf-8")
    assert "### Deliveries" in text and "#### Slack (\\$SLACK\\_WEBHOOK\\_URL)" in text
    assert "Subject: Reports " in text and "• Opportunities: *" in text
    assert not (project / "site" / STATE_FILE).exists()  # a dry run records nothing


def test_deliver_exit_statuses(project: Path, slack: FakeSlack, smtp: Mailbox) -> None:
    missing = _cli("deliver", "--site", "nowhere", env={})
    assert missing.exit_code == 2, _explain(missing)
    assert "nowhere is not a built site" in missing.stderr
    assert _cli("run", "--emulator", "--out", "site", env={}).exit_code == 0
    env = {"SLACK_WEBHOOK_URL": slack.url, "REPORTRUNNER_SMTP_URL": smtp.url()}
    sent = _cli("deliver", "--site", "site", env=env)
    assert sent.exit_code == 0, _explain(sent)
    assert len(slack.received) == 1 and len(smtp.messages) == 1
    unset = _cli("deliver", "--site", "site", env={"SLACK_WEBHOOK_URL": slack.url})
    assert unset.exit_code == 4, _explain(unset)
    assert "$REPORTRUNNER_SMTP_URL is not set" in unset.stderr


def test_canary_secrets_never_appear_in_any_output(
    project: Path, tmp_path: Path, close: Emulator, slack: FakeSlack, smtp: Mailbox
) -> None:
    summary = tmp_path / "summary.md"
    env = _env(close, slack, smtp, GITHUB_STEP_SUMMARY=str(summary))
    token = TOKEN_PATH.rsplit("/", 1)[1]
    outputs: list[str] = []
    runs = [
        (["--debug", "run", "--out", "site", "--format", "github"], 0),
        (["run", "--out", "site", "--format", "json"], 0),
        (["deliver", "--site", "site", "--format", "github"], 0),
        (["deliver", "--site", "site", "--dry-run", "--format", "github"], 0),
    ]
    for args, status in runs:
        result = _cli(*args, env=env)
        assert result.exit_code == status, _explain(result)
        outputs += [result.stdout, result.stderr]
    slack.answer(403)  # a failure, with --debug: its message passes the masking too
    (project / "site" / STATE_FILE).unlink()  # so that `changed` sends (and fails) again
    attempts = slack.attempts
    env["REPORTRUNNER_SMTP_URL"] = smtp.url(password=SMTP_PASSWORD + "-wrong")
    failed = _cli("--debug", "deliver", "--site", "site", env=env)
    assert failed.exit_code == 4, _explain(failed)
    outputs += [failed.stdout, failed.stderr]
    assert slack.received and smtp.messages and slack.attempts == attempts + 1
    assert "the webhook answered HTTP 403" in failed.stderr
    masks = [line for text in outputs for line in text.splitlines() if "::add-mask::" in line]
    assert f"::add-mask::{slack.url}" in masks and f"::add-mask::{SMTP_PASSWORD}" in masks
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".eml") for p in files) and summary in files
    outputs += [p.read_text(encoding="utf-8", errors="replace") for p in files]
    for text in outputs:
        # ::add-mask:: lines are how GitHub learns the secrets; the runner never shows them.
        visible = "\n".join(line for line in text.splitlines() if "::add-mask::" not in line)
        for secret in (token, SMTP_PASSWORD, slack.url, smtp.url(), TOKEN_PATH):
            assert secret not in visible


def test_a_report_that_failed_this_run_is_not_announced(
    project: Path, close: Emulator, slack: FakeSlack, smtp: Mailbox
) -> None:
    import json

    from reportrunner.emulator import Fault

    env = _env(close, slack, smtp)
    project_file = project / "reportrunner.yaml"
    text = project_file.read_text(encoding="utf-8").replace("when: changed", "when: always")
    project_file.write_text(text, encoding="utf-8")  # every report, every run
    assert _cli("run", "--out", "site", env=env).exit_code == 0
    close.inject(Fault.status(400), path="/report/")  # one report fails: stale next time
    second = _cli("run", "--out", "site", "--format", "json", env=env)
    assert second.exit_code == 1, _explain(second)
    document = json.loads(second.stdout)
    manifest = json.loads((project / "site" / "manifest.json").read_text(encoding="utf-8"))
    stale = [r["id"] for r in manifest["reports"] if r["status"] != "ok"]
    assert stale and len(stale) < len(manifest["reports"]), manifest  # deduplicated requests
    assert document["deliveries"], document
    (slack_sent,) = [d["sent"] for d in document["deliveries"] if d["destination"][0] == "S"]
    assert slack_sent and not set(stale) & set(slack_sent), document["deliveries"]
    assert len(slack.received) == 2
