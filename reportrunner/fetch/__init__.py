"""The fetch stage: valid specs → planned requests → Close's answers, paced and checked.

Plan, the one HTTP client with its deadlines and error mapping, rate-limit parsing and pacing,
id → name look-ups, and the runner that turns a plan into per-report outcomes (failures as data).
"""
