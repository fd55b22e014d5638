"""The catalogue (profiles, flavors), the status/operation tables and the error-code table.

Sources: modelarts_03_0110 (profiles, flavors, permission), "Managing a Development Environment
Instance" (modelarts_03_0115: actions, which operation each status allows) and "Error Codes"
(modelarts_03_0095).
"""

from __future__ import annotations

import itertools

import pytest

from nb_devenv.contract import (
    ACTIONS,
    ERROR_CODES,
    FAILED,
    FLAVORS,
    PROFILES,
    STABLE,
    STATUSES,
    TRANSITIONAL,
    ErrorCode,
    action_refusal,
    by_code,
    can,
    delete_refusal,
    flavor_names,
    profile_ids,
)

# --- catalogue: profiles -------------------------------------------------------------------------

SEED_PROFILES = ["Python2", "Python2-gpu", "Python3", "Python3-gpu"]
SEED_EXAMPLE_PROFILE = "ML-1.0.0-python2.7"


def test_catalogue_has_the_seed_profiles_and_the_example_profile():
    assert set(profile_ids()) == {*SEED_PROFILES, SEED_EXAMPLE_PROFILE}
    assert profile_ids() == list(PROFILES)


@pytest.mark.parametrize("profile_id, hardware, python_major", [
    ("Python2", "CPU", 2),
    ("Python2-gpu", "GPU", 2),
    ("Python3", "CPU", 3),
    ("Python3-gpu", "GPU", 3),
    ("ML-1.0.0-python2.7", "CPU", 2),
])
def test_profile_hardware(profile_id, hardware, python_major):
    profile = PROFILES[profile_id]
    assert profile.id == profile_id
    assert profile.hardware == hardware
    assert profile.python_major == python_major


def test_example_profile_matches_the_seed_example_response():
    # modelarts_03_0110 "Example response", field profile
    api = PROFILES["ML-1.0.0-python2.7"].as_api()
    assert api["id"] == api["name"] == "ML-1.0.0-python2.7"
    assert api["de_type"] == "Notebook"
    assert api["description"] == "machine learning python2.7 notebook"
    assert api["provision"]["type"] == "Docker"
    assert api["provision"]["spec"] == {
        "engine": "CCE",
        "params": {"image_name": "mls_singleuser_python", "image_tag": "4", "namespace": "atelier"},
    }


@pytest.mark.parametrize("profile_id", list(PROFILES))
def test_profile_as_api_shape(profile_id):
    api = PROFILES[profile_id].as_api()
    assert api["id"] == profile_id
    assert api["de_type"] == "Notebook"
    assert api["flavor_type"] == PROFILES[profile_id].hardware
    assert api["provision"]["type"] == "Docker"
    assert api["provision"]["spec"]["engine"] == "CCE"
    assert set(api["provision"]["spec"]["params"]) == {"namespace", "image_name", "image_tag"}


# --- catalogue: flavors --------------------------------------------------------------------------

SEED_FLAVORS = [
    "modelarts.vm.cpu.2u",
    "modelarts.vm.cpu.8u",
    "modelarts.vm.gpu.p100",
    "modelarts.vm.gpu.2p100",
    "modelarts.vm.gpu.4p100",
]


def test_catalogue_has_the_five_seed_flavors_in_seed_order():
    assert flavor_names() == SEED_FLAVORS


@pytest.mark.parametrize("name, hardware, gpus, needs_permission", [
    ("modelarts.vm.cpu.2u", "CPU", 0, False),
    ("modelarts.vm.cpu.8u", "CPU", 0, False),
    ("modelarts.vm.gpu.p100", "GPU", 1, False),
    ("modelarts.vm.gpu.2p100", "GPU", 2, True),
    ("modelarts.vm.gpu.4p100", "GPU", 4, True),
])
def test_flavor_hardware_and_permission(name, hardware, gpus, needs_permission):
    flavor = FLAVORS[name]
    assert flavor.name == name
    assert flavor.hardware == hardware
    assert flavor.gpus == gpus
    assert flavor.needs_permission is needs_permission


@pytest.mark.parametrize("permitted", [True, False])
@pytest.mark.parametrize("name", SEED_FLAVORS)
def test_flavor_as_api(name, permitted):
    flavor = FLAVORS[name]
    api = flavor.as_api(permitted)
    assert api["name"] == name
    assert api["type"] == flavor.hardware
    assert api["is_permitted"] is permitted
    assert api["params"]["CPU"] == flavor.cpus
    assert ("GPU" in api["params"]) == (flavor.hardware == "GPU")


def test_catalogue_is_read_only():
    with pytest.raises(TypeError):
        PROFILES["Python4"] = PROFILES["Python3"]  # type: ignore[index]
    with pytest.raises(TypeError):
        FLAVORS["x"] = FLAVORS["modelarts.vm.cpu.2u"]  # type: ignore[index]


