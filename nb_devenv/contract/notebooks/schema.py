"""JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of the Notebook API's requests and answers.

Built from the constants, key lists and catalogues that :mod:`.rules` checks against, like
:mod:`nb_devenv.contract.devenviron.schema`, so a rule whose constant changes changes its schema
too. What JSON Schema cannot say (facts only the server knows: instance statuses, the current
volume size, sold-out flavors) is said in ``description``. The answer schemas describe what the
local server emits: a subset of the SDK's models, every field of which the SDK reads.
"""

from __future__ import annotations

import re
from typing import Mapping

from ..catalogue import FLAVORS
from ..checks import LIST_INT_MAX
from ..schema_common import (
    Schema,
    any_case_pattern,
    decimal_at_most_pattern,
    decimal_range_pattern,
    description_schema,
    error_codes_with_status,
    error_schema,
    nullable,
    whole,
)
from .flavors import FLAVOR_CATEGORIES, FLAVOR_FEATURE, FLAVOR_STORAGES
from .images import IMAGE_ARCH, IMAGE_NAME_MAX, IMAGES
from .lease import DURATION_DEFAULT_MS, DURATION_MAX_MS, DURATION_MIN_MS, LEASE_OFF_MS, LEASE_TYPES
from .rules import (
    BILLING_TYPES,
    DEFAULT_LIST_SORT_KEY,
    DEFAULT_SORT_DIR,
    DEFAULT_WORKSPACE,
    FEATURES,
    FLAVOR_ASCEND_TYPES,
    FLAVOR_CLUSTER_TYPES,
    FLAVOR_SORT_KEYS,
    IMAGE_LIST_LIMIT_DEFAULT,
    IMAGE_SERVICE_TYPES,
    IMAGE_SORT_KEYS,
    IMAGE_TEXT_FILTERS,
    IMAGE_TYPES,
    LIST_LIMIT_DEFAULT,
    LIST_SORT_KEYS,
    LIST_TEXT_FILTERS,
    MOUNT_PATH,
    NAME_CHARACTER,
    NAME_CHARACTERS_TEXT,
    NAME_MAX,
    SORT_DIRS,
    SORT_KEY_MAX,
    SUPPORTED_OWNERSHIP,
    SUPPORTED_VOLUME_CATEGORIES,
    UNSUPPORTED,
    UUID_PATTERN,
    VOLUME_CATEGORIES,
    VOLUME_DEFAULT,
    VOLUME_MAX,
    VOLUME_MIN,
    WORKSPACE_ID_PATTERN,
)
from .status import STATUSES

__all__ = [
    "create_body_schema",
    "update_body_schema",
    "lease_body_schema",
    "list_query_parameters",
    "images_query_parameters",
    "flavors_query_parameters",
    "start_query_parameters",
    "renew_query_parameters",
    "lease_schema",
    "notebook_schema",
    "notebook_list_schema",
    "image_schema",
    "image_list_schema",
    "flavor_schema",
    "flavor_list_schema",
    "error_schema",
    "error_codes_with_status",
]

_TEXT: Schema = {"type": "string"}
_MS: Schema = {"type": "integer", "minimum": 0, "description": "Epoch milliseconds."}
_UUID: Schema = {"type": "string", "pattern": whole(UUID_PATTERN.pattern)}


# --- requests ------------------------------------------------------------------------------------

def _name_schema() -> Schema:
    return {"type": "string", "minLength": 1, "maxLength": NAME_MAX, "pattern": whole(f"{NAME_CHARACTER.pattern}+"),
            "description": f"1-{NAME_MAX} {NAME_CHARACTERS_TEXT} (ModelArts.6334/6336); names may repeat."}


def _duration_schema(where: str) -> Schema:
    return {"type": "integer", "anyOf": [{"const": LEASE_OFF_MS}, {"minimum": DURATION_MIN_MS,
                                                                  "maximum": DURATION_MAX_MS}],
            "description": f"{where}: milliseconds from now, {DURATION_MIN_MS}-{DURATION_MAX_MS} (1-72 h; "
                           f"ModelArts.6349), default {DURATION_DEFAULT_MS}; {LEASE_OFF_MS} keeps the instance "
                           "running (auto-stop off: not documented by ModelArts, sent by third-party clients)."}


def _lease_type_schema() -> Schema:
    return {"type": "string", "pattern": any_case_pattern(LEASE_TYPES),
            "description": f"{' or '.join(LEASE_TYPES)}, any case (default TIMING)."}


