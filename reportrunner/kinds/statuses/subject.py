"""What the two status kinds call their records and where they fetch them: their only difference.

Lead and opportunity status reports have one answer shape; a page says "leads" or
"opportunities", names its kind's endpoint, and picks its own headline (headline.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SubjectName = Literal["lead", "opportunity"]


@dataclass(frozen=True)
class Subject:
    name: SubjectName
    kind: str  # the registry name: "lead-statuses"
    endpoint: str  # data.json's `responses` key and the plan's endpoint name
    path: str
    singular: str  # "lead"
    plural: str  # "leads"
    title: str  # "Lead status changes"


LEADS = Subject(
    name="lead",
    kind="lead-statuses",
    endpoint="lead_statuses",
    path="/report/statuses/lead/{organization_id}/",
    singular="lead",
    plural="leads",
    title="Lead status changes",
)
OPPORTUNITIES = Subject(
    name="opportunity",
    kind="opportunity-statuses",
    endpoint="opportunity_statuses",
    path="/report/statuses/opportunity/{organization_id}/",
    singular="opportunity",
    plural="opportunities",
    title="Opportunity status changes",
)
