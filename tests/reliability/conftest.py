"""Fixtures of the reliability suite; makes `relhelp` (this folder's helpers) importable.

The suite runs with `--import-mode=importlib`, where a test module cannot import a sibling
module, so this folder is put on sys.path here (as tests/workflows does for its helpers).
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
