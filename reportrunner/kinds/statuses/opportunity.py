"""`KIND` for opportunity status changes (`GET /report/statuses/opportunity/{organization_id}/`)."""

from __future__ import annotations

from reportrunner.kinds.base import Kind
from reportrunner.kinds.statuses.kind import StatusKind
from reportrunner.kinds.statuses.subject import OPPORTUNITIES

KIND: Kind = StatusKind(OPPORTUNITIES)  # mypy checks it against the interface
