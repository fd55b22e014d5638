"""The list envelope every Notebook API list answers with (§1.2): ``{current, data, pages, size, total}``.

The reference's samples fit ``size`` = the requested page size (not the number of items),
``pages = ceil(total / size)``; whether ``current`` counts from 0 or 1 is not documented (the
samples show both): here ``current = offset // size``, the reference's suggestion.
"""

from __future__ import annotations

from typing import Any, Sequence, TypeVar

T = TypeVar("T")

__all__ = ["page_envelope", "flavors_envelope"]


def page_envelope(items: Sequence[T], *, offset: int, limit: int | None) -> dict[str, Any]:
    """The page of ``items`` (all matching items, in order) that starts at ``offset`` and holds
    at most ``limit`` (``None``: no limit, as the flavor lists default to; the page size is then
    the number of matching items)."""
    total = len(items)
    size = limit if limit else total
    data = list(items[offset:offset + limit]) if limit else list(items[offset:])
    return {
        "current": offset // limit if limit else 0,  # without a limit there is one page
        "data": data,
        "pages": -(-total // size) if size else 0,
        "size": size,
        "total": total,
    }


def flavors_envelope(items: Sequence[T], *, offset: int, limit: int | None) -> dict[str, Any]:
    """The flavor lists' envelope: :func:`page_envelope` plus ``flavors``, the same items
    (the model has both arrays, a sample fills both with the same items, §4.10)."""
    envelope = page_envelope(items, offset=offset, limit=limit)
    envelope["flavors"] = list(envelope["data"])
    return envelope
