"""The Close API key(s): checked that HTTP can carry them, registered for redaction before
anything could print them. The CLI reads them from the environment (cli/_env.py).

`CLOSE_API_KEY` may hold several keys of one organisation separated by commas and/or
whitespace (spaces, tabs, line breaks): none of these can occur in a key, which is visible
ASCII sent as HTTP Basic's user name (close-api.md §5). Errors name a key by its position
("key 2 of 3"), never by its value.

Apart from client.py (the session and retry loop) so that the CLI can check a key, and the
emulator command its --api-key, without importing requests.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from reportrunner.errors import ConfigError
from reportrunner.redact import register_secret


def split_keys(raw: str, *, source: str = "the API key") -> tuple[str, ...]:
    """The keys in `raw` (commas and/or whitespace between them), each checked and registered
    for redaction. An empty part between two commas, a repeated key or a key HTTP cannot
    carry is a ConfigError naming the key's position, never its value."""
    stripped = raw.strip()
    parts = re.split(r"\s*,\s*|\s+", stripped) if stripped else []
    for part in parts:
        if part:
            register_secret(part)
    total = len(parts)
    if not total:
        raise ConfigError(f"{source} is empty (no request was made)")
    seen: dict[str, int] = {}
    for position, key in enumerate(parts, start=1):
        where = f"{source}: key {position} of {total}" if total > 1 else source
        if not key:
            raise ConfigError(
                f"{where} is empty (two commas in a row, or one at an end); no request was made",
                hint="separate several keys with one comma or whitespace each.",
            )
        if key in seen:
            raise ConfigError(
                f"{source}: key {position} of {total} repeats key {seen[key]}; no request was made",
                hint="list each key once: a key used twice adds nothing to the rate limit.",
            )
        seen[key] = position
        problem = key_problem(key)
        if problem:
            raise ConfigError(
                f"{where} cannot be sent in an HTTP header: {problem} (no request was made)",
                hint="copy the key again from Close (Settings → Developer → API Keys); a "
                "pasted key often picks up a '…', a quote or a line break.",
            )
    return tuple(parts)


def key_problem(key: str) -> str | None:
    """Why `key` cannot be HTTP Basic's user name, or None. The key itself is never quoted.

    Close's keys are visible ASCII; anything else fails inside requests (a non-Latin-1
    character) or changes the header (a line break, or a ':' that ends the user name).
    """
    if not key:
        return "it is empty"
    for position, char in enumerate(key, start=1):
        if "!" <= char <= "~" and char != ":":
            continue
        name = unicodedata.name(char, "a control character") if char != ":" else "COLON"
        return f"character {position} of {len(key)} is U+{ord(char):04X} ({name})"
    return None


def emulator_key() -> str:
    """A fresh key for a built-in emulator, registered for redaction like a real one."""
    key = "emu_" + secrets.token_urlsafe(18)
    register_secret(key)
    return key
