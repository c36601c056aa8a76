"""Close's sent e-mails answers are untrusted: a wrong shape fails its report with the reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reportrunner.kinds import kind_named, kind_of_endpoint
from reportrunner.kinds.sentemails.shape import MAX_ROWS, shape_problem

#: Close's published example (close-reporting-endpoints.md §9.4), contradictions included.
CLOSE_EXAMPLE: dict[str, Any] = {
    "sent_email_stats": [
        {
            "_queries": {
                "opened": "email(direction:sent opened:yes)",
                "responded": "email(direction:sent has_reply:yes)",
                "total": "email(direction:sent)",
            },
            "is_shared": True,
            "name": "All Emails",
            "opened": 3474546,
            "percentage_opened": 21,
            "percentage_responded": 10,
            "responded": 348741,
            "template_id": None,
            "template_url": None,
            "total": 735434,
        },
        {
            "_queries": {"total": 'email(direction:sent template:"Promo Email")'},
            "is_shared": True,
            "name": "Promo Email",
            "opened": 40,
            "percentage_opened": 40,
            "percentage_responded": 9,
            "responded": 9,
            "template_id": "tmpl_vB0Ql8Npgkq84jly82lqFn331D2tFfA2QXcRUvzcCOt",
            "template_url": "/organization/orga_x/email_templates/tmpl_vB0Ql8/",
            "total": 101,
        },
    ]
}


def _with(index: int, **changes: Any) -> dict[str, Any]:
    answer = copy.deepcopy(CLOSE_EXAMPLE)
    row = answer["sent_email_stats"][index]
    for key, value in changes.items():
        if value is ...:
            del row[key]
        else:
            row[key] = value
    return answer


def test_the_kind_owns_its_endpoint() -> None:
    kind = kind_named("sent-emails")
    assert kind_of_endpoint("sent_emails") is kind
    assert kind.endpoints == {"sent_emails": "/report/sent_emails/{organization_id}/"}


@pytest.mark.parametrize(
    "answer",
    [
        CLOSE_EXAMPLE,
        {"sent_email_stats": []},
        _with(1, total=0, opened=0, responded=0, percentage_opened=None),
        _with(1, total=12.0, is_shared=None, template_url=..., percentage_opened=...),
        _with(0, name="Ünïcode <b>all</b> & ‘quotes’"),
    ],
)
def test_documented_shapes_pass(answer: dict[str, Any]) -> None:
    assert shape_problem("sent_emails", answer) is None


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ([], "the answer is a list, expected an object"),
        ({}, "has no 'sent_email_stats'"),
        ({"sent_email_stats": {}}, "/sent_email_stats is an object, expected a list"),
        ({"sent_email_stats": None}, "/sent_email_stats is null, expected a list"),
        ({"sent_email_stats": ["row"]}, "/sent_email_stats/0 is a string, expected an object"),
        (_with(1, name=...), "/sent_email_stats/1 has no 'name'"),
        (_with(1, name=None), "/sent_email_stats/1/name is null, expected a string"),
        (_with(1, name="n" * 501), "longer than 500 characters"),
        (_with(1, template_id=7), "/sent_email_stats/1/template_id is a number"),
        (_with(1, template_url=["x"]), "/sent_email_stats/1/template_url is a list"),
        (_with(1, is_shared="yes"), "/sent_email_stats/1/is_shared is a string"),
        (_with(1, total=...), "/sent_email_stats/1 has no 'total'"),
        (_with(1, opened="40"), "/sent_email_stats/1/opened is a string, expected a whole"),
        (_with(1, responded=True), "/sent_email_stats/1/responded is a boolean"),
        (_with(1, total=-1), "/sent_email_stats/1/total is -1, expected a whole number"),
        (_with(1, total=10.5), "/sent_email_stats/1/total is 10.5, expected a whole number"),
        (_with(1, total=float("nan")), "beyond any plausible count"),
        (_with(1, opened=1e300), "beyond any plausible count"),
        (_with(1, percentage_opened="40%"), "percentage_opened is a string"),
        (_with(1, percentage_responded=float("inf")), "beyond any plausible percentage"),
        (
            {"sent_email_stats": [CLOSE_EXAMPLE["sent_email_stats"][1]] * 2},
            "/sent_email_stats/1/template_id repeats the template of row 0",
        ),
        ({"sent_email_stats": [{}] * (MAX_ROWS + 1)}, f"more than {MAX_ROWS} templates"),
    ],
)
def test_wrong_shapes_are_named(answer: Any, reason: str) -> None:
    problem = kind_named("sent-emails").shape_problem("sent_emails", answer)
    assert problem is not None and reason in problem, problem
