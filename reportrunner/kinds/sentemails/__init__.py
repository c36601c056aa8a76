"""Sent e-mails by template (`GET /report/sent_emails/{organization_id}/`) as a report kind.

The plan is the shared dated-GET plan (kinds/dated.py: `range:` → date_start/date_end, the
compared and to-date requests). shape.py checks Close's answers; stats.py parses them and holds
the rule for when a rate fell; view.py (with rows.py, compared.py, words.py, tables.py,
runs.py) turns a data.json into what templates/sentemails/ show. checks.py (the spec stage's
rules a schema cannot express) belongs to the spec lane.
"""

from __future__ import annotations

from reportrunner.kinds.sentemails.kind import KIND

__all__ = ["KIND"]
