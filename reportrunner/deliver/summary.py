"""A `DeliveryResult` in words: terminal lines, JSON, and the GitHub job summary with previews.

The preview shows each message as its reader would see it (the e-mail's text part, the Slack
message's texts), in a fenced block longer than any backquote run inside, so no report title
can break out of it into the job summary's Markdown. Nothing here sees a secret: a delivery is
named by its channel and the variable that holds the secret.
"""

from __future__ import annotations

import re
from typing import Any

from reportrunner.deliver import mailmsg, slack
from reportrunner.deliver.batch import Batch
from reportrunner.deliver.entry import DeliveryOutcome, DeliveryResult
from reportrunner.escaping import markdown_escape

_VERB = {"sent": "sent", "written": "written (dry run)", "skipped": "nothing to send"}


def outcome_line(outcome: DeliveryOutcome) -> str:
    if outcome.status == "failed":
        return f"delivery failed: {outcome.label}: {outcome.error}"
    line = f"delivery {outcome.label}: {_VERB[outcome.status]}"
    if outcome.sent:
        line += f" — {len(outcome.sent)} report(s): {', '.join(outcome.sent)}"
    if outcome.skipped:
        reasons = ", ".join(f"{rid} ({why})" for rid, why in outcome.skipped)
        line += f"; skipped {reasons}"
    for path in outcome.files:
        line += f"; wrote {path}"
    return line


def result_json(result: DeliveryResult) -> list[dict[str, Any]]:
    return [
        {
            "destination": outcome.label,
            "status": outcome.status,
            "sent": list(outcome.sent),
            "skipped": [{"id": rid, "reason": why} for rid, why in outcome.skipped],
            "error": outcome.error,
            "files": [str(path) for path in outcome.files],
        }
        for outcome in result.outcomes
    ]


def _fenced(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}\n"


def preview_text(batch: Batch) -> str:
    """What the reader sees, as plain text."""
    if batch.delivery.to == "email":
        return f"Subject: {mailmsg.subject(batch)}\n\n{mailmsg.text_body(batch)}"
    texts = []
    for block in slack.payload(batch)["blocks"]:
        text = block.get("text") or (block.get("elements") or [{}])[0]
        texts.append(str(text.get("text", "")))
    return "\n\n".join(texts)


def markdown(result: DeliveryResult, *, previews: bool) -> str:
    lines = ["### Deliveries", ""]
    if not result.outcomes:
        return "\n".join([*lines, "No delivery is configured.", ""])
    lines += ["| Destination | Status | Reports |", "|---|---|---|"]
    for outcome in result.outcomes:
        status = outcome.error if outcome.status == "failed" else _VERB[outcome.status]
        reports = ", ".join(outcome.sent) or "—"
        lines.append(
            f"| {markdown_escape(outcome.label)} | {markdown_escape(status or '')} "
            f"| {markdown_escape(reports)} |"
        )
    lines.append("")
    if previews:
        for batch in result.batches:
            lines += [
                f"#### {markdown_escape(batch.delivery.label)}",
                "",
                _fenced(preview_text(batch)),
            ]
    return "\n".join(lines) + "\n"
