"""Where the Close account is, for `ids`, `init` and `new --pipeline`: resolved here, at the edge.

CLOSE_API_KEY (required) and CLOSE_API_URL (optional, else `api.base_url`), or with
`--emulator` a built-in emulator started for the command. The core (`account.read_account`)
gets a ClientSettings and never reads the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from reportrunner.cli._env import key_and_url_from_env
from reportrunner.fetch.client import ClientSettings, emulator_key

KEY_HINT = (
    "export CLOSE_API_KEY=… (Close: Settings → Developer → API Keys), or add --emulator to "
    "try it on the built-in emulator's organization."
)


@contextmanager
def account_settings(*, emulator: bool, base_url: str, needed_for: str) -> Iterator[ClientSettings]:
    """Settings for the account (an emulator runs while the block does, with `emulator`)."""
    if emulator:
        from reportrunner.emulator import Emulator

        key = emulator_key()
        with Emulator(api_key=key) as server:
            yield ClientSettings(server.base_url, key)
        return
    key, url = key_and_url_from_env(base_url, needed_for=needed_for, hint=KEY_HINT)
    yield ClientSettings(url, key)
