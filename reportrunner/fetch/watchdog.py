"""The deadline half of `bounded`: one watchdog thread per session that cuts late exchanges.

A request's deadline cannot be kept by socket timeouts (they bound each read), so the socket of
the exchange running on a thread is registered when its answer is awaited (the urllib3
connection subclasses below, mounted by `new_session`), and a `Watchdog` shuts that socket
down when the exchange's `Watch` runs out, which ends a read blocked mid-headers or mid-body.
"""

from __future__ import annotations

import contextlib
import heapq
import socket
import threading
import time
from typing import Any

import requests
import requests.adapters
import urllib3
import urllib3.connection

_ACTIVE = threading.local()  # the `Watch` of the exchange running on this thread, if any


class Watch:
    """One exchange's deadline: shuts the registered socket down if it fires before `done`."""

    def __init__(self, seconds: float, dog: Watchdog) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._done = False
        self.fired = False
        self.at = time.monotonic() + seconds
        self._dog = dog

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.fired:
                _shutdown(sock)

    def fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            _shutdown(self._sock)

    def __enter__(self) -> Watch:
        _ACTIVE.watch = self
        self._dog.arm(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:  # after this, a late firing cannot touch a socket back in the pool
            self._done = True
        _ACTIVE.watch = None


class Watchdog:
    """One thread per session fires every due `Watch`.

    Not a `threading.Timer` per request: hundreds of short-lived threads per run made the
    interpreter run their clean-up callbacks in the main thread, where a Ctrl-C or SIGTERM
    landing inside one is swallowed ("Exception ignored in ... WeakSet").
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, Watch]] = []
        self._seq = 0
        self._thread: threading.Thread | None = None
        self._closed = False

    def arm(self, watch: Watch) -> None:
        with self._cond:
            self._seq += 1
            heapq.heappush(self._due, (watch.at, self._seq, watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="reportrunner-deadlines")
                self._thread.daemon = True
                self._thread.start()
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._due.clear()
            self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                while self._due and self._due[0][0] <= now:
                    heapq.heappop(self._due)[2].fire()  # a no-op for finished exchanges
                wait = self._due[0][0] - now if self._due else None
                self._cond.wait(wait)


def _shutdown(sock: socket.socket | None) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)  # wakes the reader blocked in recv()


def _register(sock: socket.socket | None) -> None:
    watch: Watch | None = getattr(_ACTIVE, "watch", None)
    if watch is not None:
        watch.attach(sock)


class _HTTPConnection(urllib3.connection.HTTPConnection):
    def getresponse(self) -> Any:
        _register(self.sock)
        return super().getresponse()


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    def getresponse(self) -> Any:
        _register(self.sock)
        return super().getresponse()


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS: dict[str, Any] = {"http": _HTTPPool, "https": _HTTPSPool}


class WatchedAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, dog: Watchdog) -> None:
        super().__init__()
        self.watchdog = dog

    def close(self) -> None:
        super().close()
        self.watchdog.close()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager


def new_session() -> requests.Session:
    """A session whose connections the watchdog can cut; use it with `send`."""
    session = requests.Session()
    dog = Watchdog()
    for prefix in ("http://", "https://"):
        session.mount(prefix, WatchedAdapter(dog))
    return session
