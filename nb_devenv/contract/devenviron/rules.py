"""Every rule of the request tables of the ModelArts API reference "Creating a Development
Environment Instance" (modelarts_03_0110) and its siblings, checked in one place.

The create form's live feedback, the client's pre-flight check, the CLI and the local server
all call these functions, so a rule changed here changes everywhere. Each check returns
*all* the violations it finds (not just the first), each naming the field, the rule, and the
ModelArts error code the real service answers with.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Mapping

from ..catalogue import FLAVORS, PROFILES
from ..checks import (
    DESCRIPTION_FORBIDDEN,
    DESCRIPTION_MAX,
    EVS_DEFAULT_GB,
    EVS_MAX_GB,
    EVS_MIN_GB,
    LIST_INT_MAX,
    check_description,
    check_name,
    incorrect,
    missing,
    not_an_object,
    query_count,
    sub_object,
    type_ok,
    unknown_keys,
    wrong_type,
)
from ..violations import Violation, describe_violations
from .status import ACTIONS, STATUSES

__all__ = [
    "Violation",
    "describe_violations",
    "NAME_MAX",
    "NAME_PATTERN",
    "DESCRIPTION_MAX",
    "DESCRIPTION_FORBIDDEN",
    "STORAGE_TYPES",
    "VOLUME_MIN",
    "VOLUME_MAX",
    "VOLUME_DEFAULT",
    "DURATION_MIN",
    "DURATION_MAX",
    "DEFAULT_WORKSPACE",
    "WORKSPACE_ID_MAX",
    "LIST_SORT_FIELDS",
    "LIST_INT_MAX",
    "OBS_PATH_MAX_BYTES",
    "OBS_NAME_MAX_BYTES",
    "ANNOTATIONS_MAX",
    "ANNOTATION_KEY_MAX",
    "ANNOTATION_VALUE_MAX",
    "validate_create",
    "with_defaults",
    "validate_update",
    "validate_action",
    "validate_list_query",
    "parse_obs_path",
]

NAME_MAX = 64
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
STORAGE_TYPES = ("OBS", "EVS")
VOLUME_MIN, VOLUME_MAX, VOLUME_DEFAULT = EVS_MIN_GB, EVS_MAX_GB, EVS_DEFAULT_GB
DURATION_MIN, DURATION_MAX = 3600, 86400
DEFAULT_WORKSPACE = "0"
#: workspace ids are "0" or 32 hex digits on ModelArts; longer ones cannot be real
WORKSPACE_ID_MAX = 64
LIST_SORT_FIELDS = ("name", "creation_timestamp")
#: an OBS object key is at most 1024 bytes (UTF-8) and names no control characters (OBS naming
#: rules); each directory name becomes a directory of the local server, at most 255 bytes
OBS_PATH_MAX_BYTES = 1024
OBS_NAME_MAX_BYTES = 255
#: ``spec.annotations`` is a map of labels (not storage): ModelArts does not document a limit, so
#: these follow Kubernetes' spirit and keep one instance's record small
ANNOTATIONS_MAX = 50
ANNOTATION_KEY_MAX = 128
ANNOTATION_VALUE_MAX = 2048

# OBS bucket names: 3-63 chars of lower-case letters, digits, '-' and '.', starting and ending
# with a letter or digit (OBS naming rules); objects below it are '/'-separated directories.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")

_WORKSPACE_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{WORKSPACE_ID_MAX}}}")

# the request shape (the create page's request tables): allowed keys at each level, to refuse unknown fields
_CREATE_KEYS = ("name", "profile_id", "description", "flavor", "spec", "workspace")
_SPEC_KEYS = ("storage", "auto_stop", "annotations")
_STORAGE_KEYS = ("type", "location")
_LOCATION_KEYS = ("path", "volume_size")
_AUTO_STOP_KEYS = ("enable", "duration", "prompt")
_WORKSPACE_KEYS = ("id",)
_UPDATE_KEYS = ("description", "spec")
_UPDATE_SPEC_KEYS = ("auto_stop",)


# the shared helpers under the names this module has always used (other modules import some)
_type_ok = type_ok
_wrong_type = wrong_type
_missing = missing
_incorrect = incorrect
_unknown_keys = unknown_keys
_object = sub_object
_check_description = check_description


def _check_auto_stop(auto_stop: Mapping[str, Any], path: str) -> list[Violation]:
    found = _unknown_keys(auto_stop, _AUTO_STOP_KEYS, path + ".")
    for key in ("enable", "prompt"):
        if key in auto_stop and not _type_ok(auto_stop[key], bool):
            found.append(_wrong_type(f"{path}.{key}", bool))
    duration = auto_stop.get("duration")
    if duration is None:
        if auto_stop.get("enable") is True:
            found.append(_missing(f"{path}.duration", "is required when auto-stop is enabled",
                                  "ModelArts.6348"))
    elif not _type_ok(duration, int):
        found.append(_wrong_type(f"{path}.duration", int))
    elif not DURATION_MIN <= duration <= DURATION_MAX:
        found.append(Violation(
            "ModelArts.6349", f"{path}.duration",
            f"must be between {DURATION_MIN} and {DURATION_MAX} seconds (1-24 h), got {duration}",
            (DURATION_MIN, DURATION_MAX),
        ))
    return found


def parse_obs_path(path: str) -> tuple[str, str]:
    """Split an OBS path (``bucket/dir/``, ``/bucket/dir/`` or ``obs://bucket/dir/``) into
    bucket and directory (the directory keeps its trailing ``/``)."""
    rest = path[len("obs://"):] if path.startswith("obs://") else path
    rest = rest.lstrip("/")
    bucket, _, directory = rest.partition("/")
    return bucket, directory


def _control_characters(text: str) -> list[str]:
    return sorted({ch for ch in text if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0})


def _check_obs_path(value: Any, path: str) -> list[Violation]:
    if not _type_ok(value, str):
        return [_wrong_type(path, str)]
    if not value.strip("/"):
        return [Violation("ModelArts.6317", path, "is required when the storage type is OBS")]
    found = []
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > OBS_PATH_MAX_BYTES:
        # nothing more is worth checking in a path this long (and it would be echoed back)
        return [_incorrect(path, f"must be at most {OBS_PATH_MAX_BYTES} bytes (got {size})")]
    control = _control_characters(value)
    if control:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in control)
        return [_incorrect(path, f"must not contain control characters (found {shown})")]
    if not value.endswith("/"):
        found.append(Violation("ModelArts.6318", path, f"must end with '/' (got {value!r})"))
    bucket, directory = parse_obs_path(value)
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        found.append(_incorrect(
            path, f"bucket {bucket!r} is not a valid OBS bucket name (3-63 lower-case letters, "
                  "digits, '-' or '.', starting and ending with a letter or digit)"))
    if not directory.strip("/"):
        found.append(Violation("ModelArts.6358", path,
                               "must name a directory inside the bucket, not the bucket root "
                               f"(e.g. '{bucket or 'bucket'}/work/')"))
    else:
        parts = directory.rstrip("/").split("/")
        if any(part in ("", ".", "..") for part in parts):
            found.append(_incorrect(path, "directories must be non-empty names, not '.', '..' or '//'"))
        long_names = [part for part in parts if len(part.encode("utf-8", "surrogatepass")) > OBS_NAME_MAX_BYTES]
        if long_names:
            found.append(_incorrect(path, f"each directory name must be at most {OBS_NAME_MAX_BYTES} bytes "
                                          f"(one has {len(long_names[0].encode('utf-8', 'surrogatepass'))})"))
    return found


def _check_storage(storage: Mapping[str, Any], path: str) -> list[Violation]:
    found = _unknown_keys(storage, _STORAGE_KEYS, path + ".")
    kind = storage.get("type")
    if kind is None:
        found.append(_missing(f"{path}.type"))
    elif not _type_ok(kind, str):
        found.append(_wrong_type(f"{path}.type", str))
    elif not kind.isascii() or kind.upper() not in STORAGE_TYPES:
        found.append(Violation("ModelArts.6324", f"{path}.type",
                               f"must be OBS or EVS (any case), got {kind!r}"))
        kind = None
    location = _object(storage, "location", path + ".", found)
    if location is not None:
        found += _unknown_keys(location, _LOCATION_KEYS, f"{path}.location.")
    kind = kind.upper() if isinstance(kind, str) else None
    loc_path = f"{path}.location.path"
    location_has_wrong_type = storage.get("location") is not None and location is None
    if kind == "OBS" and not location_has_wrong_type:
        if location is None or location.get("path") is None:
            found.append(Violation("ModelArts.6317", loc_path, "is required when the storage type is OBS"))
        else:
            found += _check_obs_path(location["path"], loc_path)
    if kind != "OBS" and location is not None and location.get("path") is not None and not _type_ok(
            location["path"], str):
        found.append(_wrong_type(loc_path, str))  # not used for EVS, but stored and shown: a string
    if location is not None and location.get("volume_size") is not None:
        size = location["volume_size"]
        size_path = f"{path}.location.volume_size"
        if not _type_ok(size, int):
            found.append(_wrong_type(size_path, int))
        elif kind != "OBS" and not VOLUME_MIN <= size <= VOLUME_MAX:
            found.append(Violation("ModelArts.6331", size_path,
                                   f"must be between {VOLUME_MIN} and {VOLUME_MAX} GB, got {size}",
                                   (VOLUME_MIN, VOLUME_MAX)))
    return found


def _check_annotations(annotations: Mapping[str, Any], path: str) -> list[Violation]:
    if len(annotations) > ANNOTATIONS_MAX:
        return [_incorrect(path, f"must hold at most {ANNOTATIONS_MAX} entries (got {len(annotations)})")]
    found = []
    for key, value in annotations.items():
        if not 1 <= len(key) <= ANNOTATION_KEY_MAX:
            found.append(_incorrect(path, f"keys must be 1-{ANNOTATION_KEY_MAX} characters "
                                          f"(one has {len(key)})"))
        elif not _type_ok(value, str):
            found.append(_wrong_type(f"{path}.{key}", str))
        elif len(value) > ANNOTATION_VALUE_MAX:
            found.append(_incorrect(f"{path}.{key}", f"must be at most {ANNOTATION_VALUE_MAX} characters "
                                                     f"(got {len(value)})"))
    return found


def _check_name(value: Any, path: str = "name") -> list[Violation]:
    return check_name(value, path, max_length=NAME_MAX, allowed=NAME_PATTERN,
                      allowed_text="letters, digits, '-' and '_'")


# --- the requests -----------------------------------------------------------------------------

def validate_create(body: Any) -> list[Violation]:
    """All violations of the create-instance request body (the create page's request tables); ``[]`` if valid."""
    if not _type_ok(body, dict):
        return not_an_object(body)
    found = _unknown_keys(body, _CREATE_KEYS, "")

    if body.get("name") is None:
        found.append(_missing("name"))
    else:
        found += _check_name(body["name"])

    profile = body.get("profile_id")
    if profile is None:
        found.append(_missing("profile_id"))
    elif not _type_ok(profile, str):
        found.append(_wrong_type("profile_id", str))
    elif profile not in PROFILES:
        found.append(_incorrect("profile_id", f"must be one of {', '.join(PROFILES)}; got {profile!r}"))

    if body.get("description") is not None:
        found += _check_description(body["description"], "description")

    flavor = body.get("flavor")
    if flavor is None:
        found.append(_missing("flavor"))
    elif not _type_ok(flavor, str):
        found.append(_wrong_type("flavor", str))
    elif flavor not in FLAVORS:
        found.append(Violation("ModelArts.6323", "flavor",
                               f"must be one of {', '.join(FLAVORS)}; got {flavor!r}"))

    if (isinstance(profile, str) and isinstance(flavor, str) and profile in PROFILES and flavor in FLAVORS
            and PROFILES[profile].hardware != FLAVORS[flavor].hardware):
        found.append(Violation(
            "ModelArts.6330", "flavor",
            f"profile {profile} needs a {PROFILES[profile].hardware} flavor, "
            f"but {flavor} is a {FLAVORS[flavor].hardware} flavor"))

    if body.get("spec") is None:
        found.append(_missing("spec"))
    else:
        spec = _object(body, "spec", "", found)
        if spec is not None:
            found += _unknown_keys(spec, _SPEC_KEYS, "spec.")
            if spec.get("storage") is None:
                found.append(Violation("ModelArts.6316", "spec.storage", "is required (OBS or EVS storage)"))
            else:
                storage = _object(spec, "storage", "spec.", found)
                if storage is not None:
                    found += _check_storage(storage, "spec.storage")
            auto_stop = _object(spec, "auto_stop", "spec.", found)
            if auto_stop is not None:
                found += _check_auto_stop(auto_stop, "spec.auto_stop")
            annotations = _object(spec, "annotations", "spec.", found)
            if annotations is not None:
                found += _check_annotations(annotations, "spec.annotations")

    workspace = _object(body, "workspace", "", found)
    if workspace is not None:
        found += _unknown_keys(workspace, _WORKSPACE_KEYS, "workspace.")
        ws_id = workspace.get("id")
        if ws_id is not None and not _type_ok(ws_id, str):
            found.append(_wrong_type("workspace.id", str))
        elif ws_id is not None and not _WORKSPACE_ID.fullmatch(ws_id):
            found.append(_incorrect("workspace.id", f"must be 1-{WORKSPACE_ID_MAX} letters, digits, '-' or '_'"))
    return found


def with_defaults(body: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a *valid* create body with the documented defaults filled in
    (description "", EVS volume 5 GB, auto-stop off with prompt on, workspace "0");
    an explicit ``null`` counts as absent, as the rules treat it."""

    def fill(obj: dict[str, Any], key: str, default: Any) -> None:
        if obj.get(key) is None:
            obj[key] = default

    filled = copy.deepcopy(dict(body))
    fill(filled, "description", "")
    spec = filled["spec"]
    storage = spec["storage"]
    if storage["type"].upper() == "EVS":
        fill(storage, "location", {})
        fill(storage["location"], "volume_size", VOLUME_DEFAULT)
    fill(spec, "auto_stop", {})
    fill(spec["auto_stop"], "enable", False)
    fill(spec["auto_stop"], "prompt", True)
    spec["annotations"] = dict(spec.get("annotations") or {})
    fill(filled, "workspace", {})
    fill(filled["workspace"], "id", DEFAULT_WORKSPACE)
    return filled


def validate_update(body: Any) -> list[Violation]:
    """All violations of the update request body: ``description`` and ``spec.auto_stop``."""
    if not _type_ok(body, dict):
        return not_an_object(body)
    found = _unknown_keys(body, _UPDATE_KEYS, "")
    if body.get("description") is not None:
        found += _check_description(body["description"], "description")
    spec = _object(body, "spec", "", found)
    if spec is not None:
        found += _unknown_keys(spec, _UPDATE_SPEC_KEYS, "spec.")
        auto_stop = _object(spec, "auto_stop", "spec.", found)
        if auto_stop is not None:
            found += _check_auto_stop(auto_stop, "spec.auto_stop")
    return found


def validate_action(body: Any) -> list[Violation]:
    """Violations of the ``POST .../action`` body ``{"action": "start" | "stop" | ...}``."""
    if not _type_ok(body, dict):
        return not_an_object(body)
    found = _unknown_keys(body, ("action",), "")
    action = body.get("action")
    if action is None:
        found.append(_missing("action"))
    elif not _type_ok(action, str):
        found.append(_wrong_type("action", str))
    elif action not in ACTIONS:
        found.append(_incorrect("action", f"must be one of {', '.join(ACTIONS)}; got {action!r}"))
    return found


def validate_list_query(params: Mapping[str, str]) -> tuple[dict[str, Any], list[Violation]]:
    """Check the list endpoint's query parameters (all strings, as they arrive on the wire).

    Returns the parameters with defaults and proper types (``offset``/``limit`` as ints,
    ``show_self`` as a bool), and the violations. Parameters the API does not define are ignored,
    as HTTP APIs do with unknown query parameters.
    """
    found: list[Violation] = []
    out: dict[str, Any] = {
        "de_type": params.get("de_type"),
        "provision_type": params.get("provision_type"),
        "status": params.get("status"),
        "sortby": params.get("sortby") or "name",
        "order": params.get("order") or "asc",
        "workspace_id": params.get("workspace_id") or DEFAULT_WORKSPACE,
        "ai_project": params.get("ai_project"),
        "pool_id": params.get("pool_id"),
    }
    if out["de_type"] is None:
        found.append(_missing("de_type", "is required and must be 'Notebook'"))
    elif out["de_type"] != "Notebook":
        found.append(_incorrect("de_type", f"must be 'Notebook' (case-sensitive), got {out['de_type']!r}"))
    if out["provision_type"] not in (None, "Docker"):
        found.append(_incorrect("provision_type", f"must be 'Docker', got {out['provision_type']!r}"))
    if out["status"] is not None and out["status"] not in STATUSES:
        found.append(_incorrect("status", f"must be one of {', '.join(STATUSES)}; got {out['status']!r}"))
    if out["sortby"] not in LIST_SORT_FIELDS:
        found.append(Violation("ModelArts.6303", "sortby",
                               f"must be one of {', '.join(LIST_SORT_FIELDS)}; got {out['sortby']!r}"))
    if out["order"] not in ("asc", "desc"):
        found.append(_incorrect("order", f"must be 'asc' or 'desc', got {out['order']!r}"))
    for key in ("offset", "limit"):
        out[key], violation = query_count(params, key, default=0)
        if violation is not None:
            found.append(violation)
    show_self = (params.get("show_self") or "true").lower()
    if show_self not in ("true", "false"):
        found.append(_incorrect("show_self", f"must be 'true' or 'false', got {params.get('show_self')!r}"))
    out["show_self"] = show_self != "false"
    return out, found
