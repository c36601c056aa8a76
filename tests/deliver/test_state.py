"""The delivery state is untrusted when read back: bad entries dropped with a warning, no crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportrunner.deliver import state as state_file
from reportrunner.deliver.state import DeliveryState, Sent
from reportrunner.site.history import HEADLINE_KEYS

GOOD = {"sent_at": "2026-12-01T07:00:00Z", "numbers": dict.fromkeys(HEADLINE_KEYS, 1)}


def _site(tmp_path: Path, text: str) -> Path:
    (tmp_path / "history").mkdir(parents=True, exist_ok=True)
    (tmp_path / state_file.FILE).write_text(text, encoding="utf-8")
    return tmp_path


def test_round_trip(tmp_path: Path) -> None:
    state = DeliveryState()
    state.record("slack-HOOK", "a", Sent(GOOD["sent_at"], dict(GOOD["numbers"])))
    state_file.write(tmp_path, state)
    again = state_file.read_folder(tmp_path)
    assert again.sent == state.sent and again.warnings == []
    assert not list((tmp_path / "history").glob(".*tmp"))  # written aside, then renamed


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", '{"deliveries": []}', "\udcff", '{"deliveries": {"k": 5}}'],
)
def test_unreadable_files_are_a_warning(tmp_path: Path, text: str) -> None:
    path = tmp_path / state_file.FILE
    path.parent.mkdir()
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    loaded = state_file.read_folder(tmp_path)
    assert loaded.sent == {}
    assert len(loaded.warnings) == 1 and str(path) in loaded.warnings[0]


def test_bad_entries_are_dropped_and_counted(tmp_path: Path) -> None:
    numbers = GOOD["numbers"]
    reports = {
        "good": GOOD,
        "no-time": {"numbers": numbers},
        "bad-time": {"sent_at": "yesterday", "numbers": numbers},
        "bool": {"sent_at": GOOD["sent_at"], "numbers": {**numbers, "count": True}},
        "text": {"sent_at": GOOD["sent_at"], "numbers": {**numbers, "count": "7"}},
        # Another kind's metric keys are kept (below), but not a key no metric has.
        "long-key": {"sent_at": GOOD["sent_at"], "numbers": {**numbers, "k" * 201: 1}},
        "missing-key": {"sent_at": GOOD["sent_at"], "numbers": {"count": 1}},
        "list": [],
    }
    document = {"version": 1, "deliveries": {"slack-HOOK": reports}}
    loaded = state_file.read_folder(_site(tmp_path, json.dumps(document)))
    assert list(loaded.sent["slack-HOOK"]) == ["good"]
    assert loaded.warnings == [
        f"dropped 7 unreadable entries of {tmp_path / state_file.FILE}; "
        "those reports count as never sent."
    ]


def test_previous_state_comes_from_out_else_history_from(tmp_path: Path) -> None:
    document = {"deliveries": {"slack-HOOK": {"a": GOOD}}}
    earlier = _site(tmp_path / "earlier", json.dumps(document))
    out = tmp_path / "site"
    assert state_file.read_previous(out, str(earlier)).last("slack-HOOK", "a") == GOOD["numbers"]
    assert state_file.read_previous(out, None).sent == {}
    _site(out, json.dumps({"deliveries": {}}))  # the site's own state wins
    assert state_file.read_previous(out, str(earlier)).sent == {}


def test_history_from_url_reads_the_published_state(tmp_path: Path) -> None:
    import functools
    import http.server
    import threading

    _site(tmp_path, json.dumps({"deliveries": {"slack-HOOK": {"a": GOOD}}}))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        assert state_file.read_url(base).last("slack-HOOK", "a") == GOOD["numbers"]
        missing = state_file.read_url(base + "nothing-here/")
        assert missing.sent == {} and missing.warnings == []  # no state yet: not a problem
    finally:
        server.shutdown()
        server.server_close()


def test_a_rebuilt_site_keeps_the_checked_state_only(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from reportrunner.model import Project
    from reportrunner.site.build import publish, rerender

    out = tmp_path / "site"
    publish(out, Project(root=tmp_path), [], now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    document = {"deliveries": {"slack-HOOK": {"a": GOOD, "b": {"junk": True}}}}
    _site(out, json.dumps(document))
    publish(out, Project(root=tmp_path), [], now=datetime(2026, 12, 2, tzinfo=timezone.utc))
    carried = json.loads((out / state_file.FILE).read_text(encoding="utf-8"))
    assert carried == {"version": 1, "deliveries": {"slack-HOOK": {"a": GOOD}}}
    rerender(out, Project(root=tmp_path))  # `render --from site`, in place
    assert state_file.read_folder(out).last("slack-HOOK", "a") == GOOD["numbers"]


def test_a_symlinked_state_is_never_carried(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from reportrunner.model import Project
    from reportrunner.site.build import publish

    out = tmp_path / "site"
    publish(out, Project(root=tmp_path), [], now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    secret = tmp_path / "elsewhere.json"
    secret.write_text(json.dumps({"deliveries": {"slack-HOOK": {"a": GOOD}}}), encoding="utf-8")
    (out / state_file.FILE).symlink_to(secret)
    publish(out, Project(root=tmp_path), [], now=datetime(2026, 12, 2, tzinfo=timezone.utc))
    assert not (out / state_file.FILE).exists()


def test_a_hostile_state_url_is_a_warning_never_a_crash(tmp_path: Path) -> None:
    """Over the size cap, nested too deeply or not JSON: `changed` sends again, the run goes on."""
    import functools
    import http.server
    import threading

    from reportrunner.fetch.earlier import MAX_BYTES

    cases = {
        "big": b"[" + b"1," * (MAX_BYTES // 2) + b"1]",
        "deep": b"[" * 100_000 + b"]" * 100_000,
        "junk": b"\xff\xfe not json",
    }
    for name, body in cases.items():
        (tmp_path / name / "history").mkdir(parents=True)
        (tmp_path / name / state_file.FILE).write_bytes(body)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for name in cases:
            got = state_file.read_url(f"{base}{name}/")
            assert got.sent == {}, name
            assert len(got.warnings) == 1 and "deliveries send again" in got.warnings[0], name
    finally:
        server.shutdown()
        server.server_close()


def test_another_kind_s_metrics_survive_the_round_trip(tmp_path: Path) -> None:
    """`changed` for an activity report compares its metrics: they must be read back."""
    numbers = {**dict.fromkeys(HEADLINE_KEYS), "calls.outbound.all.count": 110}
    state = DeliveryState()
    state.record("slack-HOOK", "team", Sent(GOOD["sent_at"], numbers))
    state_file.write(tmp_path, state)
    again = state_file.read_folder(tmp_path)
    assert again.sent == state.sent and again.warnings == []
