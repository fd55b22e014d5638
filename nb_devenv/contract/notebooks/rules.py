"""Every rule of the Notebook API's requests (reference §3.8-§3.12, §4), checked in one place.

Like the old dialect's rules, each check returns *all* the violations it finds, each naming the
field, the rule and the ModelArts code. The local server answers with them, the client checks
with them before sending, and the CLI, the magics and the forms show them.

Where the API offers something the local server cannot honour (dedicated pools, SSH, OBS or
EFS storage, VPC networking, start hooks...), the request is refused with ModelArts.6336 (6324
for a storage type) and a rule that says so: nothing is accepted and silently ignored. A value
that asks for nothing (``null``, ``""``, ``[]``, ``{}``) is accepted, as the absent field is.

Query parameters arrive as strings; their validators return the parameters with defaults and
proper types, and the violations. Enumerated values are accepted in any ASCII case and given back
in upper case (the reference's samples send ``evs``, ``managed``, ``timing``; §8 rows 4 and 8).
Query parameters the API does not define are ignored, as HTTP APIs do.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable, Mapping

from ..catalogue import FLAVORS, Flavor
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
    shorten,
    sub_object,
    type_ok,
    unknown_keys,
    wrong_type,
)
from ..violations import Violation
from .flavors import FLAVOR_CATEGORIES, FLAVOR_FEATURE
from .images import IMAGE_NAME_MAX, IMAGE_NAME_PATTERN, Image, image_by_id
from .lease import (
    DEFAULT_LEASE_TYPE,
    DURATION_DEFAULT_MS,
    DURATION_MAX_MS,
    DURATION_MIN_MS,
    LEASE_OFF_MS,
    LEASE_TYPES,
)
from .status import STATUSES

__all__ = [
    "NAME_MAX",
    "NAME_CHARACTER",
    "NAME_CHARACTERS_TEXT",
    "DESCRIPTION_MAX",
    "DESCRIPTION_FORBIDDEN",
    "UUID_PATTERN",
    "FEATURES",
    "DEFAULT_FEATURE",
    "WORKSPACE_ID_PATTERN",
    "DEFAULT_WORKSPACE",
    "VOLUME_CATEGORIES",
    "SUPPORTED_VOLUME_CATEGORIES",
    "VOLUME_OWNERSHIPS",
    "SUPPORTED_OWNERSHIP",
    "VOLUME_MIN",
    "VOLUME_MAX",
    "VOLUME_DEFAULT",
    "MOUNT_PATH",
    "ENDPOINT_SERVICES",
    "CREATE_KEYS",
    "UPDATE_KEYS",
    "VOLUME_KEYS",
    "LEASE_KEYS",
    "ENDPOINT_KEYS",
    "UNSUPPORTED",
    "SORT_DIRS",
    "DEFAULT_SORT_DIR",
    "SORT_KEY_MAX",
    "SORT_KEY_PATTERN",
    "LIST_SORT_KEYS",
    "DEFAULT_LIST_SORT_KEY",
    "LIST_LIMIT_DEFAULT",
    "LIST_INT_MAX",
    "LIST_TEXT_FILTERS",
    "BILLING_TYPES",
    "IMAGE_LIST_LIMIT_DEFAULT",
    "IMAGE_SORT_KEYS",
    "IMAGE_SERVICE_TYPES",
    "IMAGE_TYPES",
    "IMAGE_TEXT_FILTERS",
    "FLAVOR_SORT_KEYS",
    "FLAVOR_CLUSTER_TYPES",
    "FLAVOR_ASCEND_TYPES",
    "validate_create",
    "with_defaults",
    "validate_update",
    "changed_fields",
    "check_storage_new_size",
    "image_flavor_mismatch",
    "validate_lease",
    "validate_start_query",
    "validate_list_query",
    "validate_images_query",
    "validate_flavors_query",
]

# --- the request fields ------------------------------------------------------------------------

#: names (§4.1): 1-128 letters, digits, ``-``, ``_`` and Chinese characters (the SDK's rule; the
#: CJK Unified Ideographs U+4E00-U+9FA5 are the range Huawei's validators use for "中文");
#: duplicates are allowed, so there is no uniqueness rule
NAME_MAX = 128
NAME_CHARACTER = re.compile("[A-Za-z0-9_\\-\u4e00-\u9fa5]")
NAME_CHARACTERS_TEXT = "letters, digits, '-', '_' and Chinese characters"
#: image and instance ids are UUIDs; the API gives them in lower case and compares them as given
UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: ``NOTEBOOK`` (billed) or ``DEFAULT`` (a free CodeLab instance, which needs a free flavor)
FEATURES: tuple[str, ...] = ("NOTEBOOK", "DEFAULT")
DEFAULT_FEATURE = "NOTEBOOK"
#: ``"0"`` (no workspace) or 32 characters of ``[0-9a-z]`` (§4.1)
WORKSPACE_ID_PATTERN = re.compile(r"0|[0-9a-z]{32}")
DEFAULT_WORKSPACE = "0"
#: every main-volume category the API knows (SDK and [OTC] together), and the one the local server has
VOLUME_CATEGORIES: tuple[str, ...] = ("EVS", "OBS", "OBSFS", "EFS", "SFS")
SUPPORTED_VOLUME_CATEGORIES: tuple[str, ...] = ("EVS",)
VOLUME_OWNERSHIPS: tuple[str, ...] = ("MANAGED", "DEDICATED")
SUPPORTED_OWNERSHIP = "MANAGED"
VOLUME_MIN, VOLUME_MAX, VOLUME_DEFAULT = EVS_MIN_GB, EVS_MAX_GB, EVS_DEFAULT_GB
#: where the work volume is mounted: "currently fixed" (§3.6)
MOUNT_PATH = "/home/ma-user/work/"
#: ``endpoints[].service``: the local server serves JupyterLab over HTTP(S), not SSH
ENDPOINT_SERVICES: tuple[str, ...] = ("NOTEBOOK", "SSH")

#: the request shapes (the SDK's models): allowed keys at each level, to refuse unknown fields
CREATE_KEYS: tuple[str, ...] = (
    "name", "image_id", "flavor", "volume", "description", "feature", "workspace_id", "lease", "duration",
    "pool_id", "endpoints", "hooks", "custom_spec", "affinity", "run_user", "data_volumes", "user_vpc",
    "public_network_config",
)
UPDATE_KEYS: tuple[str, ...] = (
    "name", "description", "flavor", "image_id", "storage_new_size", "endpoints", "hooks", "custom_spec",
    "affinity", "dew_secret_name", "data_volumes", "public_network_config",
)
VOLUME_KEYS: tuple[str, ...] = ("category", "ownership", "capacity", "uri", "id", "mount_path", "read_only",
                                "dew_secret_name")
LEASE_KEYS: tuple[str, ...] = ("duration", "type")
#: ``allowed_access_ips`` is not in the SDK's model but in the [OTC] reference (§8 row 5)
ENDPOINT_KEYS: tuple[str, ...] = ("service", "key_pair_names", "allowed_access_ips")

_NO_POOL = "the local server has no dedicated resource pools"
#: fields of create and update the local server cannot honour: their JSON type and why
UNSUPPORTED: Mapping[str, tuple[type, str]] = {
    "pool_id": (str, "dedicated resource pools are not available on the local server"),
    "custom_spec": (dict, f"custom specs are for dedicated resource pools: {_NO_POOL}"),
    "affinity": (dict, f"node affinity is for dedicated resource pools: {_NO_POOL}"),
    "hooks": (dict, "start hooks (container_hooks) are not run by the local server"),
    "data_volumes": (list, "extra storage (data_volumes) is not available on the local server: "
                           "use the instance's work volume"),
    "user_vpc": (dict, "attaching a VPC network card is not available on the local server"),
    "public_network_config": (dict, "network settings are not available on the local server "
                                    "(instances use the machine's network)"),
    "run_user": (dict, "the local server runs instances as its own user: run_user cannot be chosen"),
    "dew_secret_name": (str, "DEW secrets are for OBS volumes, which the local server does not have"),
}

# --- the query parameters ------------------------------------------------------------------------

SORT_DIRS: tuple[str, ...] = ("ASC", "DESC")
DEFAULT_SORT_DIR = "DESC"
#: ``sort_key``: at most 128 of ``[A-Za-z0-9_,-]``, several keys separated by commas
SORT_KEY_MAX = 128
SORT_KEY_PATTERN = re.compile(r"[A-Za-z0-9_,-]*")
#: the instance fields a list may be sorted by; the reference names none, these are the
#: NotebookResp fields that have an order. The default is not documented either: newest first
#: (``create_at`` with the default DESC) is what a console shows
LIST_SORT_KEYS: tuple[str, ...] = ("create_at", "name", "status", "update_at")
DEFAULT_LIST_SORT_KEY = "create_at"
#: the page size when ``limit`` is not given (§4.2); any positive value up to LIST_INT_MAX is
#: taken (the SDK prints [10,20,50], §8 row 12 suggests accepting any)
LIST_LIMIT_DEFAULT = 10
BILLING_TYPES: tuple[str, ...] = ("COMPUTE", "STORAGE", "ALL")
#: the list's text filters: (pattern of the whole value, rule in words), from the SDK's docstrings.
#: ``name`` also takes the Chinese characters names may hold (the SDK's list filter omits them,
#: but a filter that cannot spell a name it can find would be useless)
LIST_TEXT_FILTERS: Mapping[str, tuple[re.Pattern[str], str]] = {
    "name": (re.compile(f"{NAME_CHARACTER.pattern}{{1,{NAME_MAX}}}"),
             f"must be 1-{NAME_MAX} {NAME_CHARACTERS_TEXT}"),
    "pool_id": (re.compile(r"[a-z][a-z0-9-]{2,62}[a-z0-9]"),
                "must be 4-64 lower-case letters, digits or '-', starting with a letter and ending with "
                "a letter or digit"),
    "owner": (re.compile(r"[a-z0-9]{32}"), "must be a user id: 32 lower-case letters and digits"),
    "flavor": (re.compile(r"[A-Za-z0-9._-]{1,256}"), "must be 1-256 letters, digits, '.', '_' or '-'"),
    "image_id": (UUID_PATTERN, "must be a UUID"),
    "id": (UUID_PATTERN, "must be a UUID"),
    "swr_path": (re.compile(r"[A-Za-z0-9_.:/-]{0,2048}"),
                 "must be at most 2048 letters, digits, '_', '.', ':', '/' or '-'"),
    "pool_name": (re.compile(r"[A-Za-z0-9-]{1,64}"), "must be 1-64 letters, digits or '-'"),
    "username": (re.compile(r"[A-Za-z0-9._-]{1,256}"), "must be 1-256 letters, digits, '.', '_' or '-'"),
    # key|value pairs separated by commas; no separator first, last (a comma) or twice in a row
    "tags": (re.compile(r"[\w .:/=+@-]+(?:[,|][\w .:/=+@-]+)*\|?"),
             "must be key|value pairs separated by ',' (letters, digits, spaces and _ . : / = + - @), "
             "not starting with ',' or '|', not ending with ',', without two separators in a row"),
}

IMAGE_LIST_LIMIT_DEFAULT = 200
#: the image fields a list may be sorted by: not documented; the [OTC] example sorts by
#: ``updateTime``, so the camel-case names are taken too (and given back in the API's spelling)
IMAGE_SORT_KEYS: tuple[str, ...] = ("create_at", "update_at", "name", "createTime", "updateTime")
_IMAGE_SORT_ALIASES = {"createTime": "create_at", "updateTime": "update_at"}
IMAGE_SERVICE_TYPES: tuple[str, ...] = ("COMMON", "INFERENCE", "TRAIN", "DEV", "UNKNOWN")
IMAGE_TYPES: tuple[str, ...] = ("BUILD_IN", "DEDICATED")
IMAGE_TEXT_FILTERS: Mapping[str, tuple[re.Pattern[str], str]] = {
    "name": (IMAGE_NAME_PATTERN,
             f"must be 1-{IMAGE_NAME_MAX} lower-case letters, digits, '-', '_' or '.'"),
    "namespace": (re.compile(r"[a-z][A-Za-z0-9._-]{0,63}"),
                  "must be 1-64 letters, digits, '-', '_' or '.', starting with a lower-case letter"),
    # not documented: any text, bounded like the image name it stands beside
    "show_name": (re.compile(r"[^\x00-\x1f\x7f]{1,512}"), "must be 1-512 characters, no control characters"),
    "show_tag": (re.compile(r"[^\x00-\x1f\x7f]{1,512}"), "must be 1-512 characters, no control characters"),
}

#: the flavor fields a flavor list may be sorted by: not documented; without ``sort_key`` the list
#: keeps catalogue order
FLAVOR_SORT_KEYS: tuple[str, ...] = ("id", "name", "category", "vcpus", "memory")
FLAVOR_CLUSTER_TYPES: tuple[str, ...] = ("MANAGED", "DEDICATED")
FLAVOR_ASCEND_TYPES: tuple[str, ...] = ("ASCEND_SNT9", "ASCEND_SNT9B", "ASCEND_SNT3")


# --- small checks ------------------------------------------------------------------------------

def _upper_choice(value: str, choices: tuple[str, ...]) -> str | None:
    """``value`` in upper case if it is one of ``choices`` in any ASCII case, else ``None``."""
    upper = value.upper() if value.isascii() else ""
    return upper if upper in choices else None


def _choices_text(choices: tuple[str, ...]) -> str:
    return f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else choices[0]


def _enum(value: Any, path: str, choices: tuple[str, ...], out: list[Violation]) -> str | None:
    """``value`` as one of ``choices`` (upper case), or ``None`` with a violation recorded."""
    if not type_ok(value, str):
        out.append(wrong_type(path, str))
        return None
    chosen = _upper_choice(value, choices)
    if chosen is None:
        out.append(incorrect(path, f"must be {_choices_text(choices)} (any case), got {shorten(value)!r}"))
    return chosen


def _check_name(value: Any, path: str = "name") -> list[Violation]:
    return check_name(value, path, max_length=NAME_MAX, allowed=NAME_CHARACTER, allowed_text=NAME_CHARACTERS_TEXT)


def _check_image_id(value: Any, path: str, out: list[Violation]) -> Image | None:
    """The image ``value`` names; 6336 for a value that is no UUID, 6797 for an unknown one."""
    if not type_ok(value, str):
        out.append(wrong_type(path, str))
        return None
    if not UUID_PATTERN.fullmatch(value):
        out.append(incorrect(path, f"must be an image id (a UUID from GET /v1/{{project_id}}/images), "
                                   f"got {shorten(value)!r}"))
        return None
    image = image_by_id(value)  # ids are compared as stored, like every other id
    if image is None:
        out.append(Violation("ModelArts.6797", path, "is not the id of an image of GET /v1/{project_id}/images",
                             (value,)))
    return image


def _check_flavor(value: Any, path: str, out: list[Violation]) -> Flavor | None:
    if not type_ok(value, str):
        out.append(wrong_type(path, str))
        return None
    flavor = FLAVORS.get(value)
    if flavor is None:
        out.append(Violation("ModelArts.6323", path, f"must be one of {', '.join(FLAVORS)}; got {shorten(value, 60)!r}"))
    return flavor


def image_flavor_mismatch(image: Image, flavor: Flavor, path: str = "flavor") -> Violation | None:
    """ModelArts.6330 if ``image`` does not run on ``flavor`` (a GPU image on a CPU flavor or the
    reverse), else ``None``. The server calls it on an update that changes one of the two, with
    the instance's current other one.

    The Notebook API documents no code of its own for this; 6330 ("the flavor type of profile
    does not match the type of flavor") is the old API's, and the image stands for a profile."""
    if image.hardware == flavor.hardware:
        return None
    return Violation("ModelArts.6330", path,
                     f"image {image.name} ({image.id}) runs on {image.hardware} flavors, but {flavor.name} "
                     f"is a {flavor.hardware} flavor")


def _check_duration(value: Any, path: str) -> list[Violation]:
    """A run time in milliseconds: 3600000-259200000, or -1 for auto-stop off (ModelArts.6349)."""
    if not type_ok(value, int):
        return [wrong_type(path, int)]
    if value != LEASE_OFF_MS and not DURATION_MIN_MS <= value <= DURATION_MAX_MS:
        return [Violation("ModelArts.6349", path,
                          f"must be between {DURATION_MIN_MS} and {DURATION_MAX_MS} milliseconds (1-72 h), "
                          f"or {LEASE_OFF_MS} for no auto-stop; got {value}", (DURATION_MIN_MS, DURATION_MAX_MS))]
    return []


def _check_lease(lease: Mapping[str, Any], prefix: str) -> list[Violation]:
    """A LeaseReq: the create body's ``lease`` (``prefix`` "lease.") or a renew body ("")."""
    found = unknown_keys(lease, LEASE_KEYS, prefix)
    if lease.get("duration") is not None:
        found += _check_duration(lease["duration"], f"{prefix}duration")
    if lease.get("type") is not None:
        _enum(lease["type"], f"{prefix}type", LEASE_TYPES, found)
    return found


def _asks_nothing(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _check_unsupported(body: Mapping[str, Any], key: str, path: str) -> list[Violation]:
    """A field the local server cannot honour: accepted only when it asks for nothing."""
    value = body.get(key)
    kind, why = UNSUPPORTED[key]
    if value is None:
        return []
    if not type_ok(value, kind):
        return [wrong_type(path, kind)]
    return [] if _asks_nothing(value) else [incorrect(path, why)]


def _check_endpoints(value: Any, path: str) -> list[Violation]:
    """``endpoints``: the local server serves JupyterLab (``NOTEBOOK``), not SSH; key pairs and
    IP allow-lists are SSH settings, refused as SSH is."""
    if not type_ok(value, list):
        return [wrong_type(path, list)]
    found: list[Violation] = []
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        if not type_ok(item, dict):
            found.append(wrong_type(item_path, dict))
            continue
        found += unknown_keys(item, ENDPOINT_KEYS, item_path + ".")
        if item.get("service") is not None:
            service = _enum(item["service"], f"{item_path}.service", ENDPOINT_SERVICES, found)
            if service == "SSH":
                found.append(incorrect(f"{item_path}.service", "SSH access is not available on the local "
                                                                "server: use NOTEBOOK (JupyterLab in the browser)"))
        for key in ("key_pair_names", "allowed_access_ips"):
            if item.get(key) is None:
                continue
            if not type_ok(item[key], list):
                found.append(wrong_type(f"{item_path}.{key}", list))
            elif item[key]:
                found.append(incorrect(f"{item_path}.{key}", "is an SSH setting: SSH access is not available "
                                                             "on the local server"))
    return found


def _check_volume(volume: Mapping[str, Any], path: str) -> list[Violation]:
    found = unknown_keys(volume, VOLUME_KEYS, path + ".")
    category = volume.get("category")
    if category is None:
        found.append(missing(f"{path}.category"))
    elif not type_ok(category, str):
        found.append(wrong_type(f"{path}.category", str))
    else:
        known = _upper_choice(category, VOLUME_CATEGORIES)
        if known is None:
            found.append(Violation("ModelArts.6324", f"{path}.category",
                                   f"must be {_choices_text(VOLUME_CATEGORIES)} (any case), got {shorten(category)!r}"))
        elif known not in SUPPORTED_VOLUME_CATEGORIES:
            found.append(Violation("ModelArts.6324", f"{path}.category",
                                   f"{known} volumes are not supported by the local server: use EVS"))
    ownership = volume.get("ownership")
    if ownership is None:
        found.append(missing(f"{path}.ownership"))
    elif _enum(ownership, f"{path}.ownership", VOLUME_OWNERSHIPS, found) == "DEDICATED":
        found.append(incorrect(f"{path}.ownership", "DEDICATED storage (in your own account) is not available on "
                                                    "the local server: use MANAGED"))
    capacity = volume.get("capacity")
    if capacity is not None:
        if not type_ok(capacity, int):
            found.append(wrong_type(f"{path}.capacity", int))
        elif not VOLUME_MIN <= capacity <= VOLUME_MAX:
            found.append(Violation("ModelArts.6331", f"{path}.capacity",
                                   f"must be between {VOLUME_MIN} and {VOLUME_MAX} GB, got {capacity}",
                                   (VOLUME_MIN, VOLUME_MAX)))
    for key in ("uri", "id", "dew_secret_name"):
        value = volume.get(key)
        if value is None:
            continue
        if not type_ok(value, str):
            found.append(wrong_type(f"{path}.{key}", str))
        elif value:
            found.append(incorrect(f"{path}.{key}", "is for EFS and OBS volumes, which the local server does "
                                                    "not have"))
    mount_path = volume.get("mount_path")
    if mount_path is not None:
        if not type_ok(mount_path, str):
            found.append(wrong_type(f"{path}.mount_path", str))
        elif mount_path and mount_path.rstrip("/") != MOUNT_PATH.rstrip("/"):
            found.append(incorrect(f"{path}.mount_path", f"the work volume is always mounted at {MOUNT_PATH}"))
    read_only = volume.get("read_only")
    if read_only is not None:
        if not type_ok(read_only, bool):
            found.append(wrong_type(f"{path}.read_only", bool))
        elif read_only:
            found.append(incorrect(f"{path}.read_only", "a read-only work volume is not available on the local "
                                                        "server"))
    return found


# --- the requests ------------------------------------------------------------------------------

def validate_create(body: Any) -> list[Violation]:
    """All violations of a create body (NotebookCreateRequest, §4.1); ``[]`` if valid."""
    if not type_ok(body, dict):
        return not_an_object(body)
    found = unknown_keys(body, CREATE_KEYS, "")

    if body.get("name") is None:
        found.append(missing("name"))
    else:
        found += _check_name(body["name"])

    image = None
    if body.get("image_id") is None:
        found.append(missing("image_id"))
    else:
        image = _check_image_id(body["image_id"], "image_id", found)

    # optional in the SDK only because a custom_spec can stand for it, and custom specs need a
    # dedicated pool (refused below): the [OTC] reference's "mandatory" applies here
    flavor = None
    if body.get("flavor") is None:
        found.append(missing("flavor"))
    else:
        flavor = _check_flavor(body["flavor"], "flavor", found)
    if image is not None and flavor is not None:
        mismatch = image_flavor_mismatch(image, flavor)
        if mismatch is not None:
            found.append(mismatch)

    if body.get("volume") is None:
        found.append(missing("volume"))
    else:
        volume = sub_object(body, "volume", "", found)
        if volume is not None:
            found += _check_volume(volume, "volume")

    if body.get("description") is not None:
        found += check_description(body["description"], "description")

    if body.get("feature") is not None:
        feature = _enum(body["feature"], "feature", FEATURES, found)
        # a free CodeLab instance needs a free flavor; the catalogue has none
        if feature is not None and flavor is not None and feature != FLAVOR_FEATURE:
            found.append(Violation("ModelArts.6870", "feature",
                                   f"{feature} (a free CodeLab instance) needs a free flavor; {flavor.name} is a "
                                   f"{FLAVOR_FEATURE} flavor and the local server has no free ones",
                                   (flavor.name, feature)))

    workspace = body.get("workspace_id")
    if workspace is not None:
        if not type_ok(workspace, str):
            found.append(wrong_type("workspace_id", str))
        elif not WORKSPACE_ID_PATTERN.fullmatch(workspace):
            found.append(incorrect("workspace_id", "must be \"0\" or 32 lower-case letters and digits"))

    lease = sub_object(body, "lease", "", found)
    if lease is not None:
        found += _check_lease(lease, "lease.")
    if body.get("duration") is not None:
        found += _check_duration(body["duration"], "duration")

    if body.get("endpoints") is not None:
        found += _check_endpoints(body["endpoints"], "endpoints")
    for key in ("pool_id", "hooks", "custom_spec", "affinity", "run_user", "data_volumes", "user_vpc",
                "public_network_config"):
        found += _check_unsupported(body, key, key)
    return found


def with_defaults(body: Mapping[str, Any]) -> dict[str, Any]:
    """A *valid* create body in the one shape the server keeps: enums in upper case, the
    documented defaults filled in (description "", feature NOTEBOOK, workspace "0", an EVS
    volume of 5 GB at :data:`MOUNT_PATH`), and the lease as ``{duration, type, enable}``.

    The lease comes from the top-level ``duration`` if present (which, as documented, makes
    ``lease`` ignored and the type TIMING), else from ``lease``, else 1 h TIMING. Fields that
    ask for nothing (``endpoints: []`` ...) are dropped: the validation let nothing else through.
    """

    def given(key: str, default: Any, source: Mapping[str, Any] = body) -> Any:
        value = source.get(key)
        return default if value is None else value

    volume = body["volume"]
    lease = body.get("lease") or {}
    if body.get("duration") is not None:
        duration, lease_type = int(body["duration"]), DEFAULT_LEASE_TYPE
    else:
        duration = int(given("duration", DURATION_DEFAULT_MS, lease))
        lease_type = str(given("type", DEFAULT_LEASE_TYPE, lease)).upper()
    return {
        "name": body["name"],
        "image_id": body["image_id"],
        "flavor": body["flavor"],
        "description": given("description", ""),
        "feature": str(given("feature", DEFAULT_FEATURE)).upper(),
        "workspace_id": given("workspace_id", DEFAULT_WORKSPACE),
        "volume": {
            "category": str(volume["category"]).upper(),
            "ownership": str(volume["ownership"]).upper(),
            "capacity": int(given("capacity", VOLUME_DEFAULT, volume)),
            "mount_path": MOUNT_PATH,
        },
        "lease": {"duration": duration, "type": lease_type, "enable": duration != LEASE_OFF_MS},
    }


def validate_update(body: Any) -> list[Violation]:
    """All violations of an update body (NotebookUpdateRequest, §4.4), before the server's own
    checks (the instance is STOPPED, a new size is larger than the current one, a new flavor or
    image suits the current other one: :func:`check_storage_new_size`,
    :func:`image_flavor_mismatch`)."""
    if not type_ok(body, dict):
        return not_an_object(body)
    found = unknown_keys(body, UPDATE_KEYS, "")
    if body.get("name") is not None:
        found += _check_name(body["name"])
    if body.get("description") is not None:
        found += check_description(body["description"], "description")
    image = _check_image_id(body["image_id"], "image_id", found) if body.get("image_id") is not None else None
    flavor = _check_flavor(body["flavor"], "flavor", found) if body.get("flavor") is not None else None
    if image is not None and flavor is not None:
        mismatch = image_flavor_mismatch(image, flavor)
        if mismatch is not None:
            found.append(mismatch)
    size = body.get("storage_new_size")
    if size is not None:
        if not type_ok(size, int):
            found.append(wrong_type("storage_new_size", int))
        elif not VOLUME_MIN <= size <= VOLUME_MAX:
            found.append(Violation("ModelArts.6331", "storage_new_size",
                                   f"must be between {VOLUME_MIN} and {VOLUME_MAX} GB, got {size}",
                                   (VOLUME_MIN, VOLUME_MAX)))
    if body.get("endpoints") is not None:
        found += _check_endpoints(body["endpoints"], "endpoints")
    for key in ("hooks", "custom_spec", "affinity", "dew_secret_name", "data_volumes", "public_network_config"):
        found += _check_unsupported(body, key, key)
    return found


def changed_fields(body: Mapping[str, Any]) -> list[str]:
    """The fields a (valid) update body changes: what ModelArts.6347 names when the instance
    is not STOPPED."""
    return [key for key, value in body.items() if not _asks_nothing(value)]


def check_storage_new_size(current_gb: int, new_gb: int) -> Violation | None:
    """ModelArts.6331 unless ``new_gb`` grows the volume: an EVS volume only grows (§4.4), up
    to :data:`VOLUME_MAX`. The message gives the range still open: current + 1 to the maximum.
    Whether ModelArts limits one step (the console guide says 100 or 200 GB) is not documented
    for the API: no step limit here."""
    if current_gb < new_gb <= VOLUME_MAX:
        return None
    if current_gb >= VOLUME_MAX:
        rule = f"the volume already has the maximum size, {VOLUME_MAX} GB"
    else:
        rule = f"must be larger than the current {current_gb} GB and at most {VOLUME_MAX} GB, got {new_gb}"
    return Violation("ModelArts.6331", "storage_new_size", rule, (min(current_gb + 1, VOLUME_MAX), VOLUME_MAX))


# --- leases: start and renew ------------------------------------------------------------------------

_QUERY_INTEGER = re.compile(r"-?[0-9]+")


def _query_duration(params: Mapping[str, str], key: str, out: list[Violation]) -> int | None:
    """``?duration=`` as it arrives (a string): ``None`` if absent or empty."""
    raw = params.get(key)
    if raw is None or raw == "":
        return None
    if not _QUERY_INTEGER.fullmatch(raw):
        out.append(Violation("ModelArts.6332", key, f"must be an integer number of milliseconds, got "
                                                    f"{shorten(raw)!r}", (key, "Integer")))
        return None
    # a thousand digits never reach int(): anything longer than the maximum is out of range
    digits = raw.lstrip("-").lstrip("0")
    value = int(raw) if len(digits) <= len(str(DURATION_MAX_MS)) else DURATION_MAX_MS + 1
    violations = _check_duration(value, key)
    out.extend(violations)
    return None if violations else value


def validate_start_query(params: Mapping[str, str]) -> tuple[dict[str, Any], list[Violation]]:
    """The start call's ``?duration=&type=`` (§4.6): ``{"duration": ms, "type": "TIMING"|"IDLE"}``
    with the defaults (1 h, TIMING), and the violations."""
    found: list[Violation] = []
    duration = _query_duration(params, "duration", found)
    lease_type = None
    if params.get("type"):
        lease_type = _enum(params["type"], "type", LEASE_TYPES, found)
    return {"duration": DURATION_DEFAULT_MS if duration is None else duration,
            "type": lease_type or DEFAULT_LEASE_TYPE}, found


def validate_lease(body: Any, query: Mapping[str, str]) -> tuple[dict[str, Any], list[Violation]]:
    """The renew call (§4.9): a LeaseReq body (``None`` when there is none) and ``?duration=``.

    As documented, a query ``duration`` wins: the body is then ignored (not even checked) and
    the type is TIMING. Returns ``{"duration": ms, "type": ...}`` with the defaults (1 h, TIMING)
    and the violations."""
    found: list[Violation] = []
    if query.get("duration"):
        duration = _query_duration(query, "duration", found)
        return {"duration": DURATION_DEFAULT_MS if duration is None else duration, "type": DEFAULT_LEASE_TYPE}, found
    if body is None:
        return {"duration": DURATION_DEFAULT_MS, "type": DEFAULT_LEASE_TYPE}, found
    if not type_ok(body, dict):
        return {"duration": DURATION_DEFAULT_MS, "type": DEFAULT_LEASE_TYPE}, not_an_object(body)
    found += _check_lease(body, "")
    duration = body.get("duration")
    lease_type = body.get("type")
    ok = not found
    return {"duration": int(duration) if ok and duration is not None else DURATION_DEFAULT_MS,
            "type": str(lease_type).upper() if ok and lease_type is not None else DEFAULT_LEASE_TYPE}, found


# --- the list calls ------------------------------------------------------------------------------

def _query_enum(params: Mapping[str, str], key: str, choices: tuple[str, ...], default: str | None,
                out: list[Violation]) -> str | None:
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    chosen = _enum(raw, key, choices, out)
    return default if chosen is None else chosen


def _query_text(params: Mapping[str, str], filters: Mapping[str, tuple[re.Pattern[str], str]],
                out: dict[str, Any], found: list[Violation]) -> None:
    """Each text filter of ``filters`` that ``params`` gives, checked against its pattern."""
    for key, (pattern, rule) in filters.items():
        raw = params.get(key)
        out[key] = raw or None
        if raw and not pattern.fullmatch(raw):
            found.append(incorrect(key, f"{rule}; got {shorten(raw)!r}"))
            out[key] = None


def _query_sort_key(params: Mapping[str, str], allowed: tuple[str, ...], default: tuple[str, ...],
                    found: list[Violation], normalise: Callable[[str], str] = str) -> tuple[str, ...]:
    """``sort_key``: comma-separated field names, each one of ``allowed`` (ModelArts.6303)."""
    raw = params.get("sort_key")
    if not raw:
        return default
    if len(raw) > SORT_KEY_MAX or not SORT_KEY_PATTERN.fullmatch(raw):
        found.append(incorrect("sort_key", f"must be at most {SORT_KEY_MAX} letters, digits, '_', '-' or ','; "
                                           f"got {shorten(raw)!r}"))
        return default
    keys = raw.split(",")
    if "" in keys:
        found.append(incorrect("sort_key", f"must be field names separated by single commas, got {shorten(raw)!r}"))
        return default
    unknown = [key for key in keys if key not in allowed]
    if unknown:
        found.append(Violation("ModelArts.6303", "sort_key",
                               f"can sort by {', '.join(allowed)} only; got {shorten(unknown[0])!r}"))
        return default
    return tuple(dict.fromkeys(normalise(key) for key in keys))


def _query_workspace(params: Mapping[str, str], found: list[Violation]) -> str:
    """``workspace_id``, also spelled ``workspaceId`` (§4.2, §8 row 10): both are taken; two
    different values are refused rather than one chosen silently."""
    values = {key: params[key] for key in ("workspace_id", "workspaceId") if params.get(key)}
    if len(set(values.values())) > 1:
        found.append(incorrect("workspace_id", "workspace_id and workspaceId name the same parameter: "
                                               "give one, or the same value in both"))
        return DEFAULT_WORKSPACE
    for key, value in values.items():
        if not WORKSPACE_ID_PATTERN.fullmatch(value):
            found.append(incorrect(key, f"must be \"0\" or 32 lower-case letters and digits, got {shorten(value)!r}"))
            return DEFAULT_WORKSPACE
        return value
    return DEFAULT_WORKSPACE


def validate_list_query(params: Mapping[str, str]) -> tuple[dict[str, Any], list[Violation]]:
    """The query of ``GET /notebooks`` and ``/notebooks/all`` (§4.2): the parameters with their
    defaults and types (``limit``/``offset`` ints, ``sort_key`` a tuple of field names, absent
    filters ``None``), and the violations.

    Text filters are matched by the server (``name``, ``flavor``, ``description``, ``swr_path``,
    ``pool_name`` and ``username`` fuzzily, as documented); filters on things the local server
    has none of (``pool_id``, ``pool_name``, ``tags``, ``ip``) are valid and match nothing.
    """
    found: list[Violation] = []
    out: dict[str, Any] = {
        "feature": _query_enum(params, "feature", FEATURES, DEFAULT_FEATURE, found),
        "sort_dir": _query_enum(params, "sort_dir", SORT_DIRS, DEFAULT_SORT_DIR, found),
        "sort_key": _query_sort_key(params, LIST_SORT_KEYS, (DEFAULT_LIST_SORT_KEY,), found),
        "status": _query_enum(params, "status", STATUSES, None, found),
        "billing": _query_enum(params, "billing", BILLING_TYPES, None, found),
        "workspace_id": _query_workspace(params, found),
    }
    out["limit"], violation = query_count(params, "limit", default=LIST_LIMIT_DEFAULT, minimum=1)
    found += [violation] if violation else []
    out["offset"], violation = query_count(params, "offset", default=0)
    found += [violation] if violation else []
    _query_text(params, LIST_TEXT_FILTERS, out, found)
    description = params.get("description")
    out["description"] = description or None
    if description:
        violations = check_description(description, "description")
        found += violations
        out["description"] = None if violations else description
    ip = params.get("ip")
    out["ip"] = ip or None
    if ip:
        try:
            ipaddress.IPv4Address(ip)
        except ValueError:
            found.append(incorrect("ip", f"must be an IPv4 address, got {shorten(ip)!r}"))
            out["ip"] = None
    return out, found


def validate_images_query(params: Mapping[str, str]) -> tuple[dict[str, Any], list[Violation]]:
    """The query of ``GET /images`` (§4.11), with defaults and types.

    ``type`` and ``service_type`` filter only when given: the SDK's defaults (BUILD_IN, UNKNOWN)
    cannot be filters, since the reference's unfiltered sample lists both image types and
    several service types (§8 row 15)."""
    found: list[Violation] = []
    out: dict[str, Any] = {
        "type": _query_enum(params, "type", IMAGE_TYPES, None, found),
        "service_type": _query_enum(params, "service_type", IMAGE_SERVICE_TYPES, None, found),
        "sort_dir": _query_enum(params, "sort_dir", SORT_DIRS, DEFAULT_SORT_DIR, found),
        "sort_key": _query_sort_key(params, IMAGE_SORT_KEYS, ("create_at",), found,
                                    lambda key: _IMAGE_SORT_ALIASES.get(key, key)),
        "workspace_id": _query_workspace(params, found),
    }
    out["limit"], violation = query_count(params, "limit", default=IMAGE_LIST_LIMIT_DEFAULT, minimum=1)
    found += [violation] if violation else []
    out["offset"], violation = query_count(params, "offset", default=0)
    found += [violation] if violation else []
    fuzzy = params.get("name_fuzzy_match") or "true"
    if fuzzy.lower() not in ("true", "false"):
        found.append(incorrect("name_fuzzy_match", f"must be true or false, got {shorten(fuzzy)!r}"))
    out["name_fuzzy_match"] = fuzzy.lower() != "false"
    _query_text(params, IMAGE_TEXT_FILTERS, out, found)
    return out, found


def validate_flavors_query(params: Mapping[str, str]) -> tuple[dict[str, Any], list[Violation]]:
    """The query of ``GET /notebooks/flavors`` (§4.10), also used for an instance's switchable
    flavors (§4.10a, a subset of the same parameters). ``limit`` is ``None`` (no limit) unless
    given; ``sort_key`` ``()`` keeps catalogue order. Filters for what the local server has none
    of (``type`` DEDICATED, ``flavor_type``, category ASCEND) are valid and match nothing."""
    found: list[Violation] = []
    out: dict[str, Any] = {
        "category": _query_enum(params, "category", FLAVOR_CATEGORIES, None, found),
        "type": _query_enum(params, "type", FLAVOR_CLUSTER_TYPES, None, found),
        "flavor_type": _query_enum(params, "flavor_type", FLAVOR_ASCEND_TYPES, None, found),
        "feature": _query_enum(params, "feature", (FLAVOR_FEATURE,), FLAVOR_FEATURE, found),
        "sort_dir": _query_enum(params, "sort_dir", SORT_DIRS, DEFAULT_SORT_DIR, found),
        "sort_key": _query_sort_key(params, FLAVOR_SORT_KEYS, (), found),
    }
    limit, violation = query_count(params, "limit", default=0, minimum=1)
    found += [violation] if violation else []
    out["limit"] = limit or None
    out["offset"], violation = query_count(params, "offset", default=0)
    found += [violation] if violation else []
    return out, found