def test_every_profile_has_at_least_one_flavor_of_its_hardware():
    kinds = {flavor.hardware for flavor in FLAVORS.values()}
    assert {profile.hardware for profile in PROFILES.values()} <= kinds


# --- statuses and actions ------------------------------------------------------------------------

def test_statuses_are_the_fifteen_of_the_reference():
    assert STATUSES == (
        "CREATE_QUEUING", "CREATING", "CREATE_FAILED", "START_QUEUING", "READY_TO_START", "STARTING",
        "RESTARTING", "START_FAILED", "RUNNING", "STOPPING", "STOPPED", "UNAVAILABLE", "DELETED",
        "RESIZING", "RESIZE_FAILED",
    )


def test_actions_are_the_five_of_the_reference():
    assert ACTIONS == ("start", "stop", "restart", "queue", "dequeue")


def test_status_groups_partition_the_statuses():
    assert TRANSITIONAL | STABLE == set(STATUSES)
    assert not TRANSITIONAL & STABLE
    assert FAILED <= STABLE
    assert FAILED == {"CREATE_FAILED", "START_FAILED", "RESIZE_FAILED"}
    assert {"RUNNING", "STOPPED"} <= STABLE
    assert {"CREATING", "STARTING", "STOPPING", "RESTARTING"} <= TRANSITIONAL


# action, status -> the refusal code (None = allowed); every pair not listed here is 6357
ACTION_TABLE = [
    # start: only from STOPPED or START_FAILED
    ("start", "STOPPED", None),
    ("start", "START_FAILED", None),
    ("start", "RUNNING", "ModelArts.6305"),
    ("start", "STARTING", "ModelArts.6306"),
    ("start", "RESTARTING", "ModelArts.6306"),
    ("start", "CREATING", "ModelArts.6306"),
    ("start", "STOPPING", "ModelArts.6308"),
    # stop: only from RUNNING
    ("stop", "RUNNING", None),
    ("stop", "STOPPED", "ModelArts.6307"),
    ("stop", "STARTING", "ModelArts.6306"),
    ("stop", "RESTARTING", "ModelArts.6306"),
    ("stop", "CREATING", "ModelArts.6306"),
    ("stop", "STOPPING", "ModelArts.6308"),
    ("stop", "CREATE_FAILED", "ModelArts.6327"),
    ("stop", "START_FAILED", "ModelArts.6327"),
    # restart: only from RUNNING
    ("restart", "RUNNING", None),
    ("restart", "STOPPED", "ModelArts.6327"),
    ("restart", "STARTING", "ModelArts.6306"),
    ("restart", "RESTARTING", "ModelArts.6306"),
    ("restart", "CREATING", "ModelArts.6306"),
    ("restart", "STOPPING", "ModelArts.6308"),
    ("restart", "CREATE_FAILED", "ModelArts.6327"),
    ("restart", "START_FAILED", "ModelArts.6327"),
]
_LISTED = {(action, status) for action, status, _ in ACTION_TABLE}


@pytest.mark.parametrize("action, status, refusal", [
    pytest.param(a, s, r, id=f"{a} from {s} -> {r or 'allowed'}") for a, s, r in ACTION_TABLE
])
def test_action_refusal(action, status, refusal):
    assert action_refusal(action, status) == refusal
    assert can(action, status) is (refusal is None)


@pytest.mark.parametrize("action, status", [
    pytest.param(a, s, id=f"{a} from {s}")
    for a, s in itertools.product(ACTIONS, STATUSES) if (a, s) not in _LISTED
])
def test_every_other_action_is_refused_with_6357(action, status):
    assert action_refusal(action, status) == "ModelArts.6357"
    assert not can(action, status)


def test_unknown_action_is_refused_with_6357():
    assert action_refusal("pause", "RUNNING") == "ModelArts.6357"




@pytest.mark.parametrize("status", [
    "STOPPED",
    "CREATE_FAILED",
    "START_FAILED",
    pytest.param("RESIZE_FAILED"),
])
def test_delete_allowed_from_stopped_or_failed(status):
    assert delete_refusal(status) is None
    assert can("delete", status)


@pytest.mark.parametrize("status", [
    "RUNNING", "STARTING", "RESTARTING", "STOPPING", "CREATING", "CREATE_QUEUING", "START_QUEUING",
    "READY_TO_START", "RESIZING",
])
def test_delete_refused_with_6304(status):
    assert delete_refusal(status) == "ModelArts.6304"
    assert not can("delete", status)


@pytest.mark.parametrize("operation, status", [
    pytest.param(op, s, id=f"{op} from {s}")
    for op, s in itertools.product([*ACTIONS, "delete"], STATUSES)
])
def test_every_refusal_code_is_documented(operation, status):
    code = delete_refusal(status) if operation == "delete" else action_refusal(operation, status)
    assert code is None or code in ERROR_CODES


