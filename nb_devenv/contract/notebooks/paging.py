"""The list envelope every Notebook API list answers with (§1.2): ``{current, data, pages, size, total}``.

The reference's samples fit ``size`` = the requested page size (not the number of items),
``pages = ceil(total / size)``; whether ``current`` counts from 0 or 1 is not documented (the
samples show both): here ``current = offset // size``, the reference's suggestion.
"""

from __future__ import annotations

from typing import Any, Sequence, TypeVar

T = TypeVar("T")

__all__ = ["page_envelope", "envelope_of_page", "flavors_envelope"]


def page_envelope(items: Sequence[T], *, offset: int, limit: int | None) -> dict[str, Any]:
    """The page of ``items`` (all matching items, in order) that starts at ``offset`` and holds
    at most ``limit`` (``None``: no limit, as the flavor lists default to; the page size is then
    the number of matching items)."""
    page = list(items[offset:offset + limit]) if limit else list(items[offset:])
    return envelope_of_page(page, total=len(items), offset=offset, limit=limit)


def envelope_of_page(page: Sequence[T], *, total: int, offset: int, limit: int | None) -> dict[str, Any]:
    """The envelope of a page already cut (by a database, say) from ``total`` matching items,
    starting at ``offset`` with at most ``limit`` items: the same numbers as :func:`page_envelope`."""
    size = limit if limit else total
    return {
        "current": offset // limit if limit else 0,  # without a limit there is one page
        "data": list(page),
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
