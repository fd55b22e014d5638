"""Building request bodies from flat fields (CLI flags, magic options, form controls).

Assembling only: the rules live in :mod:`nb_devenv.contract.devenviron.rules`, which every caller runs on
the body built here, so flags, forms and files are all judged the same way.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..durations import AUTO_STOP_OFF, AutoStopSetting
from ..merging import merge_bodies

__all__ = ["build_create_body", "build_update_body", "auto_stop_spec", "merge_bodies", "CLIENT_TOKEN_KEY",
           "BodyParseError", "parse_body_text"]

#: annotation that marks a create request so a retry can find the instance it may have made
CLIENT_TOKEN_KEY = "nb_devenv.client_token"


def auto_stop_spec(auto_stop: AutoStopSetting | Mapping[str, Any], prompt: bool | None = None) -> dict[str, Any]:
    """``spec.auto_stop`` of a create or update body from the one shape every surface takes: a
    running time in seconds, or ``"off"``. An API-shaped object (``{"enable", "duration",
    "prompt"}``) is taken as it is."""
    if isinstance(auto_stop, Mapping):
        return dict(auto_stop)
    if auto_stop == AUTO_STOP_OFF:
        return {"enable": False}
    spec: dict[str, Any] = {"enable": True, "duration": auto_stop}
    if prompt is not None:
        spec["prompt"] = prompt
    return spec


def build_create_body(
    *,
    base: Mapping[str, Any] | None = None,
    name: str | None = None,
    profile_id: str | None = None,
    flavor: str | None = None,
    description: str | None = None,
    storage: str | None = None,
    path: str | None = None,
    volume_size: int | None = None,
    auto_stop: AutoStopSetting | None = None,
    auto_stop_prompt: bool | None = None,
    annotations: Mapping[str, str] | None = None,
    workspace: str | None = None,
) -> dict[str, Any]:
    """A create body in the API's shape from flat fields; fields left ``None`` are omitted.

    ``auto_stop`` is a running time in seconds or ``"off"`` (``None``: not said, which a new
    instance takes as off). Without ``storage``, a ``path`` implies OBS, a ``volume_size`` EVS,
    and otherwise EVS is used. With ``base`` (an API-shaped body, e.g. from a YAML file), the
    fields are laid over it instead: storage is left as the base has it unless a field names
    it, and ``auto_stop="off"`` replaces the base's auto-stop rather than merging into it.
    """
    body: dict[str, Any] = {}
    for key, value in (("name", name), ("profile_id", profile_id), ("description", description),
                       ("flavor", flavor)):
        if value is not None:
            body[key] = value
    default_storage = "EVS" if base is None else None
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
        spec["auto_stop"] = auto_stop_spec(auto_stop, auto_stop_prompt)
    if annotations:
        spec["annotations"] = dict(annotations)
    if spec:
        body["spec"] = spec
    if workspace is not None:
        body["workspace"] = {"id": workspace}
    if base is None:
        return body
    merged = merge_bodies(base, body)
    if auto_stop == AUTO_STOP_OFF:
        merged["spec"]["auto_stop"] = auto_stop_spec(AUTO_STOP_OFF)
    return merged


def build_update_body(*, description: str | None = None,
                      auto_stop: AutoStopSetting | Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An update body (``PUT .../{id}``) from the fields to change; ``None`` leaves one as it
    is. ``auto_stop`` takes the same shape as :func:`build_create_body`'s."""
    body: dict[str, Any] = {}
    if description is not None:
        body["description"] = description
    if auto_stop is not None:
        body["spec"] = {"auto_stop": auto_stop_spec(auto_stop)}
    return body


class BodyParseError(ValueError):
    """A request body that is not valid YAML/JSON; the message gives line and column."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.line, self.column = line, column
        super().__init__(message)


def parse_body_text(text: str, source: str = "body") -> dict[str, Any]:
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
