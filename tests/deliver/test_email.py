"""E-mail through a real SMTP server (aiosmtpd), parsed back with the `email` package."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from dlvhelp import run_once
from dlvsmtp import SMTP_PASSWORD, Mailbox

from reportrunner.deliver.senders import SmtpServer

MAIL = {
    "to": "email",
    "smtp_env": "SMTP_URL",
    "from": "reports@example.com",
    "recipients": ["vp-sales@example.com", "cro@example.com"],
}


def test_one_multipart_message_with_text_and_inline_html(
    smtp: Mailbox, site_data: dict[str, Any]
) -> None:
    result = run_once([MAIL], site_data, {"SMTP_URL": smtp.url()})
    assert [o.status for o in result.outcomes] == ["sent"], result.outcomes
    assert len(smtp.messages) == 1 and smtp.logins  # logged in with the URL's credentials
    assert smtp.envelopes[0] == ("reports@example.com", MAIL["recipients"])
    mail = smtp.messages[0]
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Subject"].startswith("Reports 2026-12-02: ")
    # The reports' titles, in the batch's order, as many as the subject's length allows.
    first = mail["Subject"].removeprefix("Reports 2026-12-02: ").split(", ")[0]
    assert first in {data["title"] for data in site_data.values()}, mail["Subject"]
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    plain, markup = text.get_content(), html.get_content()
    assert "https://acme.github.io/reports/q1-cohort-yoy/" in plain
    assert "Opportunities:" in plain
    # Inline CSS only: no style sheet, no image, no remote font, nothing fetched on opening.
    assert "<link" not in markup and "<img" not in markup and "<style" not in markup
    assert re.findall(r'\bsrc="', markup) == []
    links = re.findall(r'href="([^"]+)"', markup)
    assert links and all(link.startswith("https://acme.github.io/reports/") for link in links)
    assert 'style="' in markup


def test_threshold_subject_says_alert_and_titles_are_escaped(
    smtp: Mailbox, site_data: dict[str, Any]
) -> None:
    data = copy.deepcopy(site_data["q1-cohort-yoy"])
    data["title"] = "<script>x</script>\r\nBcc: evil@example.com"
    delivery = {**MAIL, "when": "threshold", "threshold": {"metric": "count", "above": 0}}
    run_once([delivery], {"q1-cohort-yoy": data}, {"SMTP_URL": smtp.url()})
    mail = smtp.messages[0]
    assert mail["Subject"].startswith("Alert 2026-12-02: ")
    assert mail["Bcc"] is None and smtp.envelopes[0][1] == MAIL["recipients"]
    html = mail.get_body(("html",))
    assert html is not None
    markup = html.get_content()
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "Threshold met: Opportunities above 0" in markup


def test_wrong_password_is_final_and_names_no_secret(
    smtp: Mailbox, site_data: dict[str, Any]
) -> None:
    wrong = smtp.url(password="not-the-password")
    result = run_once([MAIL], site_data, {"SMTP_URL": wrong})
    outcome = result.outcomes[0]
    assert outcome.status == "failed" and smtp.messages == []
    assert outcome.error is not None and "refused the user name or password" in outcome.error
    assert "not-the-password" not in outcome.error and SMTP_PASSWORD not in outcome.error


def test_dry_run_writes_an_eml_that_parses(tmp_path: Path, site_data: dict[str, Any]) -> None:
    from email import message_from_bytes, policy

    result = run_once([MAIL], site_data, {}, dry_run=tmp_path / "preview")
    (path,) = result.outcomes[0].files
    assert path.name == "email-SMTP_URL-cro_example.com_vp-sales_example.com.eml"
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert mail["To"] == "vp-sales@example.com, cro@example.com"
    assert result.state.sent == {}  # a dry run records nothing


def test_smtp_url_forms() -> None:
    assert SmtpServer.parse("smtps://u%40x:p%3Aw@mail.example.com") == SmtpServer(
        "mail.example.com", 465, True, "u@x", "p:w"
    )
    assert SmtpServer.parse("smtp://localhost:25") == SmtpServer("localhost", 25, False, None, None)
    assert SmtpServer.parse("smtp://mail.example.com").port == 587
