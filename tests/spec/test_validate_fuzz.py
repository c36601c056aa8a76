"""Property: whatever a spec file holds, validate_paths answers with diagnostics, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportrunner.spec.validate import validate_paths

KEYS = st.sampled_from(
    ["id", "title", "description", "endpoints", "formats", "currency", "timezone", "tags",
     "matrix", "request", "x-a", "pipeline", "type", "cohort_relative_range",
     "report_datetime_range", "compared_datetime_range", "compared_custom_range", "users",
     "query", "start", "end", "a/b", "~0", "{x}"]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "today", "created-cohort", "active-stage-cohort", "pipe_a", "user_b",
                     "2026-01-01", "2026-01-01T00:00:00Z", "Europe/Berlin", "Bad Zone",
                     "T {type}", "same-days-last-year", "saved_search", "totals"]),
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=14,
)


def _run(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "specs").mkdir()
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        result = validate_paths([root / "specs"], root=root)
        for diagnostic in result.diagnostics:
            assert diagnostic.line >= 1 and diagnostic.column >= 1 and diagnostic.message
        # Every file ends up somewhere: a valid spec, or rejected with an error saying why.
        assert len(result.specs) + len(result.rejected) >= result.files
        assert all(any(d.severity == "error" for d in r.diagnostics) for r in result.rejected)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(KEYS, VALUES, max_size=6), st.dictionaries(KEYS, VALUES, max_size=3))
def test_arbitrary_documents_and_defaults_never_crash(spec: dict[str, Any], defaults: Any) -> None:
    _run(
        {
            "specs/a.yaml": yaml.safe_dump(spec),
            "specs/b.yaml": yaml.safe_dump({"id": "a", **spec}),
            "reportrunner.yaml": yaml.safe_dump({"defaults": defaults}),
        }
    )


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    _run({"specs/a.yaml": text, "reportrunner.yaml": text})
