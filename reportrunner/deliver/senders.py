"""Sending: a Slack incoming webhook over HTTPS, e-mail over SMTP, both retried with backoff.

A webhook that answers 429 is retried after its `Retry-After` (capped), a 5xx, a dropped
connection or a timeout after 1, 2, 4… seconds; any other answer (400 `invalid_blocks`, 403,
404, 410 `channel_is_archived`) is final: retrying cannot fix it. SMTP errors of class 4xx and
connection failures are retried, 5xx refusals are final. `sleep` is injected so tests never wait.
Errors never quote a URL or an exception's text (either can carry the secret); they say what
happened in our own words, and the secret is registered with redact.py before anything is sent.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from reportrunner.errors import DeliveryFailed as DeliveryFailed
from reportrunner.fetch.ratelimit import parse_retry_after

Sleep = Callable[[float], None]
TIMEOUT = (5.0, 20.0)  # connect, read: a slow webhook must not stall the run
MAX_RETRY_AFTER = 60.0
#: Hosts a password may be sent to without TLS (a relay on the same machine).
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Retry:
    """How hard to try: attempts in all, and the first backoff (doubled after each failure)."""

    attempts: int = 4
    backoff: float = 1.0
    sleep: Sleep = time.sleep


class SlackSender:
    """POSTs payloads to one incoming-webhook URL (one session for the whole delivery)."""

    def __init__(self, url: str, retry: Retry) -> None:
        if urlsplit(url).scheme not in ("https", "http") or not urlsplit(url).hostname:
            raise DeliveryFailed("the webhook URL is not an http(s) URL")
        self._url = url
        self._retry = retry

    def send(self, body: dict[str, Any]) -> None:
        import requests

        from reportrunner.fetch.client import USER_AGENT

        wait = self._retry.backoff
        problem = ""
        with requests.Session() as session:
            session.headers["User-Agent"] = USER_AGENT
            for attempt in range(1, self._retry.attempts + 1):
                pause = wait
                try:
                    answer = session.post(self._url, json=body, timeout=TIMEOUT)
                except requests.Timeout:
                    problem = "the webhook did not answer in time"
                except requests.RequestException as exc:
                    problem = f"could not reach the webhook ({type(exc).__name__})"
                else:
                    if 200 <= answer.status_code < 300:
                        return
                    said = _short(answer.text)
                    problem = f"the webhook answered HTTP {answer.status_code}" + (
                        f" ({said})" if said else ""
                    )
                    if answer.status_code == 429:
                        after = parse_retry_after(answer.headers.get("Retry-After"))
                        pause = min(after if after is not None else wait, MAX_RETRY_AFTER)
                    elif answer.status_code < 500:
                        raise DeliveryFailed(problem, hint=_hint(answer.status_code))
                if attempt < self._retry.attempts:
                    self._retry.sleep(pause)
                    wait *= 2
        raise DeliveryFailed(
            f"{problem} after {self._retry.attempts} attempts",
            hint="it is tried again on the next run",
        )


def _short(text: str) -> str:
    """Slack's error word (`invalid_blocks`); anything long or odd is dropped, not quoted."""
    text = text.strip()
    return text if len(text) <= 80 and text.replace("_", "").isalnum() else ""


def _hint(status: int) -> str:
    if status in (403, 404, 410):
        return (
            "the webhook was revoked or its channel removed: create a new one in the Slack app "
            "and update the secret"
        )
    return (
        "Slack refused the message; run `reportrunner deliver --dry-run` and check docs/delivery.md"
    )


@dataclass(frozen=True)
class SmtpServer:
    """An SMTP URL, parsed: smtp://user:password@host:port (STARTTLS when offered) or smtps://."""

    host: str
    port: int
    implicit_tls: bool
    user: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise DeliveryFailed(
                "the SMTP URL must look like smtp://user:password@host:587 or smtps://…:465",
                hint="see docs/delivery.md for the forms",
            )
        try:
            port = parts.port
        except ValueError:
            raise DeliveryFailed("the SMTP URL has an invalid port") from None
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=port or (465 if implicit else 587),
            implicit_tls=implicit,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    @property
    def secrets(self) -> list[str]:
        return [value for value in (self.password,) if value]


class SmtpSender:
    """Sends one message through one SMTP server."""

    def __init__(self, server: SmtpServer, retry: Retry, *, timeout: float = 20.0) -> None:
        self._server = server
        self._retry = retry
        self._timeout = timeout

    def _send_once(self, mail: EmailMessage) -> None:
        server = self._server
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if server.implicit_tls:
            client = smtplib.SMTP_SSL(
                server.host, server.port, timeout=self._timeout, context=context
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=self._timeout)
        with client:
            client.ehlo()
            secured = server.implicit_tls
            if not secured and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
                secured = True
            if server.user is not None:
                if not secured and server.host not in _LOOPBACK:
                    raise DeliveryFailed(
                        f"the SMTP server {server.host} offers no STARTTLS: the password "
                        "would travel unencrypted, so nothing was sent",
                        hint="use smtps://…:465, or a server that offers STARTTLS",
                    )
                client.login(server.user, server.password or "")
            client.send_message(mail)

    def send(self, mail: EmailMessage) -> None:
        where = f"{self._server.host}:{self._server.port}"
        wait = self._retry.backoff
        problem = ""
        for attempt in range(1, self._retry.attempts + 1):
            try:
                self._send_once(mail)
                return
            except DeliveryFailed:
                raise
            except smtplib.SMTPAuthenticationError as exc:
                raise DeliveryFailed(
                    f"the SMTP server {where} refused the user name or password ({exc.smtp_code})",
                    hint="check the user and password in the SMTP URL secret",
                ) from None
            except smtplib.SMTPResponseException as exc:
                problem = f"the SMTP server {where} answered {exc.smtp_code}"
                if exc.smtp_code >= 500:
                    raise DeliveryFailed(problem, hint="check the sender and recipients") from None
            except smtplib.SMTPRecipientsRefused:
                raise DeliveryFailed(
                    f"the SMTP server {where} refused every recipient",
                    hint="check `recipients:` in the delivery",
                ) from None
            except (smtplib.SMTPException, OSError) as exc:
                problem = f"could not send through the SMTP server {where} ({type(exc).__name__})"
            if attempt < self._retry.attempts:
                self._retry.sleep(wait)
                wait *= 2
        raise DeliveryFailed(
            f"{problem} after {self._retry.attempts} attempts",
            hint="it is tried again on the next run",
        )
