"""Helpers for the rule tables of both API dialects: one row per rule, each a documented
example body with only the fields the row names changed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

#: a change value meaning "remove this key from the body"
MISSING = object()


def vary(seed: dict, changes: dict) -> dict:
    """``seed`` with ``changes`` applied, e.g. ``{"spec.storage.type": "EVS", "name": MISSING}``.

    Keys are dotted field paths; missing parents are created; changes apply in order.
    """
    body = copy.deepcopy(seed)
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        node = body
        for key in parents:
            node = node.setdefault(key, {})
        if value is MISSING:
            node.pop(leaf, None)
        else:
            node[leaf] = copy.deepcopy(value)
    return body


def pairs(violations: list[Any]) -> list[tuple[str, str]]:
    """``(code, field)`` of each violation, in order."""
    return [(v.code, v.field) for v in violations]


def ok(row_id: str, changes: dict, **kw: Any) -> Any:
    """A row the rules must accept."""
    return pytest.param(changes, id=row_id, **kw)


def bad(row_id: str, changes: dict, code: str, field: str, **kw: Any) -> Any:
    """A row the rules must refuse with ``code``, naming ``field``."""
    return pytest.param(changes, code, field, id=row_id, **kw)
