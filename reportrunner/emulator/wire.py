"""Answers that misbehave on the wire: slow drips, stalls, oversized bodies, a gzip bomb.

Kept apart from handler.py, which builds well-formed replies: these faults write the status
line, headers and body themselves, byte by byte or without end, so that a client's overall
deadline and size cap can be tested over real HTTP. Every loop stops when the client hangs up
or the emulator stops, and the endless body is bounded by its fault's `size`.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import zlib
from io import BufferedIOBase

from reportrunner.emulator.faults import Fault

BLOCK = 64 * 1024


def write(
    out: BufferedIOBase, fault: Fault, status: int, payload: bytes, stop: threading.Event
) -> None:
    """Write `fault`'s misbehaving answer (carrying `payload` where it has one) to `out`."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
        _write(out, fault, status, payload, stop)


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Answer'}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _write(
    out: BufferedIOBase, fault: Fault, status: int, payload: bytes, stop: threading.Event
) -> None:
    json_type = "application/json"
    if fault.kind == "stall_headers":
        head = _head(status, {"Content-Type": json_type, "Content-Length": str(len(payload))})
        out.write(head[: len(head) // 2])
        out.flush()
        stop.wait(fault.seconds)
        return
    if fault.kind in ("drip", "stall_body"):
        out.write(_head(status, {"Content-Type": json_type, "Content-Length": str(len(payload))}))
        if fault.kind == "stall_body":
            out.write(payload[: len(payload) // 2])
            out.flush()
            stop.wait(fault.seconds)
            return
        for index in range(len(payload)):
            out.write(payload[index : index + 1])
            out.flush()
            if stop.wait(fault.seconds):
                return
        return
    if fault.kind == "oversized":
        out.write(_head(200, {"Content-Type": json_type, "Content-Length": str(fault.size)}))
        _filler(out, fault.size, stop)
        return
    if fault.kind == "gzip_bomb":
        bomb = _gzip_zeros(fault.size)
        headers = {"Content-Type": json_type, "Content-Encoding": "gzip"}
        out.write(_head(200, {**headers, "Content-Length": str(len(bomb))}))
        out.write(bomb)
        return
    if fault.kind == "endless":
        out.write(_head(200, {"Content-Type": json_type, "Transfer-Encoding": "chunked"}))
        chunk = f"{BLOCK:x}\r\n".encode() + b" " * BLOCK + b"\r\n"
        for _ in range(fault.size // BLOCK + 1):
            if stop.is_set():
                return
            out.write(chunk)
        out.write(b"0\r\n\r\n")
        return
    if fault.kind == "lying_length":
        out.write(_head(200, {"Content-Type": json_type, "Content-Length": str(fault.size)}))
        out.write(payload[:100])
        return
    raise ValueError(f"not a wire fault: {fault.kind!r}")


def _filler(out: BufferedIOBase, size: int, stop: threading.Event) -> None:
    """`size` bytes of valid JSON: a list of spaces inside [ ]."""
    out.write(b"[")
    left = size - 2
    block = b" " * BLOCK
    while left > 0 and not stop.is_set():
        out.write(block[: min(left, BLOCK)])
        left -= BLOCK
    out.write(b"]")


@functools.lru_cache(maxsize=4)
def _gzip_zeros(size: int) -> bytes:
    """A gzip stream of `size` zero bytes (about 1/1000 of that), compressed once per size."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = []
    block = bytes(min(size, 1 << 20))
    left = size
    while left > 0:
        parts.append(packer.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(packer.flush())
    return b"".join(parts)
