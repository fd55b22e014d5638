"""Building request bodies from flat fields (CLI flags, magic options, form controls).

Assembling only: the rules live in :mod:`nb_devenv.contract.devenviron.rules`, which every caller runs on
the body built here, so flags, forms and files are all judged the same way.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

__all__ = ["build_create_body", "merge_bodies", "CLIENT_TOKEN_KEY", "BodyParseError", "parse_body_text"]

#: annotation that marks a create request so a retry can find the instance it may have made
CLIENT_TOKEN_KEY = "nb_devenv.client_token"


def build_create_body(
    *,
    name: str | None = None,
    profile_id: str | None = None,
    flavor: str | None = None,
    description: str | None = None,
    storage: str | None = None,
    path: str | None = None,
    volume_size: int | None = None,
    auto_stop: int | None = None,
    auto_stop_prompt: bool | None = None,
    annotations: Mapping[str, str] | None = None,
    workspace: str | None = None,
    default_storage: str | None = "EVS",
) -> dict:
    """A create body in the API's shape from flat fields; fields left ``None`` are omitted.

    ``auto_stop`` is a duration in seconds (``None``: auto-stop off). Without ``storage``, a
    ``path`` implies OBS, a ``volume_size`` EVS, and otherwise ``default_storage`` is used
    (pass ``None`` to build an override that leaves storage alone).
    """
    body: dict[str, Any] = {}
    for key, value in (("name", name), ("profile_id", profile_id), ("description", description),
                       ("flavor", flavor)):
        if value is not None:
            body[key] = value
    kind = storage or ("OBS" if path is not None else "EVS" if volume_size is not None else default_storage)
    location: dict[str, Any] = {}
    if path is not None:
        location["path"] = path
    if volume_size is not None:
        location["volume_size"] = volume_size
    spec: dict[str, Any] = {}
    if kind is not None:
        spec["storage"] = {"type": kind}
        if location:
            spec["storage"]["location"] = location
    if auto_stop is not None:
        spec["auto_stop"] = {"enable": True, "duration": auto_stop}
        if auto_stop_prompt is not None:
            spec["auto_stop"]["prompt"] = auto_stop_prompt
    if annotations:
        spec["annotations"] = dict(annotations)
    if spec:
        body["spec"] = spec
    if workspace is not None:
        body["workspace"] = {"id": workspace}
    return body


def merge_bodies(base: Mapping, override: Mapping) -> dict:
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


class BodyParseError(ValueError):
    """A request body that is not valid YAML/JSON; the message gives line and column."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.line, self.column = line, column
        super().__init__(message)


def parse_body_text(text: str, source: str = "body") -> dict:
    """A request body from YAML or JSON text (JSON is tried first for exact error positions).

    Raises :class:`BodyParseError` naming ``source``, line and column, or when the text is not
    a mapping at the top level.
    """
    import json

    import yaml

    stripped = text.strip()
    if not stripped:
        raise BodyParseError(f"{source} is empty: expected a YAML or JSON object")
    if stripped.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise BodyParseError(f"{source}: invalid JSON at line {error.lineno}, column {error.colno}: "
                                 f"{error.msg}", error.lineno, error.colno) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
            where = f" at line {line}, column {column}" if mark else ""
            problem = getattr(error, "problem", None) or str(error)
            raise BodyParseError(f"{source}: invalid YAML{where}: {problem}", line, column) from None
    if not isinstance(data, dict):
        raise BodyParseError(f"{source} must be a mapping of the API's request fields "
                             f"(name, profile_id, flavor, spec, ...), not {type(data).__name__}")
    return data
