"""Notebook API request bodies built from flat fields (CLI flags, magic options, form controls).

Assembling only: every caller runs :mod:`.rules` on what is built here, so flags, forms and
files are judged alike. Run times are given in **seconds** (or ``"off"``), as everywhere on our
Python API; :func:`~.lease.lease_ms` turns them into the wire's milliseconds.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..durations import AutoStopSetting
from ..merging import merge_bodies
from .lease import lease_ms
from .rules import SUPPORTED_OWNERSHIP, SUPPORTED_VOLUME_CATEGORIES

__all__ = ["build_create_body", "build_update_body", "build_lease_body", "build_start_query"]


def _lease(lease: AutoStopSetting, lease_type: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"duration": lease_ms(lease)}
    if lease_type is not None:
        body["type"] = lease_type
    return body


def build_create_body(
    *,
    base: Mapping[str, Any] | None = None,
    name: str | None = None,
    image_id: str | None = None,
    flavor: str | None = None,
    description: str | None = None,
    capacity: int | None = None,
    lease: AutoStopSetting | None = None,
    lease_type: str | None = None,
    workspace_id: str | None = None,
    feature: str | None = None,
) -> dict[str, Any]:
    """A NotebookCreateRequest from flat fields; fields left ``None`` are omitted.

    The volume is always the local server's one kind, ``{"category": "EVS", "ownership":
    "MANAGED"}``, with ``capacity`` (GB) when given. ``lease`` is a run time in seconds or
    ``"off"`` (``None``: the API's default, 1 h); it is sent as ``lease`` (the documented
    way), never as the top-level ``duration``.

    With ``base`` (a NotebookCreateRequest, e.g. from a YAML file), the fields are laid over it
    instead (objects merged key by key): its ``volume`` is kept unless ``capacity`` is given,
    and a ``lease`` given here replaces the base's top-level ``duration`` (which would win over
    it, as documented).
    """
    body: dict[str, Any] = {}
    for key, value in (("name", name), ("image_id", image_id), ("flavor", flavor), ("description", description),
                       ("workspace_id", workspace_id), ("feature", feature)):
        if value is not None:
            body[key] = value
    volume: dict[str, Any] = {"category": SUPPORTED_VOLUME_CATEGORIES[0], "ownership": SUPPORTED_OWNERSHIP}
    if capacity is not None:
        volume["capacity"] = capacity
    body["volume"] = volume
    if lease is not None:
        body["lease"] = _lease(lease, lease_type)
    elif lease_type is not None:
        body["lease"] = {"type": lease_type}
    if base is None:
        return body
    if capacity is None and base.get("volume") is not None:
        del body["volume"]
    merged = merge_bodies(base, body)
    if lease is not None:
        merged.pop("duration", None)
    return merged


def build_update_body(
    *,
    name: str | None = None,
    description: str | None = None,
    flavor: str | None = None,
    image_id: str | None = None,
    storage_new_size: int | None = None,
) -> dict[str, Any]:
    """A NotebookUpdateRequest from the fields to change; ``None`` leaves a field as it is.
    (The run time is not changed by an update in this API: see :func:`build_lease_body`.)"""
    body: dict[str, Any] = {}
    for key, value in (("name", name), ("description", description), ("flavor", flavor), ("image_id", image_id),
                       ("storage_new_size", storage_new_size)):
        if value is not None:
            body[key] = value
    return body


def build_lease_body(lease: AutoStopSetting, lease_type: str | None = None) -> dict[str, Any]:
    """The renew body (LeaseReq): run ``lease`` seconds from now (or ``"off"``)."""
    return _lease(lease, lease_type)


def build_start_query(lease: AutoStopSetting | None = None, lease_type: str | None = None) -> dict[str, str]:
    """The start call's query parameters (``?duration=&type=``) from a run time in seconds
    (or ``"off"``); ``None`` leaves the API's defaults (1 h, TIMING)."""
    query: dict[str, str] = {}
    if lease is not None:
        query["duration"] = str(lease_ms(lease))
    if lease_type is not None:
        query["type"] = lease_type
    return query
