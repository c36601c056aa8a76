"""The one writer of site files: every text goes inside the staging folder, masked, as UTF-8.

Close can echo the API key back in a 200 answer (a user named after it), and a page, CSV or
data.json then carries it. Masking each page would miss the next one, so every file the site
builder writes (data.json, pages, CSVs, manifest, history) is written here, and the writer
masks the secrets it is given and those registered with `redact`, in the forms the formats
spell them (JSON, HTML, CSV and Markdown escapes: `redact.spellings`). Only secrets:
`redact`'s URL-credential rule would also match across CSV cells and JSON strings of ordinary
data. Text that cannot be UTF-8 (lone
surrogates from a file name) is written with backslash escapes instead of failing the site.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reportrunner.redact import MASK, registered, spellings
from reportrunner.staging import inside


class SiteWriter:
    """Writes files under `root` (refusing paths outside it), masking `secrets` in each."""

    def __init__(self, root: Path, secrets: Iterable[str] = ()) -> None:
        self.root = root
        forms: set[str] = set()
        for secret in [*secrets, *registered()]:
            if secret:
                forms |= spellings(secret)
        self._forms = sorted(forms, key=len, reverse=True)  # longest first: no partial masks

    def mask(self, text: str) -> str:
        """`text` with every secret given to the writer, and every registered one, masked."""
        for form in self._forms:
            text = text.replace(form, MASK)
        return text

    def mkdir(self, *parts: str) -> Path:
        folder = inside(self.root, *parts)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def text(self, parts: tuple[str, ...], text: str) -> Path:
        """Write `text` to root/parts…; returns the path written."""
        path = inside(self.root, *parts)
        data = self.mask(text).encode("utf-8", errors="backslashreplace")
        path.write_bytes(data)
        return path

    def json(self, parts: tuple[str, ...], value: Any, indent: int | None = 2) -> Path:
        """`value` as JSON; `indent=None` is one line, by the C encoder (indented JSON is
        encoded in pure Python, 10x slower: the large data and history files use None)."""
        return self.text(parts, json.dumps(value, indent=indent, ensure_ascii=False) + "\n")
