"""The DevEnviron (old version) API, ``/v1/{project_id}/demanager/instances``: its request
rules, statuses and the bodies built from flags.

ModelArts now files this API under "Historical APIs > DevEnviron (Old Version)"; today's
Notebook API gets a sibling package beside this one.
"""

from .bodies import CLIENT_TOKEN_KEY, BodyParseError, parse_body_text, build_create_body, merge_bodies
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
    "merge_bodies",
    "parse_body_text",
    "parse_obs_path",
    "validate_action",
    "validate_create",
    "validate_list_query",
    "validate_update",
    "with_defaults",
]
