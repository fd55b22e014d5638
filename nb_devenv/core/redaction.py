"""Masking of secrets (AK, SK, tokens) wherever one would otherwise be shown.

Used by the client's reprs and exceptions, the server's error messages and logs, and the
widgets' configuration view, so that no secret reaches a notebook output, a log or a traceback.
"""

from __future__ import annotations

from typing import Iterable

__all__ = ["mask", "redact"]


def mask(secret: str | None) -> str:
    """``AKIA…3F``-style mask: enough to tell two keys apart, never enough to use one."""
    if not secret:
        return "<none>"
    if len(secret) <= 8:
        return "…"
    return f"{secret[:4]}…{secret[-2:]}"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each non-empty secret replaced by its mask."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, mask(secret))
    return text
