"""JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of the API's requests and answers.

Built from the same constants, key lists and catalogue that :mod:`nb_devenv.contract.devenviron.rules` checks
against, so a rule whose constant changes changes its schema too. Patterns are ECMA-262 (what
JSON Schema specifies) and written so that Python's ``re`` reads them the same way: no inline
flags, case-insensitivity spelled out as ``[Oo][Bb][Ss]``.

What JSON Schema cannot say is said in ``description``: byte lengths (OBS paths are limited in
UTF-8 bytes, ``maxLength`` counts characters) and the facts only the server knows (names taken,
the quota, flavor grants, instance statuses). Everything here is pure data: no I/O, no HTTP.
"""

from __future__ import annotations

from ..catalogue import FLAVORS, PROFILES
from ..schema_common import (
    NULL,
    Schema,
    any_case_pattern,
    decimal_at_most_pattern,
    description_schema,
    error_codes_with_status,
    error_schema,
    escape,
    nullable,
    whole,
)
from . import rules
from .rules import (
    ANNOTATION_KEY_MAX,
    ANNOTATION_VALUE_MAX,
    ANNOTATIONS_MAX,
    DEFAULT_WORKSPACE,
    DURATION_MAX,
    DURATION_MIN,
    LIST_INT_MAX,
    LIST_SORT_FIELDS,
    NAME_MAX,
    OBS_NAME_MAX_BYTES,
    OBS_PATH_MAX_BYTES,
    STORAGE_TYPES,
    VOLUME_DEFAULT,
    VOLUME_MAX,
    VOLUME_MIN,
    WORKSPACE_ID_MAX,
)
from .status import ACTIONS, STATUSES

__all__ = [
    "any_case_pattern",
    "decimal_at_most_pattern",
    "obs_path_pattern",
    "create_body_schema",
    "update_body_schema",
    "action_body_schema",
    "list_query_parameters",
    "instance_schema",
    "list_answer_schema",
    "action_answer_schema",
    "delete_answer_schema",
    "token_answer_schema",
    "error_schema",
    "error_codes_with_status",
]

# the shared pieces under the names this module has always used
_NULL = NULL
_nullable = nullable
_whole = whole
_escape = escape
_description_schema = description_schema


def obs_path_pattern() -> str:
    """The OBS path rule (``rules._check_obs_path``) as one pattern: optional ``obs://`` and
    leading slashes, a bucket name, then one or more directory names each followed by ``/``."""
    bucket = rules._BUCKET.pattern
    control = r"\x00-\x1f\x7f-\x9f"
    name = rf"(?!\.\.?/)[^/{control}]{{1,{OBS_NAME_MAX_BYTES}}}"
    # '..' may not appear in a bucket name: checked on the bucket's characters only
    return _whole(rf"(?:obs://)?/*(?![a-z0-9.-]*\.\.){bucket}/(?:{name}/)+/*")


# --- requests ----------------------------------------------------------------------------------

def _auto_stop_schema() -> Schema:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "enable": {"type": "boolean", "description": "Stop the instance `duration` seconds after each start "
                                                         "(default false)."},
            "duration": _nullable({"type": "integer", "minimum": DURATION_MIN, "maximum": DURATION_MAX,
                                   "description": f"Seconds, {DURATION_MIN}-{DURATION_MAX} (ModelArts.6349); "
                                                  "required when `enable` is true (ModelArts.6348)."}),
            "prompt": {"type": "boolean", "description": "Console flag, kept and echoed (default true)."},
        },
        # ModelArts.6348: enabling needs a duration
        "if": {"properties": {"enable": {"const": True}}, "required": ["enable"]},
        "then": {"required": ["duration"], "properties": {"duration": {"type": "integer"}}},
    }


