"""A `Batch` as one Slack Block Kit message for an incoming webhook, within Slack's limits.

Limits kept (`LIMITS`; tests/deliver/dlvslack.py checks them on its own), from Slack's Block
Kit reference (docs.slack.dev/reference/block-kit):
50 blocks per message, 3,000 characters per section text, 150 per header text, 10 elements per
context block; top-level `text` (the notification fallback) kept to 3,000 although Slack
truncates only at 40,000; and 12,000 characters of block text in all, because Slack rejects
longer messages with `msg_blocks_too_long` below its documented limits (slackapi/bolt-js#2509).
A run with more reports than fit lists the first ones in full and the rest by title, with a
link to the site. Report titles are user text: `&`, `<` and `>` are escaped as Slack requires,
so a title can never turn into a link or a mention.
"""

from __future__ import annotations

from typing import Any

from reportrunner.deliver.batch import Batch, Item

LIMITS: dict[str, int] = {
    "blocks": 50,
    "section_text": 3000,
    "header_text": 150,
    "context_elements": 10,
    "fallback_text": 3000,
    "total_text": 12000,
}
#: Blocks kept for the header, the alert, the "and N more" section and the footer.
_RESERVED_BLOCKS = 4
_ELLIPSIS = "…"


def escape(text: str) -> str:
    """Text for mrkdwn: the three characters Slack gives control meaning to, escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + _ELLIPSIS


def _link(url: str | None, text: str) -> str:
    # A URL with | or > would end the link early: such a URL is shown as text instead.
    if url and not any(char in url for char in "|<> "):
        return f"<{url}|{text}>"
    return text


def _report_text(item: Item) -> str:
    digest = item.digest
    title = _link(digest.url, escape(digest.title))
    head = f"*{title}*" + (f"  _({escape(digest.progress)})_" if digest.in_progress else "")
    lines = [head]
    if digest.coverage:
        lines.append(escape(digest.coverage))
    for line in digest.lines:
        change = f" — {escape(line.change)}" if line.change else ""
        lines.append(f"• {escape(line.label)}: *{escape(line.text)}*{change}")
    return _cut("\n".join(lines), LIMITS["section_text"])


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def payload(batch: Batch) -> dict[str, Any]:
    """The JSON body POSTed to the webhook."""
    header = _cut(f"{batch.site_title} — {batch.date}", LIMITS["header_text"])
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": False}}
    ]
    if batch.alert:
        blocks.append(_section(_cut(f":warning: *{escape(batch.alert)}*", 3000)))
    used = sum(len(_block_text(block)) for block in blocks)
    room = LIMITS["blocks"] - _RESERVED_BLOCKS
    shown = 0
    for item in batch.items:
        text = _report_text(item)
        if shown >= room or used + len(text) > LIMITS["total_text"] - 1500:
            break
        blocks.append(_section(text))
        used += len(text)
        shown += 1
    rest = batch.items[shown:]
    if rest:
        names = ", ".join(escape(item.digest.title) for item in rest)
        more = f"…and {len(rest)} more report{'s' if len(rest) != 1 else ''}: {names}"
        more = _cut(more, 1000 - 40)
        if batch.site_url:
            more += "\n" + _link(batch.site_url, "See every report on the site")
        blocks.append(_section(more))
    footer = "Sent by reportrunner"
    if batch.site_url:
        footer += " · " + _link(batch.site_url, "all reports")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    fallback = _cut(f"{header}: " + ", ".join(batch.titles), LIMITS["fallback_text"])
    return {"text": fallback, "blocks": blocks, "unfurl_links": False}


def _block_text(block: dict[str, Any]) -> str:
    if block.get("type") == "context":
        return "".join(str(element.get("text", "")) for element in block.get("elements", []))
    text = block.get("text")
    return str(text.get("text", "")) if isinstance(text, dict) else ""
