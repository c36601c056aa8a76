"""Retries with backoff through an injected sleep: 429 with Retry-After, 500, dropped, final."""

from __future__ import annotations

import socket
from typing import Any

from dlvhelp import Sleeps, run_once
from dlvslack import FakeSlack
from dlvsmtp import Mailbox

SLACK = [{"to": "slack", "webhook_env": "HOOK"}]
REPORTS = ("q1-cohort-yoy",)


def _one(site_data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rid: site_data[rid] for rid in REPORTS}


def test_429_waits_retry_after_then_sends(slack: FakeSlack, site_data: dict[str, Any]) -> None:
    slack.answer(429, **{"Retry-After": "7"})
    sleeps = Sleeps()
    result = run_once(SLACK, _one(site_data), {"HOOK": slack.url}, sleep=sleeps)
    assert result.outcomes[0].status == "sent"
    assert sleeps == [7.0] and slack.attempts == 2 and len(slack.received) == 1


def test_a_huge_retry_after_is_capped(slack: FakeSlack, site_data: dict[str, Any]) -> None:
    slack.answer(429, **{"Retry-After": "86400"})
    sleeps = Sleeps()
    run_once(SLACK, _one(site_data), {"HOOK": slack.url}, sleep=sleeps)
    assert sleeps == [60.0]


def test_500_and_a_dropped_connection_back_off_then_send(
    slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    slack.answer(500)
    slack.drop()
    slack.answer(503)
    sleeps = Sleeps()
    result = run_once(SLACK, _one(site_data), {"HOOK": slack.url}, sleep=sleeps)
    assert result.outcomes[0].status == "sent"
    assert sleeps == [1.0, 2.0, 4.0] and slack.attempts == 4


def test_500_every_time_fails_after_the_attempts(
    slack: FakeSlack, site_data: dict[str, Any]
) -> None:
    for _ in range(4):
        slack.answer(500)
    sleeps = Sleeps()
    result = run_once(SLACK, _one(site_data), {"HOOK": slack.url}, sleep=sleeps)
    outcome = result.outcomes[0]
    assert outcome.status == "failed" and slack.received == []
    assert outcome.error == (
        "the webhook answered HTTP 500 (error) after 4 attempts; it is tried again on the next run"
    )
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_revoked_webhook_is_not_retried(slack: FakeSlack, site_data: dict[str, Any]) -> None:
    slack.answer(410)
    sleeps = Sleeps()
    result = run_once(SLACK, _one(site_data), {"HOOK": slack.url}, sleep=sleeps)
    assert result.outcomes[0].status == "failed" and sleeps == [] and slack.attempts == 1
    assert "create a new one in the Slack app" in str(result.outcomes[0].error)


def test_a_missing_secret_fails_that_delivery_only(
    slack: FakeSlack, smtp: Mailbox, site_data: dict[str, Any]
) -> None:
    mail = {
        "to": "email",
        "smtp_env": "SMTP_URL",
        "from": "r@example.com",
        "recipients": ["a@example.com"],
    }
    result = run_once([*SLACK, mail], _one(site_data), {"SMTP_URL": smtp.url()})
    assert [o.status for o in result.outcomes] == ["failed", "sent"]
    assert result.outcomes[0].error is not None
    assert result.outcomes[0].error.startswith("$HOOK is not set, so nothing was sent to slack")
    assert len(smtp.messages) == 1


def test_an_smtp_server_that_is_down_is_retried(site_data: dict[str, Any]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mail = {
        "to": "email",
        "smtp_env": "SMTP_URL",
        "from": "r@example.com",
        "recipients": ["a@example.com"],
    }
    sleeps = Sleeps()
    result = run_once(
        [mail], _one(site_data), {"SMTP_URL": f"smtp://127.0.0.1:{port}"}, sleep=sleeps
    )
    outcome = result.outcomes[0]
    assert outcome.status == "failed" and sleeps == [1.0, 2.0, 4.0]
    assert outcome.error == (
        f"could not send through the SMTP server 127.0.0.1:{port} (ConnectionRefusedError) "
        "after 4 attempts; it is tried again on the next run"
    )
