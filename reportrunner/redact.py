"""Keeping the API key out of every message, log line, file and traceback.

The key is registered once (`register_secret`) when it is read; everything that leaves the
process through the CLI, logs or written files passes through `redact`. URLs lose their
userinfo and Authorization headers are masked, whatever the key.
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading

from reportrunner.escaping import markdown_inline

_lock = threading.Lock()
_secrets: set[str] = set()

_URL_USERINFO = re.compile(r"(?P<scheme>https?://)[^/@\s]+@")
_AUTH_HEADER = re.compile(
    r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(basic|bearer)\s+[A-Za-z0-9+/=._-]+"
)
MASK = "***"


def spellings(secret: str) -> set[str]:
    """How `secret` can be spelt in what we print and write: raw, JSON, HTML, CSV and Markdown
    escaped (report.md and step summaries backslash `_`, which API keys contain)."""
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        html.escape(secret),
        html.escape(secret, quote=False),
        secret.replace('"', '""'),
        markdown_inline(secret),
    }
    return {form for form in forms if len(form) >= 4}


def register_secret(secret: str) -> None:
    """Remember a secret (its spellings and its Basic-auth encoding) so `redact` removes it
    everywhere."""
    if not secret:
        return
    forms = spellings(secret) | {base64.b64encode(f"{secret}:".encode()).decode()}
    with _lock:
        _secrets.update(form for form in forms if len(form) >= 4)


def registered() -> list[str]:
    """Every registered secret form, longest first (what `redact` replaces)."""
    with _lock:
        return sorted(_secrets, key=len, reverse=True)


def redact(text: str) -> str:
    """`text` with every registered secret, URL credential and auth header masked."""
    text = _URL_USERINFO.sub(r"\g<scheme>" + MASK + "@", text)
    text = _AUTH_HEADER.sub(r"\1\2 " + MASK, text)
    for secret in registered():
        text = text.replace(secret, MASK)
    return text
