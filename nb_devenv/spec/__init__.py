"""The DevEnviron API's rules as data and pure functions: no I/O, no Jupyter, no HTTP.

Every other layer (client, CLI, form, server) imports its rules from here.
"""

from .body import CLIENT_TOKEN_KEY, BodyParseError, parse_body_text, build_create_body, format_duration_short, merge_bodies, parse_duration
from .catalogue import FLAVORS, PROFILES, Flavor, Profile, flavor_names, profile_ids
from .error_codes import ERROR_CODES, ErrorCode, by_code
from .rules import (
    ANNOTATION_KEY_MAX,
    ANNOTATION_VALUE_MAX,
    ANNOTATIONS_MAX,
    DESCRIPTION_FORBIDDEN,
    DESCRIPTION_MAX,
    DURATION_MAX,
    DURATION_MIN,
    LIST_INT_MAX,
    NAME_MAX,
    OBS_NAME_MAX_BYTES,
    OBS_PATH_MAX_BYTES,
    STORAGE_TYPES,
    VOLUME_DEFAULT,
    VOLUME_MAX,
    VOLUME_MIN,
    WORKSPACE_ID_MAX,
    Violation,
    parse_obs_path,
    validate_action,
    validate_create,
    validate_list_query,
    validate_update,
    with_defaults,
)
from .status import ACTIONS, FAILED, STABLE, STATUSES, TRANSITIONAL, action_refusal, can, delete_refusal

__all__ = [
    "CLIENT_TOKEN_KEY", "BodyParseError", "parse_body_text", "build_create_body", "format_duration_short", "merge_bodies", "parse_duration",
    "ACTIONS", "ANNOTATION_KEY_MAX", "ANNOTATION_VALUE_MAX", "ANNOTATIONS_MAX", "LIST_INT_MAX",
    "OBS_NAME_MAX_BYTES", "OBS_PATH_MAX_BYTES", "WORKSPACE_ID_MAX", "DESCRIPTION_FORBIDDEN", "DESCRIPTION_MAX", "DURATION_MAX", "DURATION_MIN",
    "ERROR_CODES", "ErrorCode", "FAILED", "FLAVORS", "Flavor", "NAME_MAX", "PROFILES", "Profile",
    "STABLE", "STATUSES", "STORAGE_TYPES", "TRANSITIONAL", "VOLUME_DEFAULT", "VOLUME_MAX",
    "VOLUME_MIN", "Violation", "action_refusal", "by_code", "can", "delete_refusal",
    "flavor_names", "parse_obs_path", "profile_ids", "validate_action", "validate_create",
    "validate_list_query", "validate_update", "with_defaults",
]
