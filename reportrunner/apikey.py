"""The Close API key: read from the environment, checked that HTTP can carry it, registered
for redaction before anything could print it.

Apart from client.py (the session and retry loop) so that the CLI can check a key, and the
emulator command its --api-key, without importing requests.
"""

from __future__ import annotations

import os
import secrets
import unicodedata

from reportrunner.errors import ConfigError
from reportrunner.redact import register_secret


def key_and_url_from_env(default_url: str, *, needed_for: str, hint: str) -> tuple[str, str]:
    """The API key from CLOSE_API_KEY and the base URL: CLOSE_API_URL, else `default_url`.

    The key is registered for redaction before anything could print it. Unset, a ConfigError
    names the variable and says what the key is `needed_for`; nothing was sent yet.
    """
    key = os.environ.get("CLOSE_API_KEY", "").strip()
    if not key:
        raise ConfigError(
            f"CLOSE_API_KEY is not set; {needed_for} (no request was made)", hint=hint
        )
    register_secret(key)
    problem = key_problem(key)
    if problem:
        raise ConfigError(
            f"CLOSE_API_KEY cannot be sent in an HTTP header: {problem} (no request was made)",
            hint="copy the key again from Close (Settings → Developer → API Keys); a pasted "
            "key often picks up a '…', a quote or a line break.",
        )
    return key, url_from_env(default_url)


def url_from_env(default_url: str) -> str:
    """The API base URL `run` uses: CLOSE_API_URL, else `default_url` (api.base_url)."""
    return os.environ.get("CLOSE_API_URL", "").strip() or default_url


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