def lease_body_schema() -> Schema:
    """LeaseReq: the create body's ``lease`` and the renew body."""
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "duration": nullable(_duration_schema("Run time")),
            "type": nullable(_lease_type_schema()),
        },
    }


def _refused(key: str) -> Schema:
    """A field the local server cannot honour: only a value that asks for nothing is taken."""
    kind, why = UNSUPPORTED[key]
    empty: Schema = ({"type": "string", "maxLength": 0} if kind is str else
                     {"type": "array", "maxItems": 0} if kind is list else {"type": "object", "maxProperties": 0})
    return nullable({**empty, "description": f"Only empty (ModelArts.6336): {why}."})


def _endpoints_schema() -> Schema:
    empty_list = nullable({"type": "array", "maxItems": 0,
                           "description": "SSH setting: SSH access is not available on the local server."})
    return {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "service": nullable({"type": "string", "pattern": any_case_pattern(["NOTEBOOK"]),
                                     "description": "NOTEBOOK only: SSH is not available on the local server "
                                                    "(ModelArts.6336)."}),
                "key_pair_names": empty_list,
                "allowed_access_ips": empty_list,
            },
        },
    }


def _volume_schema() -> Schema:
    blank = nullable({"type": "string", "maxLength": 0,
                      "description": "For EFS and OBS volumes, which the local server does not have."})
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["category", "ownership"],
        "properties": {
            "category": {"type": "string", "pattern": any_case_pattern(SUPPORTED_VOLUME_CATEGORIES),
                         "description": f"{', '.join(SUPPORTED_VOLUME_CATEGORIES)} in any case; "
                                        f"{', '.join(c for c in VOLUME_CATEGORIES if c not in SUPPORTED_VOLUME_CATEGORIES)} "
                                        "are not supported by the local server (ModelArts.6324)."},
            "ownership": {"type": "string", "pattern": any_case_pattern([SUPPORTED_OWNERSHIP]),
                          "description": f"{SUPPORTED_OWNERSHIP} in any case; DEDICATED storage is not available "
                                         "on the local server (ModelArts.6336)."},
            "capacity": nullable({"type": "integer", "minimum": VOLUME_MIN, "maximum": VOLUME_MAX,
                                  "description": f"GB, {VOLUME_MIN}-{VOLUME_MAX} (ModelArts.6331), "
                                                 f"default {VOLUME_DEFAULT}."}),
            "uri": blank,
            "id": blank,
            "dew_secret_name": blank,
            "mount_path": nullable({"type": "string", "enum": ["", MOUNT_PATH, MOUNT_PATH.rstrip("/")],
                                    "description": f"Always {MOUNT_PATH}."}),
            "read_only": nullable({"const": False, "description": "A read-only work volume is not available."}),
        },
    }


def _hardware_match() -> list[Schema]:
    """ModelArts.6330: an image runs only on a flavor of its own hardware kind."""
    kinds = sorted({image.hardware for image in IMAGES.values()})
    return [
        {
            "if": {"properties": {"image_id": {"enum": [i.id for i in IMAGES.values() if i.hardware == kind]}},
                   "required": ["image_id"]},
            "then": {"properties": {"flavor": {"enum": [f.name for f in FLAVORS.values() if f.hardware == kind]}}},
        }
        for kind in kinds
    ]


def _image_id_schema() -> Schema:
    shown = ", ".join(f"{image.id} ({image.name}, {image.hardware})" for image in IMAGES.values())
    return {"type": "string", "enum": list(IMAGES),
            "description": f"An id of GET /v1/{{project_id}}/images: {shown}. A UUID not listed is "
                           "ModelArts.6797, another string 6336."}


def _flavor_schema_in_request() -> Schema:
    flavors = ", ".join(f"{f.name} ({f.hardware}{', needs a grant' if f.needs_permission else ''})"
                        for f in FLAVORS.values())
    return {"type": "string", "enum": list(FLAVORS),
            "description": f"One of {flavors} (ModelArts.6323), of the image's hardware kind (ModelArts.6330). "
                           "Flavors that need a grant are refused with ModelArts.6328 unless the server grants them; "
                           "a sold-out flavor with 6329."}


def _workspace_schema() -> Schema:
    return {"type": "string", "pattern": whole(WORKSPACE_ID_PATTERN.pattern),
            "description": f"\"0\" or 32 lower-case letters and digits (default \"{DEFAULT_WORKSPACE}\")."}