def _storage_schema() -> Schema:
    obs_only = any_case_pattern(["OBS"])
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["type"],
        "properties": {
            "type": {"type": "string", "pattern": any_case_pattern(STORAGE_TYPES),
                     "description": f"One of {', '.join(STORAGE_TYPES)} in any case (ModelArts.6324)."},
            "location": _nullable({
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string",
                             "description": "OBS only (ignored for EVS): `bucket/dir/`, `/bucket/dir/` or "
                                            "`obs://bucket/dir/`."},
                    "volume_size": _nullable({"type": "integer",
                                              "description": f"EVS size in GB, {VOLUME_MIN}-{VOLUME_MAX} "
                                                             f"(default {VOLUME_DEFAULT}; ModelArts.6331); "
                                                             "not checked for OBS."}),
                },
            }),
        },
        "if": {"properties": {"type": {"pattern": obs_only}}, "required": ["type"]},
        "then": {
            "required": ["location"],
            "properties": {"location": {
                "type": "object",
                "required": ["path"],
                "properties": {"path": {
                    "type": "string",
                    "pattern": obs_path_pattern(),
                    "maxLength": OBS_PATH_MAX_BYTES,
                    "description": (
                        f"Required for OBS (ModelArts.6317), ends with '/' (6318), names a directory inside "
                        f"the bucket, not its root (6358). The bucket is 3-63 lower-case letters, digits, '-' "
                        f"or '.'; directory names are not '.' or '..'; no control characters. At most "
                        f"{OBS_PATH_MAX_BYTES} bytes in UTF-8 and {OBS_NAME_MAX_BYTES} bytes per directory "
                        f"name (ModelArts.6336): the character counts here are the bounds for ASCII paths."),
                }},
            }},
        },
        "else": {"properties": {"location": _nullable({
            "type": "object",
            "properties": {"volume_size": _nullable({"type": "integer", "minimum": VOLUME_MIN,
                                                     "maximum": VOLUME_MAX})},
        })}},
    }


def _annotations_schema() -> Schema:
    return {
        "type": "object",
        "maxProperties": ANNOTATIONS_MAX,
        "propertyNames": {"minLength": 1, "maxLength": ANNOTATION_KEY_MAX},
        "additionalProperties": {"type": "string", "maxLength": ANNOTATION_VALUE_MAX},
        "description": f"Labels: at most {ANNOTATIONS_MAX}, keys 1-{ANNOTATION_KEY_MAX} characters, string "
                       f"values of at most {ANNOTATION_VALUE_MAX} characters (ModelArts.6336). The answer "
                       "adds `url`.",
    }


def _hardware_match() -> list[Schema]:
    """ModelArts.6330: a profile runs only on a flavor of its own hardware kind."""
    kinds = sorted({p.hardware for p in PROFILES.values()})
    return [
        {
            "if": {"properties": {"profile_id": {"enum": [p.id for p in PROFILES.values() if p.hardware == kind]}},
                   "required": ["profile_id"]},
            "then": {"properties": {"flavor": {"enum": [f.name for f in FLAVORS.values() if f.hardware == kind]}}},
        }
        for kind in kinds
    ]


def create_body_schema() -> Schema:
    """``POST /v1/{project_id}/demanager/instances`` (modelarts_03_0110)."""
    profiles = ", ".join(f"{p.id} ({p.hardware})" for p in PROFILES.values())
    flavors = ", ".join(f"{f.name} ({f.hardware}{', needs a grant' if f.needs_permission else ''})"
                        for f in FLAVORS.values())
    schema: Schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "profile_id", "flavor", "spec"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX,
                     "pattern": _whole(rules.NAME_PATTERN.pattern),
                     "description": f"1-{NAME_MAX} letters, digits, '-' or '_' (ModelArts.6334/6336); unique "
                                    "in the project (ModelArts.6301)."},
            "profile_id": {"type": "string", "enum": list(PROFILES), "description": f"One of {profiles}."},
            "description": _nullable(_description_schema()),
            "flavor": {"type": "string", "enum": list(FLAVORS),
                       "description": f"One of {flavors} (ModelArts.6323). A GPU profile needs a GPU flavor and "
                                      "a CPU profile a CPU flavor (ModelArts.6330). Flavors that need a grant are "
                                      "refused with ModelArts.6328 unless the server was started with "
                                      "`--grant-flavor`."},
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "required": ["storage"],
                "properties": {
                    "storage": _storage_schema(),
                    "auto_stop": _nullable(_auto_stop_schema()),
                    "annotations": _nullable(_annotations_schema()),
                },
            },
            "workspace": _nullable({
                "type": "object",
                "additionalProperties": False,
                "properties": {"id": _nullable({
                    "type": "string", "pattern": _whole(rules._WORKSPACE_ID.pattern),
                    "description": f"1-{WORKSPACE_ID_MAX} letters, digits, '-' or '_' "
                                   f"(default \"{DEFAULT_WORKSPACE}\")."})},
            }),
        },
        "allOf": _hardware_match(),
        "description": "Unknown fields are refused (ModelArts.6400); an explicit null counts as an absent "
                       "field. Besides the rules below, the server refuses a name already taken "
                       "(ModelArts.6301), a create over the project's quota (ModelArts.6302) and a flavor not "
                       "granted (ModelArts.6328).",
    }
    return schema


