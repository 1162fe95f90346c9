"""Framing between the executor and its workers: a 4-byte big-endian length, then UTF-8 JSON.

JSON, not pickle: what comes back from a worker is untrusted, and parsing JSON builds only plain
lists, strings and numbers. Imports only the standard library (the worker runs it as a script).
"""

from __future__ import annotations

import json
import os
import struct

HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 2**20  # a frame larger than this is a protocol violation, not data


def encode(message: object) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()
    return HEADER.pack(len(body)) + body


def frame(body: bytes) -> bytes:
    """Frame an already-encoded JSON body."""
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


def read_message(fd: int) -> object | None:
    """Blocking read of one message; None at end of file."""
    head = read_exact(fd, HEADER.size)
    if head is None:
        return None
    (size,) = HEADER.unpack(head)
    body = read_exact(fd, size)
    return None if body is None else json.loads(body)


class FrameBuffer:
    """Accumulates bytes read without blocking and yields complete message bodies."""

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
