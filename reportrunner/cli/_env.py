"""The environment the CLI reads: CLOSE_API_KEY and CLOSE_API_URL. The core never reads it.

The CLI resolves key(s) and URL here and passes them into the pipeline as settings, so that a
library user (and every test) states them explicitly.
"""

from __future__ import annotations

import os

from reportrunner.errors import ConfigError
from reportrunner.fetch.apikey import split_keys


def key_and_url_from_env(default_url: str, *, needed_for: str, hint: str) -> tuple[str, str]:
    """The API key(s) from CLOSE_API_KEY and the base URL: CLOSE_API_URL, else `default_url`.

    Every key is registered for redaction before anything could print it. Several keys come
    back joined by commas (`split_keys` takes them apart again). Unset, a ConfigError names
    the variable and says what the key is `needed_for`; nothing was sent yet.
    """
    raw = os.environ.get("CLOSE_API_KEY", "")
    if not raw.strip():
        raise ConfigError(
            f"CLOSE_API_KEY is not set; {needed_for} (no request was made)", hint=hint
        )
    keys = split_keys(raw, source="CLOSE_API_KEY")
    return ",".join(keys), url_from_env(default_url)


def url_from_env(default_url: str) -> str:
    """The API base URL `run` uses: CLOSE_API_URL, else `default_url` (api.base_url)."""
    return os.environ.get("CLOSE_API_URL", "").strip() or default_url
