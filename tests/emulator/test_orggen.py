"""Other organizations (`org_seed`): other ids and names, deterministic, served like the default."""

from __future__ import annotations

from datetime import datetime, timezone

import requests

from reportrunner.emulator import Emulator, org
from reportrunner.emulator.dataset import generate
from reportrunner.emulator.orggen import generate_organization

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)


def _ids(organization: org.Organization) -> set[str]:
    found = {organization.id}
    found |= {u.id for u in organization.users} | {g.id for g in organization.groups}
    found |= {p.id for p in organization.pipelines} | {s.id for s in organization.saved_searches}
    found |= {s.id for p in organization.pipelines for s in p.statuses}
    return found


def test_the_default_organization_is_unchanged() -> None:
    data = generate(1, NOW)
    assert data.organization_name == "Acme Robotics"
    assert [p.id for p in data.pipelines] == [
        "pipe_4vukv2FUlFh9FDiVYAop1U",
        "pipe_Db7hIm3lXSbJROEjrwqX7J",
    ]
    assert data.users == org.USERS and data.groups == org.GROUPS


def test_an_org_seed_gives_other_ids_names_and_pipelines_deterministically() -> None:
    first, again, other = (
        generate_organization(7),
        generate_organization(7),
        generate_organization(8),
    )
    assert first == again
    assert _ids(first).isdisjoint(_ids(org.DEFAULT))
    assert _ids(first).isdisjoint(_ids(other))
    assert first.name != org.DEFAULT.name
    assert {p.name for p in first.pipelines}.isdisjoint({"New Business", "Renewals"})
    for pipeline in first.pipelines:
        assert len(pipeline.id) == len("pipe_") + 22
        kinds = [s.type for s in pipeline.statuses]
        assert kinds[-2:] == ["won", "lost"] and set(kinds[:-2]) == {"active"}
    assert sum(not u.active for u in first.users) == 1
    members = [m for g in first.groups for m in g.member_ids]
    assert sorted(members) == sorted(u.id for u in first.users)  # every user in one group


def test_the_generated_organization_is_served_and_has_opportunities() -> None:
    with Emulator(api_key="k", now=NOW, org_seed=7) as emu:
        organization = generate_organization(7)
        me = requests.get(f"{emu.base_url}/me/", auth=("k", ""), timeout=10).json()
        assert me["organizations"][0]["name"] == organization.name
        assert me["last_used_timezone"] == organization.timezone
        pipelines = requests.get(f"{emu.base_url}/pipeline/", auth=("k", ""), timeout=10).json()
        assert [p["id"] for p in pipelines["data"]] == [p.id for p in organization.pipelines]
        owners = {o.user_id for o in emu.dataset.opportunities}
        assert owners == {u.id for u in organization.users}
        assert {o.pipeline_id for o in emu.dataset.opportunities} == {
            p.id for p in organization.pipelines
        }


def test_the_emulator_command_serves_another_organization_with_org_seed() -> None:
    import threading

    from reportrunner.cli.emulator_cmd import EmulatorOptions, serve

    stop = threading.Event()
    ready: list[tuple[str, str]] = []
    started = threading.Event()

    def on_ready(url: str, key: str) -> None:
        ready.append((url, key))
        started.set()

    options = EmulatorOptions(port=0, api_key="k", org_seed=7)
    thread = threading.Thread(target=serve, args=(options, on_ready, stop))
    thread.start()
    try:
        assert started.wait(60)
        url, key = ready[0]
        me = requests.get(f"{url}/me/", auth=(key, ""), timeout=10).json()
        assert me["organizations"][0]["name"] == generate_organization(7).name
    finally:
        stop.set()
        thread.join(60)
