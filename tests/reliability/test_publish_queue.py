"""Publishes on a branch run one at a time, first come first served (issue 10, item 13).

`reportrunner.cli._ghqueue` waits until no earlier run of the same workflow and branch is active,
read from a fake Actions API served over real HTTP (its answers change from poll to poll, as a
real run's status does). Proven: a later run never waits for an earlier-started one to be
replaced, later and other-branch runs are ignored, every "not finished" status counts, an API
that cannot be read is retried and then gone past with a warning, and a run that outlasts the
wait stops this one (exit 1) naming it. Waiting runs on an injected sleep.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner

from reportrunner.cli._ghqueue import MAX_API_ERRORS, POLL_SECONDS, QueueTimeout, wait_turn
from reportrunner.cli.queue_cmd import _api_get
from reportrunner.cli.queue_cmd import command as queue_command

REPO = "acme/reports"
RUN_ID = 500
TOKEN = "ghs_fake_token_never_printed_123"


class FakeActions:
    """Answers the two Actions API paths; `listings` are served one per poll, the last repeats."""

    def __init__(self) -> None:
        self.listings: list[Any] = []
        self.paths: list[str] = []
        self.tokens: set[str] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.paths.append(self.path)
                fake.tokens.add(self.headers.get("Authorization", ""))
                if self.path == f"/repos/{REPO}/actions/runs/{RUN_ID}":
                    status, body = 200, {"id": RUN_ID, "workflow_id": 7, "head_branch": "main"}
                else:
                    listing = fake.listings.pop(0) if len(fake.listings) > 1 else fake.listings[0]
                    status, body = listing if isinstance(listing, tuple) else (200, listing)
                payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> FakeActions:
        serve = self._server.serve_forever
        threading.Thread(target=serve, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _runs(*runs: tuple[int, str, str]) -> dict[str, Any]:
    return {
        "workflow_runs": [
            {"id": i, "status": s, "head_branch": b, "html_url": f"https://gh/run/{i}"}
            for i, s, b in runs
        ]
    }


@pytest.fixture
def api() -> Iterator[FakeActions]:
    with FakeActions() as fake:
        yield fake


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def test_no_earlier_run_means_no_wait(api: FakeActions) -> None:
    api.listings = [_runs((RUN_ID, "in_progress", "main"), (499, "completed", "main"))]
    sleep = Sleeps()
    waited = wait_turn(_api_get(api.url, TOKEN), REPO, RUN_ID, max_wait=600, sleep=sleep)
    assert sleep.calls == [] and waited.polls == 1 and waited.warnings == []
    assert api.tokens == {f"Bearer {TOKEN}"}
    assert "branch=main" in api.paths[-1] and "/workflows/7/runs" in api.paths[-1]


@pytest.mark.parametrize("status", ["queued", "in_progress", "waiting", "requested", "pending"])
def test_an_earlier_unfinished_run_is_waited_for_until_it_ends(
    api: FakeActions, status: str
) -> None:
    busy = _runs((498, status, "main"), (RUN_ID, "in_progress", "main"))
    api.listings = [busy, busy, _runs((498, "completed", "main"))]
    sleep = Sleeps()
    seen: list[list[int]] = []
    waited = wait_turn(
        _api_get(api.url, TOKEN),
        REPO,
        RUN_ID,
        max_wait=600,
        sleep=sleep,
        on_wait=lambda runs: seen.append([r.id for r in runs]),
    )
    assert sleep.calls == [POLL_SECONDS, POLL_SECONDS] and waited.polls == 3
    assert seen == [[498], [498]]


def test_later_runs_and_other_branches_never_hold_this_one(api: FakeActions) -> None:
    api.listings = [
        _runs((501, "in_progress", "main"), (600, "queued", "main"), (400, "in_progress", "dev"))
    ]
    sleep = Sleeps()
    wait_turn(_api_get(api.url, TOKEN), REPO, RUN_ID, max_wait=600, sleep=sleep)
    assert sleep.calls == [], "a later run (a partial dispatch, say) never displaces this one"


def test_a_run_that_outlasts_the_wait_stops_this_one(api: FakeActions) -> None:
    api.listings = [_runs((420, "in_progress", "main"))]
    sleep = Sleeps()
    with pytest.raises(QueueTimeout, match=r"run 420 \(https://gh/run/420\).*60 s") as caught:
        wait_turn(_api_get(api.url, TOKEN), REPO, RUN_ID, max_wait=60, sleep=sleep)
    assert sum(sleep.calls) <= 60
    assert caught.value.hint


@pytest.mark.parametrize(
    "broken",
    [(500, {"message": "Server Error"}), (200, "<html>unicorn</html>"), (200, {"nope": 1})],
    ids=["500", "not-json", "wrong-shape"],
)
def test_an_unreadable_api_is_retried_then_gone_past_with_a_warning(
    api: FakeActions, broken: tuple[int, Any]
) -> None:
    api.listings = [broken]
    sleep = Sleeps()
    waited = wait_turn(_api_get(api.url, TOKEN), REPO, RUN_ID, max_wait=6000, sleep=sleep)
    assert waited.polls == MAX_API_ERRORS and len(sleep.calls) == MAX_API_ERRORS - 1
    (warning,) = waited.warnings
    assert "could not read the Actions API" in warning and TOKEN not in warning


def test_one_api_hiccup_does_not_skip_the_wait(api: FakeActions) -> None:
    busy = _runs((499, "in_progress", "main"))
    api.listings = [(502, "bad gateway"), busy, _runs((499, "completed", "main"))]
    sleep = Sleeps()
    waited = wait_turn(_api_get(api.url, TOKEN), REPO, RUN_ID, max_wait=600, sleep=sleep)
    assert waited.polls == 3 and waited.warnings == []


def test_the_command_outside_actions_has_nothing_to_wait_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("GITHUB_API_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(queue_command, [])
    assert result.exit_code == 0 and "nothing to wait for" in result.output


def test_the_command_in_actions_waits_and_never_prints_the_token(
    api: FakeActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.listings = [_runs((RUN_ID, "in_progress", "main"))]
    env = {
        "GITHUB_API_URL": api.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_RUN_ID": str(RUN_ID),
        "GITHUB_TOKEN": TOKEN,
    }
    result = CliRunner().invoke(queue_command, ["--max-wait", "60"], env=env)
    assert result.exit_code == 0, result.output
    assert "This run's turn after 0 s" in result.output and TOKEN not in result.output
    api.listings = [_runs((1, "in_progress", "main"))]
    result = CliRunner().invoke(queue_command, ["--max-wait", "0"], env=env)
    assert result.exit_code == 1, result.output
    assert "run 1 (" in result.output and TOKEN not in result.output
    bad = CliRunner().invoke(queue_command, ["--max-wait", "nan"], env=env)
    assert bad.exit_code == 2
