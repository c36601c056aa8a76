"""Fixtures of the workflow tests.

The suite runs with `--import-mode=importlib`, where a test module cannot import a sibling
module; the helpers of this folder (wfutil, wfexpr, wfharness, wfactions) are made importable
here. Their names carry a `wf` prefix so they never shadow another folder's helpers.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
