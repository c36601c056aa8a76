"""`KIND` for lead status changes (`GET /report/statuses/lead/{organization_id}/`)."""

from __future__ import annotations

from reportrunner.kinds.base import Kind
from reportrunner.kinds.statuses.kind import StatusKind
from reportrunner.kinds.statuses.subject import LEADS

KIND: Kind = StatusKind(LEADS)  # mypy checks it against the interface
