"""Close's own Python client (`closeio` on PyPI) works against the emulator unchanged."""

from __future__ import annotations

import pytest
from closeio_api import API, APIError, ValidationError

from reportrunner.emulator import Emulator, Fault


def _api(emu: Emulator, key: str = "test-key") -> API:
    # The client appends paths to base_url as is, so it needs the trailing slash Close's has.
    return API(emu.base_url + "/", api_key=key, max_retries=2)


def test_me_and_every_user_page(emulator: Emulator) -> None:
    api = _api(emulator)
    assert api.get("me")["id"] == emulator.dataset.users[0].id
    users, skip, pages = [], 0, 0
    while True:
        page = api.get("user", params={"_skip": skip, "_limit": 5})
        users += page["data"]
        pages += 1
        if not page["has_more"]:
            break
        skip += len(page["data"])
    assert pages >= 2
    assert [u["id"] for u in users] == [u.id for u in emulator.dataset.active_users]
    assert emulator.requests[0].headers["user-agent"].startswith("Close/")
    assert "x-tz-offset" in emulator.requests[0].headers  # the client always sends it


def test_the_everyday_call_with_closes_default_page() -> None:
    """`api.get('user', params={'_limit': 100})`, Close's documented default page, works."""
    with Emulator(api_key="test-key") as emu:
        page = _api(emu).get("user", params={"_limit": 100})
        assert [u["id"] for u in page["data"]] == [u.id for u in emu.dataset.active_users]
        assert page["has_more"] is False


@pytest.mark.parametrize("endpoint", ["totals", "stages"])
@pytest.mark.parametrize(
    ("report_type", "range_field"),
    [("created-cohort", "cohort_relative_range"), ("active-stage-cohort", "report_relative_range")],
)
def test_both_funnel_endpoints_for_both_types(
    emulator: Emulator, endpoint: str, report_type: str, range_field: str
) -> None:
    api = _api(emulator)
    body = {
        "pipeline": emulator.dataset.pipelines[0].id,
        "type": report_type,
        range_field: "last-quarter",
    }
    report = api.post(f"report/funnel/opportunity/{endpoint}", data=body)
    assert report["data"], report
    if endpoint == "totals":
        assert report["aggregations"]["count"] > 0
    else:
        assert report["aggregations"]["stages"][0]["count"] > 0


def test_validation_error_has_field_errors(emulator: Emulator) -> None:
    api = _api(emulator)
    body = {
        "pipeline": "pipe_0000000000000000000000",
        "type": "created-cohort",
        "cohort_relative_range": "this-month",
    }
    with pytest.raises(ValidationError) as caught:
        api.post("report/funnel/opportunity/totals", data=body)
    assert caught.value.field_errors == {"pipeline": "Object does not exist."}
    assert caught.value.errors == []


def test_bad_key_raises_api_error_401(emulator: Emulator) -> None:
    with pytest.raises(APIError) as caught:
        _api(emulator, key="not-the-key").get("me")
    assert caught.value.response.status_code == 401
    assert "could not verify" in str(caught.value)


def test_client_retries_documented_429(emulator: Emulator) -> None:
    # The documented comma form with a decimal reset: the client's regex reads the integer
    # part (0) and retries at once; the retry succeeds.
    emulator.inject(Fault.rate_limit(style="comma", reset=0.2))
    assert _api(emulator).get("me")["id"] == emulator.dataset.users[0].id
    assert [r.status for r in emulator.requests] == [429, 200]


@pytest.mark.parametrize("kind", ["lead", "opportunity"])
def test_status_reports_with_the_org_id_from_me(emulator: Emulator, kind: str) -> None:
    """The org id comes from /me/ (organizations[0].id), then the GET report takes dates."""
    api = _api(emulator)
    org_id = api.get("me")["organizations"][0]["id"]
    body = api.get(
        f"report/statuses/{kind}/{org_id}",
        params={"date_start": "2025-01-01", "date_end": "2025-02-01"},
    )
    assert body["status_overview"] and "status_transitions_summary" in body
    with pytest.raises(ValidationError):
        api.get(f"report/statuses/{kind}/{org_id}", params={"date_start": "01/01/2025"})


def test_sent_emails_with_the_org_id_from_me(emulator: Emulator) -> None:
    """Close's client reads the sent-emails report: All Emails first, then the templates."""
    api = _api(emulator)
    me = api.get("me")
    org_id, user_id = me["organizations"][0]["id"], me["id"]
    body = api.get(
        f"report/sent_emails/{org_id}",
        params={"date_start": "2026-11-01", "date_end": "2026-11-16", "user_id": user_id},
    )
    rows = body["sent_email_stats"]
    assert rows[0]["name"] == "All Emails" and rows[0]["template_id"] is None
    assert rows[0]["total"] > 0 and all(r["template_id"].startswith("tmpl_") for r in rows[1:])
    with pytest.raises(ValidationError):
        api.get(f"report/sent_emails/{org_id}", params={"date_end": "16/11/2026"})
