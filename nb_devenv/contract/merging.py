"""Laying one request body over another: what both dialects do when a YAML/JSON body and
flags (or form fields) describe the same request."""

from __future__ import annotations

import copy
from typing import Any, Mapping

__all__ = ["merge_bodies"]


def merge_bodies(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it, objects merged key by key (``%%devenv`` body +
    line flags). A ``None`` in ``override`` removes nothing: it is skipped."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if value is None:
            continue
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_bodies(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
