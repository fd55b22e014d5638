"""The API contract: what a request may hold and what an answer means. No I/O, no Jupyter, no HTTP.

* :mod:`.error_codes` — the ModelArts error codes this project speaks, each written once;
* :mod:`.catalogue` — the profiles and flavors, with what each needs from a machine;
* :mod:`.devenviron` — the DevEnviron (old) API: rules, statuses, request bodies, JSON Schemas.

Every other layer (client, notebook, server, CLI) takes its rules from here, so a rule
changed here changes everywhere. The names of the DevEnviron dialect are re-exported.
"""

from .catalogue import FLAVORS, PROFILES, Flavor, Profile, flavor_names, profile_ids
from .devenviron import (
    ACTIONS,
    ANNOTATIONS_MAX,
    ANNOTATION_KEY_MAX,
    ANNOTATION_VALUE_MAX,
    BodyParseError,
    CLIENT_TOKEN_KEY,
    DESCRIPTION_FORBIDDEN,
    DESCRIPTION_MAX,
    DURATION_MAX,
    DURATION_MIN,
    FAILED,
    LIST_INT_MAX,
    NAME_MAX,
    OBS_NAME_MAX_BYTES,
    OBS_PATH_MAX_BYTES,
    STABLE,
    STATUSES,
    STORAGE_TYPES,
    TRANSITIONAL,
    VOLUME_DEFAULT,
    VOLUME_MAX,
    VOLUME_MIN,
    Violation,
    WORKSPACE_ID_MAX,
    action_refusal,
    build_create_body,
    can,
    delete_refusal,
    merge_bodies,
    parse_body_text,
    parse_obs_path,
    validate_action,
    validate_create,
    validate_list_query,
    validate_update,
    with_defaults,
)
from .durations import format_duration, parse_duration
from .error_codes import ERROR_CODES, ErrorCode, by_code

__all__ = [
    "ERROR_CODES", "ErrorCode", "by_code", "FLAVORS", "PROFILES", "Flavor", "Profile", "flavor_names", "profile_ids",
    "ACTIONS",
    "ANNOTATIONS_MAX",
    "ANNOTATION_KEY_MAX",
    "ANNOTATION_VALUE_MAX",
    "BodyParseError",
    "CLIENT_TOKEN_KEY",
    "DESCRIPTION_FORBIDDEN",
    "DESCRIPTION_MAX",
    "DURATION_MAX",
    "DURATION_MIN",
    "FAILED",
    "LIST_INT_MAX",
    "NAME_MAX",
    "OBS_NAME_MAX_BYTES",
    "OBS_PATH_MAX_BYTES",
    "STABLE",
    "STATUSES",
    "STORAGE_TYPES",
    "TRANSITIONAL",
    "VOLUME_DEFAULT",
    "VOLUME_MAX",
    "VOLUME_MIN",
    "Violation",
    "WORKSPACE_ID_MAX",
    "action_refusal",
    "build_create_body",
    "can",
    "delete_refusal",
    "format_duration",
    "merge_bodies",
    "parse_body_text",
    "parse_duration",
    "parse_obs_path",
    "validate_action",
    "validate_create",
    "validate_list_query",
    "validate_update",
    "with_defaults",
]
