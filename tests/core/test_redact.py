"""Secrets never leave the process: redact() masks keys, Basic credentials and URL userinfo."""

from __future__ import annotations

import base64
import html
import json

from reportrunner.escaping import markdown_escape
from reportrunner.redact import MASK, redact, register_secret


def test_registered_secret_and_its_basic_form_are_masked() -> None:
    key = "api_canary_3fQ9zZ"
    register_secret(key)
    basic = base64.b64encode(f"{key}:".encode()).decode()
    text = f"key={key} header=Basic {basic} again {key}"
    out = redact(text)
    assert key not in out
    assert basic not in out
    assert out.count(MASK) >= 3


def test_url_userinfo_and_authorization_headers_are_masked_without_registration() -> None:
    out = redact(
        "GET https://someone:pw@api.close.com/api/v1/me/ {'Authorization': 'Basic Zm9vOg=='}"
    )
    assert "someone" not in out and "pw@" not in out
    assert "Zm9vOg==" not in out
    assert "https://***@api.close.com/api/v1/me/" in out


def test_empty_secret_is_ignored() -> None:
    register_secret("")
    assert redact("nothing to hide") == "nothing to hide"


def test_a_secret_escaped_for_markdown_json_or_html_is_masked_too() -> None:
    """Step summaries and report.md backslash `_`; JSON and HTML escape quotes and `<&>`."""
    key = 'api_md_"<&>_7hQ2'
    register_secret(key)
    for text in (
        f"| error | {markdown_escape(key)} |",
        '{"name": ' + json.dumps(key) + "}",
        f"<td>{html.escape(key)}</td>",
    ):
        out = redact(text)
        assert "7hQ2" not in out and MASK in out, out
