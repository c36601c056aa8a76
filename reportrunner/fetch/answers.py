"""How Close's error answers and transport failures become reportrunner exceptions.

Kept apart from client.py (which owns sessions and the retry loop) so that the words users read
live in one place: a 400/404 names Close's `field-errors` text (`RequestRejected`, this report
fails), 401/403 says the key was rejected (`AuthError`, the run stops), a connection that was
never made is `ApiUnreachable`. Every URL loses its credentials and every body excerpt passes
through `redact`, so the key cannot leak through an error.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3.exceptions

from reportrunner.errors import ApiError, ApiUnreachable, AuthError
from reportrunner.errors import RequestRejected as RequestRejected
from reportrunner.redact import redact

_BODY_EXCERPT = 300


def safe_url(url: str) -> str:
    """`url` without user:password (CLOSE_API_URL could carry them) or anything secret."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return redact(urlunsplit((parts.scheme, host, parts.path, parts.query, "")))


def excerpt(response: requests.Response) -> str:
    text = response.text if response.content else ""
    text = " ".join(text.split())
    return redact(text[:_BODY_EXCERPT] + ("…" if len(text) > _BODY_EXCERPT else ""))


def json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def is_unreachable(exc: requests.RequestException) -> bool:
    """True when no connection was made at all (refused, DNS, TLS, connect timeout)."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError)):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason: Any = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(
        reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)
    )


def describe(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.ReadTimeout):
        return "no answer within the timeout"
    if is_unreachable(exc):
        return "could not connect"
    if isinstance(exc, requests.ConnectionError):
        return "the connection was closed without an answer"
    return type(exc).__name__


def auth_error(response: requests.Response, shown: str) -> AuthError:
    """401/403: the key is wrong or lacks access; the whole run stops."""
    status = response.status_code
    word = "rejected the API key" if status == 401 else "refused access with this API key"
    return AuthError(
        f"Close {word} ({status}) at {shown}; no further requests were made",
        url=shown,
        status=status,
        body=excerpt(response),
        hint="check CLOSE_API_KEY: create or copy a key under Settings → Developer → "
        "API Keys in Close, for a user who can see the reports.",
    )


def rejected(method: str, response: requests.Response, shown: str) -> RequestRejected:
    """A 4xx other than 401/403/429: this report fails with Close's own words."""
    payload = json_or_none(response)
    field_errors: dict[str, str] = {}
    errors: list[str] = []
    if isinstance(payload, dict):
        raw_fields = payload.get("field-errors")
        if isinstance(raw_fields, dict):
            field_errors = {
                redact(str(key)): redact(_flatten(value)) for key, value in raw_fields.items()
            }
        raw_errors = payload.get("errors")
        if isinstance(raw_errors, list):
            errors = [redact(_flatten(item)) for item in raw_errors]
        elif isinstance(payload.get("error"), str):
            errors = [redact(payload["error"])]
    body = excerpt(response)
    details = [f"{key}: {value}" for key, value in field_errors.items()] + errors
    text = "; ".join(details) if details else body or "(empty body)"
    what = "not found" if response.status_code == 404 else "rejected the request"
    return RequestRejected(
        f"Close {what} ({response.status_code}) for {method} {shown}: {text}",
        url=shown,
        status=response.status_code,
        body=body,
        field_errors=field_errors,
        errors=errors,
    )


def give_up(method: str, shown: str, problem: str, attempts: int, unreachable: bool) -> ApiError:
    """The error after the last attempt: unreachable (the run stops) or this report's failure."""
    if unreachable:
        return ApiUnreachable(
            f"cannot reach the Close API at {shown}: {problem} ({attempts} attempts)",
            url=shown,
            hint="check the network and CLOSE_API_URL (or api.base_url in "
            "reportrunner.yaml); the default is https://api.close.com/api/v1.",
        )
    return ApiError(
        f"{method} {shown} failed after {attempts} attempts: {problem}",
        url=shown,
        hint="Close may be having trouble; the other reports were fetched, rerun later.",
    )


def _flatten(value: Any) -> str:
    """Close's error values are strings, lists of strings or nested objects: one line."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(_flatten(item) for item in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