def update_body_schema() -> Schema:
    """``PUT /v1/{project_id}/demanager/instances/{instance_id}``: description and auto-stop."""
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "description": _nullable(_description_schema()),
            "spec": _nullable({
                "type": "object",
                "additionalProperties": False,
                "properties": {"auto_stop": _nullable(_auto_stop_schema())},
            }),
        },
        "description": "While the instance is RUNNING a new `duration` takes effect at the next start; "
                       "`enable: false` cancels a pending stop at once.",
    }


def action_body_schema() -> Schema:
    """``POST .../{instance_id}/action``."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["action"],
        "properties": {"action": {
            "type": "string", "enum": list(ACTIONS),
            "description": "start (from STOPPED or START_FAILED), stop and restart (from RUNNING); queue and "
                           "dequeue apply to free flavors only and are refused (ModelArts.6357). A refused "
                           "status gives ModelArts.6305-6308, 6327 or 6357.",
        }},
    }


def list_query_parameters() -> list[Schema]:
    """The list call's query parameters, as OpenAPI parameter objects (values are strings on
    the wire; parameters the API does not define are ignored)."""
    counted = {"type": "string", "pattern": decimal_at_most_pattern(LIST_INT_MAX)}

    def param(name: str, schema: Schema, description: str, required: bool = False) -> Schema:
        return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}

    return [
        param("de_type", {"type": "string", "enum": ["Notebook"]}, "Only `Notebook` (case-sensitive).",
              required=True),
        param("provision_type", {"type": "string", "enum": ["Docker"]}, "Only `Docker`."),
        param("status", {"type": "string", "enum": list(STATUSES)}, "Only instances in this status."),
        param("sortby", {"type": "string", "enum": [*LIST_SORT_FIELDS, ""]},
              f"{' or '.join(LIST_SORT_FIELDS)} (default name, also when empty; ModelArts.6303 otherwise)."),
        param("order", {"type": "string", "enum": ["asc", "desc", ""]}, "asc (default, also when empty) or desc."),
        param("offset", counted, f"Index of the first instance returned: 0-{LIST_INT_MAX} in decimal digits "
                                 "(leading zeros allowed, empty = 0)."),
        param("limit", counted, f"At most this many instances: 0-{LIST_INT_MAX} in decimal digits; 0 or empty "
                                "returns all."),
        param("workspace_id", {"type": "string"}, f"Only instances of this workspace (default "
                                                  f"\"{DEFAULT_WORKSPACE}\", also when empty)."),
        param("show_self", {"type": "string", "pattern": any_case_pattern(["true", "false"], optional=True)},
              "true (default) or false, any case."),
        param("ai_project", {"type": "string"}, "Accepted and ignored."),
        param("pool_id", {"type": "string"}, "Accepted and ignored."),
    ]


# --- answers ------------------------------------------------------------------------------------

def _profile_schema() -> Schema:
    text = {"type": "string"}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "description", "de_type", "flavor_type", "provision"],
        "properties": {
            "id": {"type": "string", "enum": list(PROFILES)},
            "name": {"type": "string", "enum": list(PROFILES)},
            "description": text,
            "de_type": {"const": "Notebook"},
            "flavor_type": {"type": "string", "enum": sorted({p.hardware for p in PROFILES.values()})},
            "provision": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "spec", "annotations"],
                "properties": {
                    "type": {"const": "Docker"},
                    "spec": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["engine", "params"],
                        "properties": {
                            "engine": {"const": "CCE"},
                            "params": {"type": "object", "additionalProperties": False,
                                       "required": ["namespace", "image_name", "image_tag"],
                                       "properties": {"namespace": text, "image_name": text, "image_tag": text}},
                        },
                    },
                    "annotations": {"type": "object", "additionalProperties": False,
                                    "required": ["category", "type"],
                                    "properties": {"category": text, "type": {"const": "system"}}},
                },
            },
        },
    }


def _flavor_details_schema() -> Schema:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "status", "type", "params", "is_permitted", "promo_type", "storage_list"],
        "properties": {
            "name": {"type": "string", "enum": list(FLAVORS)},
            "status": {"const": "onSale"},
            "type": {"type": "string", "enum": sorted({f.hardware for f in FLAVORS.values()})},
            "params": {
                "type": "object",
                "additionalProperties": False,
                "required": ["CPU", "memory"],
                "properties": {"CPU": {"type": "integer", "minimum": 1},
                               "memory": {"type": "string", "pattern": _whole("[0-9]+GiB")},
                               "GPU": {"type": "integer", "minimum": 1},
                               "gpu_type": {"type": "string"}},
            },
            "is_permitted": {"type": "boolean"},
            "promo_type": {"const": "NoDiscount"},
            "storage_list": {"type": "array", "items": {"type": "string", "enum": ["obs", "evs"]}},
        },
    }


_TIMESTAMP_TEXT = {"type": "string", "pattern": _whole("[0-9]{1,16}"), "description": "Epoch milliseconds, as a string."}


def instance_schema() -> Schema:
    """The instance object (modelarts_03_0112's response table) exactly as the local server renders it."""
    text = {"type": "string"}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "description", "status", "creation_timestamp", "latest_update_timestamp",
                     "profile", "flavor", "flavor_details", "spec", "workspace", "ai_project", "user"],
        "properties": {
            "id": {"type": "string", "pattern": _whole("DE-[0-9a-f-]{36}")},
            "name": {"type": "string", "maxLength": NAME_MAX},
            "description": {"type": "string", "maxLength": rules.DESCRIPTION_MAX},
            "status": {"type": "string", "enum": list(STATUSES)},
            "creation_timestamp": _TIMESTAMP_TEXT,
            "latest_update_timestamp": _TIMESTAMP_TEXT,
            "profile": _profile_schema(),
            "flavor": {"type": "string", "enum": list(FLAVORS)},
            "flavor_details": _flavor_details_schema(),
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "required": ["storage", "auto_stop", "annotations", "failed_reasons", "extend_params"],
                "properties": {
                    "storage": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["type", "location"],
                        "properties": {
                            "type": {"type": "string", "pattern": any_case_pattern(STORAGE_TYPES),
                                     "description": "As the create request spelled it."},
                            "location": _nullable({
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"path": text, "volume_size": _nullable({"type": "integer"})},
                            }),
                        },
                    },
                    "auto_stop": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["enable", "prompt"],
                        "properties": {
                            "enable": {"type": "boolean"},
                            "prompt": {"type": "boolean"},
                            "duration": _nullable({"type": "integer", "minimum": DURATION_MIN,
                                                   "maximum": DURATION_MAX}),
                            "stop_timestamp": {"type": "integer", "minimum": 0,
                                               "description": "Epoch milliseconds; only while RUNNING with "
                                                              "auto-stop on."},
                            "remain_time": {"type": "integer", "minimum": 0,
                                            "description": "Seconds left; only while RUNNING with auto-stop on."},
                        },
                    },
                    "annotations": {
                        "type": "object",
                        "required": ["url"],
                        "additionalProperties": {"type": "string"},
                        "properties": {"url": {"type": "string",
                                               "description": "The Jupyter server's URL while RUNNING, else \"\"."}},
                    },
                    "failed_reasons": _nullable({
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["code", "message", "detail"],
                        "properties": {"code": text, "message": text,
                                       "detail": {"type": "object", "additionalProperties": {"type": "string"}}},
                    }),
                    "extend_params": _NULL,
                },
            },
            "workspace": {"type": "object", "additionalProperties": False, "required": ["id"],
                          "properties": {"id": text}},
            "ai_project": {"type": "object", "additionalProperties": False, "required": ["id"],
                           "properties": {"id": {"const": "default-ai-project"}}},
            "user": {"type": "object", "additionalProperties": False, "required": ["id", "name"],
                     "properties": {"id": text, "name": text}},
        },
    }


def list_answer_schema(instance_ref: Schema | None = None) -> Schema:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["total_count", "instances"],
        "properties": {
            "total_count": {"type": "integer", "minimum": 0, "description": "Matching instances before paging."},
            "instances": {"type": "array", "items": instance_ref or instance_schema()},
        },
    }


def action_answer_schema() -> Schema:
    status = {"type": "string", "enum": list(STATUSES)}
    return {"type": "object", "additionalProperties": False, "required": ["current_status", "previous_state"],
            "properties": {"current_status": status, "previous_state": status}}


def delete_answer_schema() -> Schema:
    return {"type": "object", "additionalProperties": False, "required": ["instance_id"],
            "properties": {"instance_id": {"type": "string"}}}


def token_answer_schema() -> Schema:
    return {"type": "object", "additionalProperties": False, "required": ["token"],
            "properties": {"token": {"type": "string", "description": "The instance's Jupyter token."}}}
