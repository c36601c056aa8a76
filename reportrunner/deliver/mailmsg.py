"""A `Batch` as one e-mail: multipart plain text and HTML, inline CSS, no external resources.

The subject names the reports and the day ("Reports 2026-12-02: New business, Renewals"). Every
report title is user text: it is made one plain line (no header injection) and HTML-escaped in
the HTML part. Nothing is loaded from elsewhere (no images, fonts or style sheets), so mail
clients that block remote content show the whole message.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape

from reportrunner.deliver.batch import Batch, Item
from reportrunner.escaping import plain_text

SUBJECT_LIMIT = 180
_COLOURS = {"better": "#1a7f37", "worse": "#b42318"}
_CELL = "padding:4px 12px 4px 0;border-bottom:1px solid #e5e7eb;"


def subject(batch: Batch) -> str:
    lead = "Alert" if batch.alert else "Reports"
    text = f"{lead} {batch.date}: " + ", ".join(batch.titles)
    text = plain_text(text)
    return text if len(text) <= SUBJECT_LIMIT else text[: SUBJECT_LIMIT - 1].rstrip() + "…"


def _text_report(item: Item) -> list[str]:
    digest = item.digest
    lines = [digest.title + (f" ({digest.progress})" if digest.in_progress else "")]
    if digest.coverage:
        lines.append(digest.coverage)
    for line in digest.lines:
        lines.append(f"  {line.label}: {line.text}" + (f" — {line.change}" if line.change else ""))
    if digest.url:
        lines.append(f"  {digest.url}")
    return [*lines, ""]


def text_body(batch: Batch) -> str:
    lines = [f"{batch.site_title} — {batch.date}", ""]
    if batch.alert:
        lines += [batch.alert, ""]
    for item in batch.items:
        lines += _text_report(item)
    if batch.site_url:
        lines.append(f"All reports: {batch.site_url}")
    lines.append("Sent by reportrunner.")
    return "\n".join(lines) + "\n"


def _html_report(item: Item) -> str:
    digest = item.digest
    title = escape(digest.title)
    if digest.url:
        title = f'<a href="{escape(digest.url)}" style="color:#0b57d0;">{title}</a>'
    badge = (
        f' <span style="font-size:13px;color:#6b7280;">({escape(digest.progress)})</span>'
        if digest.in_progress
        else ""
    )
    rows = []
    for line in digest.lines:
        colour = _COLOURS.get(line.judgement, "#374151")
        rows.append(
            f'<tr><td style="{_CELL}">{escape(line.label)}</td>'
            f'<td style="{_CELL}font-weight:bold;">{escape(line.text)}</td>'
            f'<td style="{_CELL}color:{colour};">{escape(line.change)}</td></tr>'
        )
    coverage = (
        f'<p style="margin:0 0 6px;color:#6b7280;font-size:13px;">{escape(digest.coverage)}</p>'
        if digest.coverage
        else ""
    )
    return (
        f'<h2 style="font-size:17px;margin:18px 0 4px;">{title}{badge}</h2>{coverage}'
        f'<table style="border-collapse:collapse;font-size:14px;">{"".join(rows)}</table>'
    )


def html_body(batch: Batch) -> str:
    alert = (
        f'<p style="padding:8px 12px;background:#fff4e5;border-left:4px solid #b54708;'
        f'font-weight:bold;">{escape(batch.alert)}</p>'
        if batch.alert
        else ""
    )
    footer = "Sent by reportrunner."
    if batch.site_url:
        footer = (
            f'<a href="{escape(batch.site_url)}" style="color:#0b57d0;">All reports</a> · ' + footer
        )
    reports = "".join(_html_report(item) for item in batch.items)
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{escape(subject(batch))}</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;color:#111827;max-width:640px;'
        'margin:0 auto;padding:12px;">'
        f'<h1 style="font-size:20px;margin:0 0 8px;">{escape(batch.site_title)} — '
        f"{escape(batch.date)}</h1>{alert}{reports}"
        f'<p style="margin-top:20px;font-size:12px;color:#6b7280;">{footer}</p>'
        "</body></html>\n"
    )


def message(batch: Batch) -> EmailMessage:
    """The whole message, ready for smtplib or for a dry run's .eml file."""
    delivery = batch.delivery
    mail = EmailMessage()
    mail["Subject"] = subject(batch)
    mail["From"] = delivery.sender
    mail["To"] = ", ".join(delivery.recipients)
    mail["Date"] = formatdate(localtime=False)
    domain = delivery.sender.rpartition("@")[2] or "reportrunner.invalid"
    mail["Message-ID"] = make_msgid(domain=domain)
    mail.set_content(text_body(batch))
    mail.add_alternative(html_body(batch), subtype="html")
    return mail
