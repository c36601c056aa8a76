"""The status-change reports as two report kinds: lead statuses and opportunity statuses.

`GET /report/statuses/lead/{organization_id}/` and `/report/statuses/opportunity/…/` answer in
one shape (close-reporting-endpoints.md §10–§11), so both kinds share this folder: lead.py and
opportunity.py each define a `KIND` (kind.py) that differs only in its endpoint and its words
(subject.py). shape.py checks Close's answers, answer.py parses them once into typed rows,
view.py (with tables.py, flows.py, compared.py, headline.py) builds what templates/statuses/
show, runs.py the history snapshot and trends. The plan is the shared dated plan (kinds/dated.py).
"""