def create_body_schema() -> Schema:
    """``POST /v1/{project_id}/notebooks`` (NotebookCreateRequest, §4.1)."""
    features = [FLAVOR_FEATURE]  # the only feature the catalogue's flavors have
    properties: Schema = {
        "name": _name_schema(),
        "image_id": _image_id_schema(),
        "flavor": _flavor_schema_in_request(),
        "volume": _volume_schema(),
        "description": nullable(description_schema()),
        "feature": nullable({"type": "string", "pattern": any_case_pattern(features),
                             "description": f"{' or '.join(FEATURES)} in the API; DEFAULT (a free CodeLab "
                                            "instance) needs a free flavor, which the local server does not have "
                                            "(ModelArts.6870)."}),
        "workspace_id": nullable(_workspace_schema()),
        "lease": nullable(lease_body_schema()),
        "duration": nullable(_duration_schema("Run time; when given, `lease` is ignored and the type is TIMING")),
        "endpoints": nullable(_endpoints_schema()),
    }
    for key in ("pool_id", "hooks", "custom_spec", "affinity", "run_user", "data_volumes", "user_vpc",
                "public_network_config"):
        properties[key] = _refused(key)
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "image_id", "flavor", "volume"],
        "properties": properties,
        "allOf": _hardware_match(),
        "description": "Unknown fields are refused (ModelArts.6400); an explicit null counts as an absent field. "
                       "Names may repeat. Fields the local server cannot honour are taken only empty.",
    }


def update_body_schema() -> Schema:
    """``PUT /v1/{project_id}/notebooks/{id}`` (NotebookUpdateRequest, §4.4)."""
    properties: Schema = {
        "name": nullable(_name_schema()),
        "description": nullable(description_schema()),
        "flavor": nullable(_flavor_schema_in_request()),
        "image_id": nullable(_image_id_schema()),
        "storage_new_size": nullable({"type": "integer", "minimum": VOLUME_MIN, "maximum": VOLUME_MAX,
                                      "description": f"New EVS size in GB: larger than the current one, at most "
                                                     f"{VOLUME_MAX} (ModelArts.6331)."}),
        "endpoints": nullable(_endpoints_schema()),
    }
    for key in ("hooks", "custom_spec", "affinity", "dew_secret_name", "data_volumes", "public_network_config"):
        properties[key] = _refused(key)
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "allOf": _hardware_match(),
        "description": "Only for a STOPPED instance (ModelArts.6347 otherwise). A new flavor or image must suit the "
                       "instance's other one (ModelArts.6330).",
    }


