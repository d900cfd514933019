"""Time-ordered identifiers (UUID version 7) so that id order is creation order."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last = (0, 0)  # (millisecond, 74-bit counter) of the previous id in this process
_RANDOM_BITS = 74


def new_id() -> str:
    """A new UUIDv7 string: 48-bit Unix milliseconds, then 74 bits that grow within a millisecond.

    Ids made by one process sort in creation order even within one millisecond
    (the random tail is incremented, RFC 9562 method 3); across processes they
    sort by millisecond.
    """
    global _last
    with _lock:
        ms = time.time_ns() // 1_000_000
        last_ms, last_tail = _last
        if ms <= last_ms:
            ms, tail = last_ms, last_tail + 1
        else:
            # Leave headroom below the top so the increments cannot overflow.
            tail = int.from_bytes(os.urandom(10), "big") >> (80 - _RANDOM_BITS + 1)
        _last = (ms, tail)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (tail >> 62) << 64
    value |= 0b10 << 62
    value |= tail & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))
