"""Framing between the executor and its workers: a 4-byte big-endian length, then UTF-8 JSON.

Every frame holds a JSON array of messages (the jobs a dispatch pass gives one worker, the results
a worker held back), so each side parses once per batch, not once per program. JSON, not pickle:
what comes back from a worker is untrusted, and parsing JSON builds only plain lists, strings and
numbers. Imports only the standard library (the worker runs it as a script).
"""

from __future__ import annotations

import json
import os
import struct

HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 2**20  # a frame larger than this is a protocol violation, not data
_ENCODER = json.JSONEncoder(separators=(",", ":"))  # made once: json.dumps makes one per call


def encode(message: object) -> bytes:
    """A message as compact JSON, ready for :func:`frame`."""
    return _ENCODER.encode(message).encode()


def frame(messages: list[bytes]) -> bytes:
    """One frame holding the array of already-encoded ``messages``."""
    body = b"[" + b",".join(messages) + b"]"
    return HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read_exact(fd: int, n: int) -> bytes | None:
    """Read exactly ``n`` bytes, or return None at end of file."""
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> list | None:
    """Blocking read of one frame: its messages; None at end of file."""
    head = read_exact(fd, HEADER.size)
    if head is None:
        return None
    (size,) = HEADER.unpack(head)
    body = read_exact(fd, size)
    return None if body is None else json.loads(body)


class FrameBuffer:
    """Accumulates bytes read without blocking and yields complete frame bodies."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        buf = self._buf
        buf += data
        bodies = []
        pos = 0
        while len(buf) - pos >= HEADER.size:
            (size,) = HEADER.unpack_from(buf, pos)
            if size > MAX_FRAME:
                raise ValueError(f"frame of {size} bytes exceeds the {MAX_FRAME}-byte limit")
            end = pos + HEADER.size + size
            if len(buf) < end:
                break
            bodies.append(bytes(buf[pos + HEADER.size : end]))
            pos = end
        del buf[:pos]
        return bodies
