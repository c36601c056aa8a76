"""One HTTP exchange within an overall deadline and a cap on the decoded size of the answer.

requests' `timeout` bounds each socket read, not the request: a server that sends one byte
every half second keeps a "2 s timeout" request alive indefinitely, and `response.content`
inflates a gzip bomb in full. So every call to Close (`CloseClient`) and to an earlier site
(`fetch/earlier.read_url`) goes through `send`, which:

- arms the session's watchdog (watchdog.py) for `deadline` seconds, from sending to the last
  byte: when time is up it shuts the connection down, which ends a read blocked mid-headers
  or mid-body;
- refuses an answer whose Content-Length is over `max_bytes` without reading it, and reads the
  rest in chunks, decompressing gzip/deflate itself with `max_length` so that no more than
  `max_bytes + 1` decoded bytes are ever held;
- follows redirects itself (GET only, a few hops, same deadline), since requests reads each
  redirect's body without any limit.

The decoded body is stored on the returned `requests.Response` (`.content`, `.json()` and
`.text` work as usual), so error mapping in answers.py is unchanged.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from reportrunner.errors import AnswerTooLarge as AnswerTooLarge
from reportrunner.errors import DeadlineExceeded as DeadlineExceeded
from reportrunner.fetch import watchdog
from reportrunner.fetch.watchdog import new_session

__all__ = ["AnswerTooLarge", "Bounds", "DeadlineExceeded", "new_session", "send"]

#: Largest decoded answer accepted from Close; real report answers are well under 1 MiB.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
CHUNK = 64 * 1024
MAX_REDIRECTS = 5
#: Only what we can decode within the size cap (no brotli or zstd from a hostile server).
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True)
class Bounds:
    """How long one exchange may take in all, and how many decoded bytes it may return."""

    deadline: float
    max_bytes: int = DEFAULT_MAX_BYTES
    connect_timeout: float = 10.0


# -- one exchange ------------------------------------------------------------------------------


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    bounds: Bounds,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send one request and read its whole answer within `bounds`.

    Raises `DeadlineExceeded`, `AnswerTooLarge`, or the `requests` exception of any other
    transport failure. `session` should come from `new_session` (otherwise only the size cap and
    a check between chunks bound the exchange).
    """
    adapter = session.get_adapter(url)
    if not isinstance(adapter, watchdog.WatchedAdapter):  # a plain session: one for this call
        dog = watchdog.Watchdog()
        try:
            return _send(session, method, url, bounds, dog, headers=headers, **kwargs)
        finally:
            dog.close()
    return _send(session, method, url, bounds, adapter.watchdog, headers=headers, **kwargs)


def _send(
    session: requests.Session,
    method: str,
    url: str,
    bounds: Bounds,
    dog: watchdog.Watchdog,
    *,
    headers: dict[str, str] | None,
    **kwargs: Any,
) -> requests.Response:
    started = time.monotonic()
    sent_headers = {**(headers or {}), "Accept-Encoding": ACCEPT_ENCODING}
    with watchdog.Watch(bounds.deadline, dog) as watch:
        try:
            for _hop in range(MAX_REDIRECTS + 1):
                left = max(0.001, bounds.deadline - (time.monotonic() - started))
                response = session.request(
                    method,
                    url,
                    headers=sent_headers,
                    timeout=(min(bounds.connect_timeout, left), left),
                    stream=True,
                    allow_redirects=False,
                    **kwargs,
                )
                location = response.headers.get("Location")
                target = urljoin(url, location) if location else None
                redirect = method == "GET" and response.is_redirect and target is not None
                if redirect and target is not None and _may_follow(session, url, target):
                    response.close()
                    url = target
                    continue
                try:
                    response._content = _read(response, bounds, started)
                finally:
                    response.close()
                if watch.fired:  # cut mid-headers, http.client may take it as a whole answer
                    raise DeadlineExceeded(bounds.deadline)
                return response
            raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")
        except (requests.RequestException, OSError):
            # The socket's own read timeout (the time left) may beat the watchdog by a hair.
            if watch.fired or time.monotonic() - started >= bounds.deadline:
                raise DeadlineExceeded(bounds.deadline) from None
            raise


def _may_follow(session: requests.Session, source: str, target: str) -> bool:
    """Same origin always; elsewhere only without credentials and never from https to http.

    requests strips credentials on a cross-host redirect; following by hand, we must too, or a
    redirect would hand the API key (or a token) to another host. A refused redirect is
    returned as the 3xx answer it is.
    """
    old, new = urlsplit(source), urlsplit(target)
    if (old.scheme, old.netloc) == (new.scheme, new.netloc):
        return True
    credentials = session.auth is not None or "Authorization" in session.headers
    return (
        not credentials
        and new.scheme in ("http", "https")
        and not (old.scheme == "https" and new.scheme == "http")
    )


def _read(response: requests.Response, bounds: Bounds, started: float) -> bytes:
    """The decoded body, read chunk by chunk against the size cap and the deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > bounds.max_bytes:
        raise AnswerTooLarge(bounds.max_bytes, declared=int(declared))
    decoder = _decoder(response.headers.get("Content-Encoding", ""))
    body = bytearray()
    try:
        for chunk in response.raw.stream(CHUNK, decode_content=False):
            if time.monotonic() - started > bounds.deadline:
                raise DeadlineExceeded(bounds.deadline)
            for piece in _decode(decoder, chunk):
                body += piece
                if len(body) > bounds.max_bytes:
                    raise AnswerTooLarge(bounds.max_bytes)
        if decoder is not None:
            body += decoder.flush()
            if len(body) > bounds.max_bytes:
                raise AnswerTooLarge(bounds.max_bytes)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.ReadTimeout(str(exc)) from exc
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError, zlib.error) as exc:
        raise requests.exceptions.ChunkedEncodingError(f"the answer was cut short: {exc}") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise requests.ConnectionError(str(exc)) from exc
    # What `Response.content` itself sets once the body is read (requests' own attributes).
    response._content_consumed = True  # type: ignore[attr-defined]
    return bytes(body)


def _decoder(encoding: str) -> Any:
    """A zlib decompressor for gzip/deflate, None for identity; ValueError for anything else."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return None
    if name in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)  # gzip or zlib header
    raise requests.exceptions.ContentDecodingError(f"unsupported Content-Encoding {encoding!r}")


def _decode(decoder: Any, chunk: bytes) -> Iterator[bytes]:
    """`chunk` decoded, in pieces of at most CHUNK bytes: a bomb never inflates at once."""
    if decoder is None:
        yield chunk
        return
    data = chunk
    while data:
        yield decoder.decompress(data, CHUNK)  # zlib stops inflating at CHUNK bytes
        data = decoder.unconsumed_tail
