"""Making user-controlled text safe for Markdown, shared by the pages and the CLI summaries.

Kept apart from filters.py (which needs Babel) so that `validate` and `run` can escape their
GitHub step summaries without importing the page formatting machinery.
"""

from __future__ import annotations

import functools
import re

#: Characters that change text direction or hide characters: dropped from Markdown and CSV so
#: that a name cannot visually reorder a table row or hide a leading "=" from a reader.
BIDI_AND_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Inline Markdown that could format, link or break a table cell, anywhere in the text...
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")  # $: GitHub reads $…$ as math
#: ...and what starts a block (heading, list, quote, rule) when it opens a line.
_MARKDOWN_BLOCK_START = re.compile(r"^(\s*)([#+\-=])(?=[\s#+\-=]|$)")
_MARKDOWN_ORDERED_START = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")


def plain_text(value: object) -> str:
    """A value as one line of visible text: control, bidi and zero-width characters removed."""
    text = "" if value is None else str(value)
    text = BIDI_AND_INVISIBLE.sub("", text)
    text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return CONTROL.sub("", text)


def markdown_inline(text: str) -> str:
    """How `markdown_escape` spells `text` in the middle of a cell (no line-start rules)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_escape(value: object) -> str:
    """Text safe in a GFM table cell (see `_markdown_escape`); each distinct one escaped once."""
    try:
        return _markdown_escape(value)
    except TypeError:  # unhashable: escaped, not remembered
        return _markdown_escape.__wrapped__(value)


@functools.lru_cache(maxsize=65_536, typed=True)
def _markdown_escape(value: object) -> str:
    """Text safe inside a GFM table cell: no HTML, no emphasis or links, no cell break.

    `<`, `>` and `&` become entities (so no tag or entity from the data ever reaches the
    reader's renderer) and Markdown punctuation is backslash-escaped (CommonMark allows a
    backslash before any ASCII punctuation, and GFM tables honour `\\|`).
    """
    text = plain_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _MARKDOWN_BLOCK_START.sub(r"\1\\\2", text, count=1)
    return _MARKDOWN_ORDERED_START.sub(r"\1\\\2", text, count=1)


#: Names in tables and generated comments are cut to this many characters.
MAX_NAME = 40


def one_line(text: str, limit: int = MAX_NAME) -> str:
    """`text` as one printable line of at most `limit` characters."""
    flat = "".join(c if c.isprintable() else " " for c in text)
    flat = " ".join(flat.split()) or "(no name)"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
