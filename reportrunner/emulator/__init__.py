"""A faithful local emulator of the Close API endpoints reportrunner uses.

`Emulator` is a real HTTP server on a loopback port (a context manager yielding itself with
`.base_url`), serving a deterministic synthetic organization; `Fault` scripts misbehaviour for
tests. See docs/emulator.md for the wire format, the formulas and every choice made where
Close's documentation is silent.
"""

from __future__ import annotations

from reportrunner.emulator.faults import Fault
from reportrunner.emulator.server import DEFAULT_API_KEY, Emulator, RecordedRequest

__all__ = ["DEFAULT_API_KEY", "Emulator", "Fault", "RecordedRequest"]
