"""Unambiguous byte encoding for associated data and key-derivation info.

Each part is written as a 4-byte big-endian length followed by its bytes (strings as
UTF-8), so no two different sequences of parts encode to the same bytes: ``("ab", "c")``
and ``("a", "bc")`` differ.
"""

from __future__ import annotations

__all__ = ["frame"]


def frame(*parts: str | bytes) -> bytes:
    """Length-prefix and concatenate ``parts``."""
    out: list[bytes] = []
    append = out.append
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else bytes(part)
        append(len(data).to_bytes(4, "big"))
        append(data)
    return b"".join(out)