# --- error codes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, args, expected", [
    ("ModelArts.6331", (5, 4096), "The evs volume size ranges from 5 GB to 4096 GB."),
    ("ModelArts.6332", ("name", "String"),
     "Incorrect parameter type. The 'name' parameter must be of the 'String' type."),
    ("ModelArts.6334", ("&",), "Invalid value for name or description. The character `&` is not allowed."),
    ("ModelArts.6335", ("name",), "'name' is a required property."),
    ("ModelArts.6336", ("flavor",), "'flavor' property value is incorrect."),
    ("ModelArts.6347", ("RUNNING", "flavor"),
     "When the instance is in the 'RUNNING' status, the 'flavor' parameter cannot be modified."),
    ("ModelArts.6349", (3600, 86400), "The 'duration' parameter is incorrect. The value ranges from 3600 to 86400."),
    ("ModelArts.6400", ("(unknown field 'x')",), "Invalid request payload (unknown field 'x'), please check."),
    ("APIGW.0301", ("ak AK not exist",), "Incorrect IAM authentication information: ak AK not exist"),
])
def test_error_code_format_fills_placeholders(code, args, expected):
    assert by_code(code).format(*args) == expected


def test_error_code_format_leaves_missing_placeholders_blank_and_ignores_extra_args():
    assert by_code("ModelArts.6349").format(3600) == \
        "The 'duration' parameter is incorrect. The value ranges from 3600 to ."
    assert by_code("ModelArts.6318").format("ignored") == "The param 'path' needs to end with /."
    assert ErrorCode("X.1", 400, "a {} b {}").format() == "a  b "


def test_error_code_table_is_keyed_by_its_codes():
    for code, error in ERROR_CODES.items():
        assert error.code == code
        assert 100 <= error.http_status < 600


def test_unknown_error_code_is_a_programming_error():
    with pytest.raises(KeyError):
        by_code("ModelArts.9999")


# documented messages ("Error Codes", modelarts_03_0095), HTTP 400 for all
@pytest.mark.parametrize("code, message", [
    ("ModelArts.6301", "The instance already exists."),
    ("ModelArts.6302", "The instance count already reaches the maximum value."),
    ("ModelArts.6303", "The field does not support sorting."),
    ("ModelArts.6304", "Please stop the instance before deleting."),
    ("ModelArts.6305", "The instance is already running."),
    ("ModelArts.6306", "The instance is starting."),
    ("ModelArts.6307", "The instance has already been stopped."),
    ("ModelArts.6308", "The instance is stopping."),
    ("ModelArts.6309", "The instance does not exist."),
    ("ModelArts.6316", "The param 'storage' is needed for creating notebook instance."),
    ("ModelArts.6317", "The 'path' parameter is required when the storage type is OBS."),
    ("ModelArts.6318", "The param 'path' needs to end with /."),
    ("ModelArts.6323", "The flavor is not supported, please check it."),
    ("ModelArts.6324", "This location type is not supported. Please check it."),
    ("ModelArts.6327", "The instance is not in running. Please refresh the page and start it."),
    ("ModelArts.6328", "Sorry, you currently do not have permission for this flavor. Please apply it firstly."),
    ("ModelArts.6329", "Sorry, this flavor specification is sold out. Please try others."),
    ("ModelArts.6330", "The flavor type of profile does not match the type of flavor. Please check it."),
    ("ModelArts.6331", "The evs volume size ranges from {} GB to {} GB."),
    ("ModelArts.6332", "Incorrect parameter type. The '{}' parameter must be of the '{}' type."),
    ("ModelArts.6334", "Invalid value for name or description. The character `{}` is not allowed."),
    ("ModelArts.6335", "'{}' is a required property."),
    ("ModelArts.6336", "'{}' property value is incorrect."),
    ("ModelArts.6346", "The timestamp of auto stop must be later than the current timestamp."),
    ("ModelArts.6347", "When the instance is in the '{}' status, the '{}' parameter cannot be modified."),
    ("ModelArts.6348", "The 'duration' parameter is mandatory for enabling auto stop."),
    ("ModelArts.6349", "The 'duration' parameter is incorrect. The value ranges from {} to {}."),
    ("ModelArts.6357", "The operation is not allowed because another operation is being performed on the "
                       "instance or the instance is in the target state."),
    ("ModelArts.6358", "The path parameter is incorrect. It cannot be the root directory of an OBS bucket, "
                       "but must be a specific directory in the OBS bucket."),
    ("ModelArts.6400", "Invalid request payload {}, please check."),
])
def test_devenviron_error_codes_are_the_documented_ones(code, message):
    assert by_code(code).template == message
    assert by_code(code).http_status == 400
