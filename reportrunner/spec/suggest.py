"""Did-you-mean for unknown keys and values: meaning first, then spelling.

Spelling alone misleads: "previous-month" is closer to "this-month" than to "last-month". So a
value is first normalised (case, `_` and spaces as `-`), its words mapped to Close's (previous →
last, current → this), whole phrases looked up (ytd → this-year), and typographic quotes
pasted from a word processor stripped; only then does difflib pick the nearest spelling.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

# Words people write for what Close spells otherwise: meaning first, then spelling, because
# spelling alone misleads ("previous-month" is closer to "this-month" than to "last-month").
_WORD_SYNONYMS = {
    "previous": "last",
    "prior": "last",
    "past": "last",
    "preceding": "last",
    "current": "this",
    "present": "this",
    "days": "day",
    "weeks": "week",
    "months": "month",
    "quarters": "quarter",
    "years": "year",
    "qtr": "quarter",
    "yr": "year",
}
_PHRASES = {
    "wtd": "this-week",
    "week-to-date": "this-week",
    "mtd": "this-month",
    "month-to-date": "this-month",
    "qtd": "this-quarter",
    "quarter-to-date": "this-quarter",
    "ytd": "this-year",
    "year-to-date": "this-year",
    "all": "all-time",
    "ever": "all-time",
    "alltime": "all-time",
    "lifetime": "all-time",
    "created": "created-cohort",
    "active": "active-stage-cohort",
    "active-stage": "active-stage-cohort",
}


_SMART_QUOTES = "“”‘’„«» "


def _by_meaning(word: str, options: Sequence[str]) -> str | None:
    """The option `word` means, when it is a re-spelling or a synonym of one; else None."""
    normal = re.sub(r"[\s_]+", "-", word.strip().casefold())
    words = "-".join(_WORD_SYNONYMS.get(part, part) for part in normal.split("-"))
    for candidate in (normal, normal.replace("-", "_"), words, _PHRASES.get(normal)):
        if candidate is not None and candidate in options and candidate != word:
            return candidate
    return None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    options = [choice for choice in choices if isinstance(choice, str)]
    bare = word.strip(_SMART_QUOTES)
    if bare != word and (bare in options or _by_meaning(bare, options)):
        meant = bare if bare in options else _by_meaning(bare, options)
        return (
            f"; did you mean {meant!r}? (“ ” and ‘ ’ are typographic quotes, pasted from a word "
            "processor; YAML needs straight quotes or none)"
        )
    meant = _by_meaning(word, options)
    if meant is not None:
        return f"; did you mean {meant!r}?"
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""