def _param(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _enum_param(name: str, choices: tuple[str, ...], description: str) -> Schema:
    return _param(name, {"type": "string", "pattern": any_case_pattern(choices, optional=True)},
                  f"{description} One of {', '.join(choices)}, any case (ModelArts.6336).")


def _sort_key_param(allowed: tuple[str, ...], default: str) -> Schema:
    one = "|".join(re.escape(key) for key in allowed)
    return _param("sort_key", {"type": "string", "maxLength": SORT_KEY_MAX,
                               "pattern": whole(f"(?:(?:{one})(?:,(?:{one}))*)?")},
                  f"Fields to sort by, separated by commas: {', '.join(allowed)} (ModelArts.6303 for others). "
                  f"{default}")


def _count_params(limit_default: str) -> list[Schema]:
    return [
        _param("limit", {"type": "string", "pattern": decimal_at_most_pattern(LIST_INT_MAX, positive=True)},
               f"Page size: 1-{LIST_INT_MAX} in decimal digits ({limit_default})."),
        _param("offset", {"type": "string", "pattern": decimal_at_most_pattern(LIST_INT_MAX)},
               f"Index of the first item: 0-{LIST_INT_MAX} in decimal digits (default 0)."),
    ]


def _text_params(filters: Mapping[str, tuple[re.Pattern[str], str]]) -> list[Schema]:
    out = []
    for key, (pattern, rule) in filters.items():
        schema: Schema = {"type": "string"}
        if key != "tags":  # Python's \w is Unicode, ECMA-262's ASCII: the rule is in words only
            schema["pattern"] = whole(f"(?:{pattern.pattern})?")
        out.append(_param(key, schema, f"Filter: {rule[0].upper()}{rule[1:]} (ModelArts.6336)."))
    return out


def _workspace_params() -> list[Schema]:
    schema: Schema = {"type": "string", "pattern": whole(f"(?:{WORKSPACE_ID_PATTERN.pattern})?")}
    return [_param("workspace_id", schema, f"Workspace (default \"{DEFAULT_WORKSPACE}\")."),
            _param("workspaceId", schema, "The same parameter as spelled by some editions of the reference; "
                                          "giving both with different values is refused (ModelArts.6336).")]


def list_query_parameters() -> list[Schema]:
    """The query of ``GET /notebooks`` and ``/notebooks/all`` (§4.2)."""
    return [
        _enum_param("feature", FEATURES, "Instance kind (default NOTEBOOK)."),
        *_count_params(f"default {LIST_LIMIT_DEFAULT}"),
        _enum_param("sort_dir", SORT_DIRS, f"Sort order (default {DEFAULT_SORT_DIR})."),
        _sort_key_param(LIST_SORT_KEYS, f"Default {DEFAULT_LIST_SORT_KEY}."),
        _enum_param("status", STATUSES, "Only instances in this status."),
        _enum_param("billing", BILLING_TYPES, "Only instances of this billing type."),
        *_workspace_params(),
        *_text_params(LIST_TEXT_FILTERS),
        _param("description", {"type": "string", "maxLength": description_schema()["maxLength"],
                               "pattern": description_schema()["pattern"]},
               "Filter (fuzzy): the description rules apply (ModelArts.6334/6336)."),
        _param("ip", {"type": "string", "anyOf": [{"maxLength": 0}, {"format": "ipv4"}]},
               "Filter: an IPv4 address (ModelArts.6336); empty is no filter."),
    ]


def images_query_parameters() -> list[Schema]:
    """The query of ``GET /images`` (§4.11)."""
    return [
        *_count_params(f"default {IMAGE_LIST_LIMIT_DEFAULT}"),
        _enum_param("type", IMAGE_TYPES, "Only images of this type (no filter when absent)."),
        _enum_param("service_type", IMAGE_SERVICE_TYPES, "Only images of this service type (no filter when absent)."),
        _enum_param("sort_dir", SORT_DIRS, f"Sort order (default {DEFAULT_SORT_DIR})."),
        _sort_key_param(IMAGE_SORT_KEYS, "Default create_at; createTime and updateTime are create_at and update_at."),
        _param("workspace_id", {"type": "string", "pattern": whole(f"(?:{WORKSPACE_ID_PATTERN.pattern})?")},
               f"Workspace (default \"{DEFAULT_WORKSPACE}\")."),
        _param("name_fuzzy_match", {"type": "string", "pattern": any_case_pattern(["true", "false"], optional=True)},
               "Whether `name` matches fuzzily: true (default) or false, any case."),
        *_text_params(IMAGE_TEXT_FILTERS),
    ]


def flavors_query_parameters() -> list[Schema]:
    """The query of ``GET /notebooks/flavors`` and ``GET /notebooks/{id}/flavors`` (§4.10)."""
    return [
        _enum_param("category", FLAVOR_CATEGORIES, "Only flavors of this processor type."),
        _enum_param("type", FLAVOR_CLUSTER_TYPES, "Cluster type; the local server's flavors are all MANAGED."),
        _enum_param("flavor_type", FLAVOR_ASCEND_TYPES, "Accelerator type; the local server has no Ascend flavors."),
        _enum_param("feature", (FLAVOR_FEATURE,), f"Feature (default {FLAVOR_FEATURE})."),
        *_count_params("default: no limit"),
        _enum_param("sort_dir", SORT_DIRS, f"Sort order (default {DEFAULT_SORT_DIR})."),
        _sort_key_param(FLAVOR_SORT_KEYS, "Default: catalogue order."),
    ]


def _duration_param(description: str) -> Schema:
    return _param("duration", {"type": "string", "pattern": decimal_range_pattern(
        DURATION_MIN_MS, DURATION_MAX_MS, also=(LEASE_OFF_MS,))},
                  f"{description}: milliseconds, {DURATION_MIN_MS}-{DURATION_MAX_MS} (ModelArts.6349; 6332 for "
                  f"what is not a number), or {LEASE_OFF_MS} for no auto-stop; default {DURATION_DEFAULT_MS}.")


def start_query_parameters() -> list[Schema]:
    """``POST /notebooks/{id}/start?duration=&type=`` (§4.6)."""
    return [_duration_param("Run time after the start"),
            _param("type", {"type": "string", "pattern": any_case_pattern(LEASE_TYPES, optional=True)},
                   f"{' or '.join(LEASE_TYPES)}, any case (default TIMING; ModelArts.6336).")]


def renew_query_parameters() -> list[Schema]:
    """``PATCH /notebooks/{id}/lease?duration=`` (§4.9)."""
    return [_duration_param("Run time from now; when given, the body is ignored and the type is TIMING")]


# --- answers ------------------------------------------------------------------------------------

def lease_schema() -> Schema:
    """The Lease object (§3.5): ``lease`` of an instance, the show-lease and renew answers."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["create_at", "duration", "enable", "type", "update_at"],
        "properties": {
            "create_at": {**_MS, "description": "The instance's creation (ms)."},
            "duration": {"type": "integer", "minimum": LEASE_OFF_MS,
                         "description": "Run time in ms counted from create_at: the instance stops at create_at + "
                                        f"duration. {LEASE_OFF_MS} when auto-stop is off."},
            "enable": {"type": "boolean", "description": "Whether the instance stops by itself."},
            "type": {"type": "string", "enum": list(LEASE_TYPES)},
            "update_at": {**_MS, "description": "When the lease was last armed (ms)."},
        },
    }


def _image_properties() -> Schema:
    categories: Schema = {"type": "array", "items": {"type": "string", "enum": list(FLAVOR_CATEGORIES)}}
    return {
        "id": {"type": "string", "enum": list(IMAGES)},
        "name": {"type": "string", "maxLength": IMAGE_NAME_MAX, "pattern": whole(IMAGE_TEXT_FILTERS["name"][0].pattern)},
        "tag": _TEXT,
        "swr_path": _TEXT,
        "namespace": _TEXT,
        "description": _TEXT,
        "arch": {"const": IMAGE_ARCH},
        "type": {"const": "BUILD_IN"},
        "service_type": {"const": "COMMON"},
        "dev_services": {"type": "array", "items": {"const": "NOTEBOOK"}},
        "resource_categories": categories,
        "support_res_categories": categories,
        "status": {"const": "ACTIVE"},
        "visibility": {"const": "PUBLIC"},
        "workspace_id": {"const": DEFAULT_WORKSPACE},
        "show_name": {"type": "string", "description": "The old API's profile id this image stands for."},
        "show_tag": _TEXT,
        "create_at": _MS,
        "update_at": _MS,
    }


def image_schema(*, detail: bool = False) -> Schema:
    """An image: a ListImage item (ImageResponse), or with ``detail`` the ShowImage body (Image)."""
    properties = _image_properties()
    if not detail:
        del properties["support_res_categories"]
    return {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}


def _instance_image_schema() -> Schema:
    keys = ("id", "name", "tag", "swr_path", "description", "type")
    properties = {key: _image_properties()[key] for key in keys}
    return {"type": "object", "additionalProperties": False, "required": list(keys), "properties": properties}


def flavor_schema() -> Schema:
    """A NotebookFlavor (§4.10) as the local server emits it."""
    properties: Schema = {
        "id": {"type": "string", "enum": list(FLAVORS)},
        "name": _TEXT,
        "description": _TEXT,
        "category": {"type": "string", "enum": sorted({f.hardware for f in FLAVORS.values()})},
        "arch": {"const": IMAGE_ARCH},
        "feature": {"const": FLAVOR_FEATURE},
        "free": {"type": "boolean"},
        "sold_out": {"type": "boolean", "description": "True when the machine cannot run the flavor."},
        "vcpus": {"type": "integer", "minimum": 1},
        "memory": {"type": "integer", "minimum": 1, "description": "KiB."},
        "storages": {"type": "array", "items": {"type": "string", "enum": list(FLAVOR_STORAGES)}},
        "billing": {"type": "object", "additionalProperties": False, "required": ["code", "unit_num"],
                    "properties": {"code": _TEXT, "unit_num": {"type": "integer", "minimum": 1}}},
        "gpu": {"type": "object", "additionalProperties": False, "required": ["gpu", "gpu_memory", "type"],
                "properties": {"gpu": {"type": "integer", "minimum": 1},
                               "gpu_memory": {"type": "string", "description": "GB per card."},
                               "type": _TEXT},
                "description": "GPU flavors only."},
    }
    return {"type": "object", "additionalProperties": False,
            "required": [key for key in properties if key != "gpu"], "properties": properties}


def _envelope(item: Schema, *, extra: tuple[str, ...] = ()) -> Schema:
    items: Schema = {"type": "array", "items": item}
    count: Schema = {"type": "integer", "minimum": 0}
    properties: Schema = {
        "current": {**count, "description": "offset // size."},
        "data": items,
        "pages": {**count, "description": "ceil(total / size)."},
        "size": {**count, "description": "The requested page size (all matching items when not limited)."},
        "total": {**count, "description": "Matching items before paging."},
    }
    for key in extra:
        properties[key] = {**items, "description": "The same items as `data`."}
    return {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}


def image_list_schema(item: Schema | None = None) -> Schema:
    """The ListImage answer."""
    return _envelope(item or image_schema())


def flavor_list_schema(item: Schema | None = None) -> Schema:
    """The ListFlavors and switchable-flavors answer, with both ``data`` and ``flavors``."""
    return _envelope(item or flavor_schema(), extra=("flavors",))


def notebook_schema() -> Schema:
    """The instance (NotebookResp, §3.1) as the local server renders it."""
    properties: Schema = {
        "id": _UUID,
        "name": {"type": "string", "maxLength": NAME_MAX},
        "description": _TEXT,
        "status": {"type": "string", "enum": list(STATUSES)},
        "fail_reason": {"type": "string", "description": "Why the last operation failed, or why a running instance "
                                                         "stopped by itself (absent otherwise)."},
        "action_progress": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["step", "status", "description"],
            "properties": {"step": {"type": "integer", "minimum": 1, "maximum": 4},
                           "status": {"type": "string", "enum": ["WAITING", "PROCESSING", "FAILED", "COMPLETED"]},
                           "description": _TEXT}}},
        "flavor": {"type": "string", "enum": list(FLAVORS)},
        "image": _instance_image_schema(),
        "lease": lease_schema(),
        "token": {"type": "string", "description": "The instance's Jupyter token."},
        "url": {"type": "string", "description": "Opens the instance's JupyterLab (…/lab). Only while RUNNING: a "
                                                 "local instance has an address only while its Jupyter server runs."},
        "volume": {
            "type": "object", "additionalProperties": False,
            "required": ["category", "ownership", "capacity", "mount_path"],
            "properties": {"category": {"type": "string", "enum": list(SUPPORTED_VOLUME_CATEGORIES)},
                           "ownership": {"const": SUPPORTED_OWNERSHIP},
                           "capacity": {"type": "integer", "minimum": VOLUME_MIN, "maximum": VOLUME_MAX},
                           "mount_path": {"const": MOUNT_PATH},
                           "read_only": {"const": False},
                           "status": {"type": "string", "description": "RESIZING while the volume grows."}},
        },
        "workspace_id": {"type": "string", "pattern": whole(WORKSPACE_ID_PATTERN.pattern)},
        "feature": {"type": "string", "enum": list(FEATURES)},
        "billing_items": {"type": "array", "items": {"type": "string", "enum": list(BILLING_TYPES)}},
        "user": {"type": "object", "additionalProperties": False, "required": ["id", "name", "domain"],
                 "properties": {"id": _TEXT, "name": _TEXT,
                                "domain": {"type": "object", "additionalProperties": False, "required": ["id", "name"],
                                           "properties": {"id": _TEXT, "name": _TEXT}}}},
        "endpoints": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["service", "uri"],
            "properties": {"service": {"const": "NOTEBOOK"}, "dev_service": {"const": "NOTEBOOK"}, "uri": _TEXT,
                           "key_pair_names": {"type": "array", "maxItems": 0}}}},
        "tags": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                            "required": ["key", "value"],
                                            "properties": {"key": _TEXT, "value": _TEXT}}},
        "data_volumes": {"type": "array", "maxItems": 0},
        "create_at": {**_MS, "description": "Not in the SDK's model (it drops it); in ModelArts' samples."},
        "update_at": {**_MS, "description": "Not in the SDK's model (it drops it); in ModelArts' samples."},
    }
    optional = {"fail_reason", "action_progress", "url"}
    return {"type": "object", "additionalProperties": False,
            "required": [key for key in properties if key not in optional], "properties": properties}


def notebook_list_schema(item: Schema | None = None) -> Schema:
    """The answer of ``GET /notebooks`` and ``/notebooks/all``."""
    return _envelope(item or notebook_schema())
