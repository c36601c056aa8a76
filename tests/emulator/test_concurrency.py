"""50 concurrent clients hammering the emulator for a few seconds: no errors, no deadlock."""

from __future__ import annotations

import threading
import time
from collections import Counter

import requests

from reportrunner.emulator import Emulator

CLIENTS = 50
SECONDS = 2.5


def test_fifty_concurrent_clients(emulator: Emulator) -> None:
    pipeline = emulator.dataset.pipelines[0].id
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(index: int) -> None:
        body = {
            "pipeline": pipeline,
            "type": "created-cohort",
            "cohort_relative_range": ("this-month", "last-quarter", "all-time")[index % 3],
        }
        paths = (
            "/me/",
            "/user/",
            "/report/funnel/opportunity/totals/",
            "/report/funnel/opportunity/stages/",
        )
        with requests.Session() as session:
            session.auth = ("test-key", "")
            start.wait()
            deadline = time.monotonic() + SECONDS
            count = 0
            while time.monotonic() < deadline:
                path = paths[count % len(paths)]
                count += 1
                try:
                    if path.startswith("/report/"):
                        response = session.post(emulator.base_url + path, json=body, timeout=20)
                    else:
                        response = session.get(emulator.base_url + path, timeout=20)
                    key = str(response.status_code)
                    response.json()
                except Exception as exc:  # collected and asserted below
                    key = type(exc).__name__
                with lock:
                    outcomes[key] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 30)
    assert not any(t.is_alive() for t in threads), "a client hung: deadlock?"
    assert set(outcomes) == {"200"}, outcomes
    assert outcomes["200"] >= CLIENTS  # every client got through at least once
    assert len(emulator.requests) == outcomes["200"]
