"""The Notebook API's contract (``nb_devenv.contract.notebooks``), one row per rule.

Sources: ``shared/api/notebook-reference.md`` (§ numbers below) and the official SDK
``huaweicloudsdkmodelarts``, whose request models must serialise to bodies these rules accept.
Bodies are built from the reference's sample create request (§4.1), changing only the fields a
row names, so a row reads as "the documented example, but with X".
"""

from __future__ import annotations

import json
import re
import uuid

import huaweicloudsdkmodelarts.v1 as sdk
import jsonschema
import pytest
from rule_tables import MISSING, bad, ok, pairs
from rule_tables import vary as _vary

from nb_devenv.contract import ERROR_CODES, FLAVORS, PROFILES
from nb_devenv.contract import notebooks as nb
from nb_devenv.contract.checks import LIST_INT_MAX
from nb_devenv.contract.notebooks import schema
from nb_devenv.contract.notebooks.images import IMAGE_NAME_PATTERN

CPU_IMAGE = nb.image_for_profile("Python3").id
GPU_IMAGE = nb.image_for_profile("Python3-gpu").id
UNKNOWN_UUID = "e1a07296-22a8-4f05-8bc8-e936c8e54090"  # the reference's sample image: not ours

# --- the sample request of §4.1, on one of our images ---------------------------------------------

SAMPLE = {"name": "notebooks_test", "feature": "NOTEBOOK", "workspace_id": "0", "description": "api-test",
          "flavor": "modelarts.vm.cpu.2u", "image_id": CPU_IMAGE,
          "volume": {"category": "evs", "ownership": "managed", "capacity": 50}}











# --- create -----------------------------------------------------------------------------------------

CREATE_VALID = [
    ok("sample request as is", {}),
    ok("minimal: name image flavor volume", {"feature": MISSING, "workspace_id": MISSING, "description": MISSING,
                                             "volume": {"category": "EVS", "ownership": "MANAGED"}}),
    ok("name: 128 characters", {"name": "n" * 128}),
    ok("name: Chinese characters", {"name": "笔记本-1"}),
    ok("name: digits only", {"name": "123"}),
    ok("image: GPU image on a GPU flavor", {"image_id": GPU_IMAGE, "flavor": "modelarts.vm.gpu.p100"}),
    ok("image: every CPU profile's image", {"image_id": nb.image_for_profile("ML-1.0.0-python2.7").id}),
    ok("flavor: cpu.8u", {"flavor": "modelarts.vm.cpu.8u"}),
    ok("volume.category: Evs any case", {"volume.category": "Evs"}),
    ok("volume.ownership: MANAGED", {"volume.ownership": "MANAGED"}),
    ok("volume.capacity: minimum 5", {"volume.capacity": 5}),
    ok("volume.capacity: maximum 4096", {"volume.capacity": 4096}),
    ok("volume.capacity: absent (default 5)", {"volume.capacity": MISSING}),
    ok("volume.capacity: 50.0 is an integer in JSON", {"volume.capacity": 50.0}),
    ok("volume.mount_path: the fixed one", {"volume.mount_path": "/home/ma-user/work/"}),
    ok("volume.read_only: false", {"volume.read_only": False}),
    ok("volume.uri: empty", {"volume.uri": ""}),
    ok("description: empty", {"description": ""}),
    ok("description: 512 characters", {"description": "d" * 512}),
    ok("description: null", {"description": None}),
    ok("feature: notebook lower case", {"feature": "notebook"}),
    ok("workspace_id: 32 characters", {"workspace_id": "0123456789abcdef0123456789abcdef"}),
    ok("lease: minimum", {"lease": {"duration": 3600000, "type": "TIMING"}}),
    ok("lease: maximum, idle lower case", {"lease": {"duration": 259200000, "type": "idle"}}),
    ok("lease: -1 is auto-stop off", {"lease": {"duration": -1}}),
    ok("lease: type only", {"lease": {"type": "timing"}}),
    ok("lease: empty", {"lease": {}}),
    ok("duration: top level", {"duration": 7200000}),
    ok("duration: wins over a lease (both valid)", {"duration": 7200000, "lease": {"duration": 3600000}}),
    ok("endpoints: NOTEBOOK", {"endpoints": [{"service": "NOTEBOOK"}]}),
    ok("endpoints: empty list", {"endpoints": []}),
    ok("endpoints: empty key pairs", {"endpoints": [{"service": "notebook", "key_pair_names": []}]}),
    ok("pool_id: empty asks for nothing", {"pool_id": ""}),
    ok("hooks: empty object", {"hooks": {}}),
    ok("data_volumes: empty list", {"data_volumes": []}),
    ok("custom_spec: null", {"custom_spec": None}),
]

CREATE_INVALID = [
    # body
    bad("unknown field", {"profile_id": "Python3"}, "ModelArts.6400", "profile_id"),
    bad("unknown volume field", {"volume.size": 5}, "ModelArts.6400", "volume.size"),
    bad("unknown lease field", {"lease": {"enable": False}}, "ModelArts.6400", "lease.enable"),
    # name
    bad("name: missing", {"name": MISSING}, "ModelArts.6335", "name"),
    bad("name: empty", {"name": ""}, "ModelArts.6336", "name"),
    bad("name: 129 characters", {"name": "n" * 129}, "ModelArts.6336", "name"),
    bad("name: space", {"name": "my notebook"}, "ModelArts.6334", "name"),
    bad("name: dot", {"name": "a.b"}, "ModelArts.6334", "name"),
    bad("name: not a string", {"name": 5}, "ModelArts.6332", "name"),
    # image_id
    bad("image_id: missing", {"image_id": MISSING}, "ModelArts.6335", "image_id"),
    bad("image_id: not a UUID", {"image_id": "Python3"}, "ModelArts.6336", "image_id"),
    bad("image_id: unknown UUID", {"image_id": UNKNOWN_UUID}, "ModelArts.6797", "image_id"),
    bad("image_id: upper case is another id", {"image_id": CPU_IMAGE.upper()}, "ModelArts.6797", "image_id"),
    bad("image_id: not a string", {"image_id": 1}, "ModelArts.6332", "image_id"),
    # flavor
    bad("flavor: missing", {"flavor": MISSING}, "ModelArts.6335", "flavor"),
    bad("flavor: unknown", {"flavor": "modelarts.vm.cpu.free"}, "ModelArts.6323", "flavor"),
    bad("flavor: GPU image on a CPU flavor", {"image_id": GPU_IMAGE}, "ModelArts.6330", "flavor"),
    bad("flavor: CPU image on a GPU flavor", {"flavor": "modelarts.vm.gpu.p100"}, "ModelArts.6330", "flavor"),
    # volume
    bad("volume: missing", {"volume": MISSING}, "ModelArts.6335", "volume"),
    bad("volume: not an object", {"volume": "EVS"}, "ModelArts.6332", "volume"),
    bad("volume.category: missing", {"volume.category": MISSING}, "ModelArts.6335", "volume.category"),
    bad("volume.category: OBS", {"volume.category": "OBS"}, "ModelArts.6324", "volume.category"),
    bad("volume.category: obsfs", {"volume.category": "obsfs"}, "ModelArts.6324", "volume.category"),
    bad("volume.category: EFS", {"volume.category": "efs"}, "ModelArts.6324", "volume.category"),
    bad("volume.category: SFS", {"volume.category": "SFS"}, "ModelArts.6324", "volume.category"),
    bad("volume.category: unknown", {"volume.category": "disk"}, "ModelArts.6324", "volume.category"),
    bad("volume.ownership: missing", {"volume.ownership": MISSING}, "ModelArts.6335", "volume.ownership"),
    bad("volume.ownership: DEDICATED", {"volume.ownership": "DEDICATED"}, "ModelArts.6336", "volume.ownership"),
    bad("volume.ownership: unknown", {"volume.ownership": "mine"}, "ModelArts.6336", "volume.ownership"),
    bad("volume.capacity: 4", {"volume.capacity": 4}, "ModelArts.6331", "volume.capacity"),
    bad("volume.capacity: 4097", {"volume.capacity": 4097}, "ModelArts.6331", "volume.capacity"),
    bad("volume.capacity: a string", {"volume.capacity": "50"}, "ModelArts.6332", "volume.capacity"),
    bad("volume.capacity: a boolean", {"volume.capacity": True}, "ModelArts.6332", "volume.capacity"),
    bad("volume.uri: set", {"volume.uri": "obs://bucket/dir/"}, "ModelArts.6336", "volume.uri"),
    bad("volume.id: set", {"volume.id": UNKNOWN_UUID}, "ModelArts.6336", "volume.id"),
    bad("volume.dew_secret_name: set", {"volume.dew_secret_name": "s"}, "ModelArts.6336", "volume.dew_secret_name"),
    bad("volume.mount_path: elsewhere", {"volume.mount_path": "/data"}, "ModelArts.6336", "volume.mount_path"),
    bad("volume.read_only: true", {"volume.read_only": True}, "ModelArts.6336", "volume.read_only"),
    # description
    bad("description: 513 characters", {"description": "d" * 513}, "ModelArts.6336", "description"),
    *[bad(f"description: {ch}", {"description": f"a{ch}b"}, "ModelArts.6334", "description") for ch in "&<>\"'/"],
    # feature
    bad("feature: unknown", {"feature": "CODELAB"}, "ModelArts.6336", "feature"),
    bad("feature: DEFAULT needs a free flavor", {"feature": "DEFAULT"}, "ModelArts.6870", "feature"),
    # workspace_id
    bad("workspace_id: 31 characters", {"workspace_id": "a" * 31}, "ModelArts.6336", "workspace_id"),
    bad("workspace_id: upper case", {"workspace_id": "A" * 32}, "ModelArts.6336", "workspace_id"),
    bad("workspace_id: a number", {"workspace_id": 0}, "ModelArts.6332", "workspace_id"),
    # lease and duration
    bad("lease: not an object", {"lease": 3600000}, "ModelArts.6332", "lease"),
    bad("lease.duration: below 1 h", {"lease": {"duration": 3599999}}, "ModelArts.6349", "lease.duration"),
    bad("lease.duration: above 72 h", {"lease": {"duration": 259200001}}, "ModelArts.6349", "lease.duration"),
    bad("lease.duration: seconds, not ms", {"lease": {"duration": 3600}}, "ModelArts.6349", "lease.duration"),
    bad("lease.duration: 0", {"lease": {"duration": 0}}, "ModelArts.6349", "lease.duration"),
    bad("lease.duration: -2", {"lease": {"duration": -2}}, "ModelArts.6349", "lease.duration"),
    bad("lease.duration: a string", {"lease": {"duration": "3600000"}}, "ModelArts.6332", "lease.duration"),
    bad("lease.type: unknown", {"lease": {"type": "NEVER"}}, "ModelArts.6336", "lease.type"),
    bad("duration: out of range", {"duration": 1000}, "ModelArts.6349", "duration"),
    # endpoints
    bad("endpoints: SSH", {"endpoints": [{"service": "SSH"}]}, "ModelArts.6336", "endpoints[0].service"),
    bad("endpoints: key pairs", {"endpoints": [{"key_pair_names": ["kp"]}]}, "ModelArts.6336",
        "endpoints[0].key_pair_names"),
    bad("endpoints: allowed IPs", {"endpoints": [{"allowed_access_ips": ["1.1.1.1"]}]}, "ModelArts.6336",
        "endpoints[0].allowed_access_ips"),
    bad("endpoints: unknown service", {"endpoints": [{"service": "RDP"}]}, "ModelArts.6336", "endpoints[0].service"),
    bad("endpoints: not a list", {"endpoints": {"service": "NOTEBOOK"}}, "ModelArts.6332", "endpoints"),
    bad("endpoints: unknown item field", {"endpoints": [{"port": 22}]}, "ModelArts.6400", "endpoints[0].port"),
    # what the local server cannot honour
    bad("pool_id: a dedicated pool", {"pool_id": "pool41664192"}, "ModelArts.6336", "pool_id"),
    bad("custom_spec", {"custom_spec": {"cpu": 2, "memory": 4096}}, "ModelArts.6336", "custom_spec"),
    bad("affinity", {"affinity": {"required_during_scheduling_ignored_during_execution": []}},
        "ModelArts.6336", "affinity"),
    bad("hooks", {"hooks": {"container_hooks": {}}}, "ModelArts.6336", "hooks"),
    bad("data_volumes", {"data_volumes": [{"category": "OBS", "ownership": "MANAGED"}]}, "ModelArts.6336",
        "data_volumes"),
    bad("user_vpc", {"user_vpc": {"vpc_id": "v", "subnet_id": "s", "security_group_ids": []}},
        "ModelArts.6336", "user_vpc"),
    bad("public_network_config", {"public_network_config": {"public_network_type": "SHARED"}},
        "ModelArts.6336", "public_network_config"),
    bad("run_user", {"run_user": {"uid": 1000, "gid": 100}}, "ModelArts.6336", "run_user"),
    bad("hooks: not an object", {"hooks": "script.sh"}, "ModelArts.6332", "hooks"),
]


@pytest.mark.parametrize("changes", CREATE_VALID)
def test_create_valid(changes):
    assert nb.validate_create(vary(changes)) == []


@pytest.mark.parametrize("changes, code, field", CREATE_INVALID)
def test_create_invalid(changes, code, field):
    violations = nb.validate_create(vary(changes))
    assert pairs(violations) == [(code, field)], [str(v) for v in violations]
    for violation in violations:
        assert violation.code in ERROR_CODES and violation.error_msg  # every message formats


def test_create_reports_every_violation_at_once():
    body = {"name": "a b", "image_id": "x", "volume": {"category": "OBS", "ownership": "DEDICATED", "capacity": 1},
            "lease": {"duration": 5}, "pool_id": "p"}
    assert pairs(nb.validate_create(body)) == [
        ("ModelArts.6334", "name"), ("ModelArts.6336", "image_id"), ("ModelArts.6335", "flavor"),
        ("ModelArts.6324", "volume.category"), ("ModelArts.6336", "volume.ownership"),
        ("ModelArts.6331", "volume.capacity"), ("ModelArts.6349", "lease.duration"), ("ModelArts.6336", "pool_id")]


@pytest.mark.parametrize("body", [None, [], "name", 5])
def test_create_body_must_be_an_object(body):
    assert pairs(nb.validate_create(body)) == [("ModelArts.6400", "body")]


def test_messages_say_what_the_local_server_cannot_do():
    (violation,) = nb.validate_create(vary({"pool_id": "pool41664192"}))
    assert "dedicated resource pools are not available on the local server" in violation.rule
    (violation,) = nb.validate_create(vary({"image_id": UNKNOWN_UUID}))
    assert violation.error_msg.startswith(f"Specified image {UNKNOWN_UUID} cannot be found.")
    (violation,) = nb.validate_create(vary({"volume.category": "OBS"}))
    assert "not supported by the local server" in violation.rule


# --- with_defaults ------------------------------------------------------------------------------------

def test_with_defaults_fills_the_documented_defaults():
    body = {"name": "n", "image_id": CPU_IMAGE, "flavor": "modelarts.vm.cpu.2u",
            "volume": {"category": "evs", "ownership": "managed"}}
    assert nb.with_defaults(body) == {
        "name": "n", "image_id": CPU_IMAGE, "flavor": "modelarts.vm.cpu.2u", "description": "",
        "feature": "NOTEBOOK", "workspace_id": "0",
        "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 5, "mount_path": "/home/ma-user/work/"},
        "lease": {"duration": 3600000, "type": "TIMING", "enable": True},
    }


@pytest.mark.parametrize("changes, lease", [
    ({"lease": {"duration": 7200000, "type": "idle"}}, {"duration": 7200000, "type": "IDLE", "enable": True}),
    ({"lease": {"type": "idle"}}, {"duration": 3600000, "type": "IDLE", "enable": True}),
    # the top-level duration wins and makes the type TIMING (§4.1)
    ({"duration": 10800000, "lease": {"duration": 7200000, "type": "IDLE"}},
     {"duration": 10800000, "type": "TIMING", "enable": True}),
    ({"lease": {"duration": -1}}, {"duration": -1, "type": "TIMING", "enable": False}),
    ({"feature": "notebook", "volume.capacity": 50.0}, {"duration": 3600000, "type": "TIMING", "enable": True}),
])
def test_with_defaults_lease(changes, lease):
    body = vary(changes)
    assert nb.validate_create(body) == []
    filled = nb.with_defaults(body)
    assert filled["lease"] == lease
    assert filled["feature"] == "NOTEBOOK" and filled["volume"]["capacity"] == 50
    assert "duration" not in filled


# --- update -------------------------------------------------------------------------------------------

UPDATE_VALID = [
    ok("empty body", {}),
    ok("the reference's sample", {"description": "update"}),
    ok("name", {"name": "renamed_1"}),
    ok("flavor", {"flavor": "modelarts.vm.cpu.8u"}),
    ok("image", {"image_id": CPU_IMAGE}),
    ok("image and flavor of the same hardware", {"image_id": GPU_IMAGE, "flavor": "modelarts.vm.gpu.p100"}),
    ok("storage_new_size: maximum", {"storage_new_size": 4096}),
    ok("endpoints: NOTEBOOK", {"endpoints": [{"service": "NOTEBOOK"}]}),
    ok("hooks: null", {"hooks": None}),
]

UPDATE_INVALID = [
    bad("unknown field", {"lease": {"duration": 3600000}}, "ModelArts.6400", "lease"),
    bad("not updatable: volume", {"volume": {"capacity": 10}}, "ModelArts.6400", "volume"),
    bad("name: too long", {"name": "n" * 129}, "ModelArts.6336", "name"),
    bad("name: slash", {"name": "a/b"}, "ModelArts.6334", "name"),
    bad("description: <", {"description": "<b>"}, "ModelArts.6334", "description"),
    bad("flavor: unknown", {"flavor": "modelarts.vm.cpu.1u"}, "ModelArts.6323", "flavor"),
    bad("image_id: unknown", {"image_id": UNKNOWN_UUID}, "ModelArts.6797", "image_id"),
    bad("image and flavor of other hardware", {"image_id": GPU_IMAGE, "flavor": "modelarts.vm.cpu.2u"},
        "ModelArts.6330", "flavor"),
    bad("storage_new_size: above 4096", {"storage_new_size": 4097}, "ModelArts.6331", "storage_new_size"),
    bad("storage_new_size: a string", {"storage_new_size": "10"}, "ModelArts.6332", "storage_new_size"),
    bad("endpoints: SSH", {"endpoints": [{"service": "SSH", "key_pair_names": []}]}, "ModelArts.6336",
        "endpoints[0].service"),
    bad("hooks", {"hooks": {"container_hooks": {"pre_start": {"script": "x"}}}}, "ModelArts.6336", "hooks"),
    bad("custom_spec", {"custom_spec": {"cpu": 1}}, "ModelArts.6336", "custom_spec"),
    bad("dew_secret_name", {"dew_secret_name": "secret"}, "ModelArts.6336", "dew_secret_name"),
    bad("data_volumes", {"data_volumes": [{}]}, "ModelArts.6336", "data_volumes"),
    bad("public_network_config", {"public_network_config": {"public_network_type": "FORBIDDEN"}},
        "ModelArts.6336", "public_network_config"),
]


@pytest.mark.parametrize("changes", UPDATE_VALID)
def test_update_valid(changes):
    assert nb.validate_update(changes) == []


@pytest.mark.parametrize("changes, code, field", UPDATE_INVALID)
def test_update_invalid(changes, code, field):
    assert pairs(nb.validate_update(changes)) == [(code, field)]


@pytest.mark.parametrize("current, new, allowed", [(5, 6, True), (5, 4096, True), (50, 50, False), (50, 10, False),
                                                   (4096, 4097, False), (100, 5000, False)])
def test_storage_only_grows(current, new, allowed):
    violation = nb.check_storage_new_size(current, new)
    assert (violation is None) == allowed
    if violation:
        assert violation.code == "ModelArts.6331" and violation.field == "storage_new_size"
        assert violation.args == (min(current + 1, 4096), 4096)


def test_changed_fields_name_what_an_update_changes():
    assert nb.changed_fields({"name": "x", "description": None, "endpoints": [], "flavor": "f"}) == ["name", "flavor"]


def test_image_flavor_mismatch_for_the_servers_update_check():
    gpu = nb.image_by_id(GPU_IMAGE)
    assert gpu is not None
    assert nb.image_flavor_mismatch(gpu, FLAVORS["modelarts.vm.gpu.4p100"]) is None
    violation = nb.image_flavor_mismatch(gpu, FLAVORS["modelarts.vm.cpu.2u"])
    assert violation is not None and violation.code == "ModelArts.6330" and "runs on GPU flavors" in violation.rule


# --- lease: renew body and query, start query ---------------------------------------------------------------

@pytest.mark.parametrize("body, query, expected", [
    (None, {}, {"duration": 3600000, "type": "TIMING"}),
    ({}, {}, {"duration": 3600000, "type": "TIMING"}),
    ({"duration": 3600000, "type": "timing"}, {}, {"duration": 3600000, "type": "TIMING"}),  # the [OTC] sample
    ({"duration": 7200000, "type": "IDLE"}, {}, {"duration": 7200000, "type": "IDLE"}),
    ({"duration": -1}, {}, {"duration": -1, "type": "TIMING"}),
    # a query duration wins: the body is ignored (even a wrong one) and the type is TIMING
    ({"duration": 7200000, "type": "IDLE"}, {"duration": "10800000"}, {"duration": 10800000, "type": "TIMING"}),
    ({"nonsense": True}, {"duration": "3600000"}, {"duration": 3600000, "type": "TIMING"}),
    ({"duration": 7200000}, {"duration": ""}, {"duration": 7200000, "type": "TIMING"}),
    (None, {"duration": "0003600000"}, {"duration": 3600000, "type": "TIMING"}),
])
def test_lease_valid(body, query, expected):
    assert nb.validate_lease(body, query) == (expected, [])


@pytest.mark.parametrize("body, query, code, field", [
    ({"duration": 60000}, {}, "ModelArts.6349", "duration"),
    ({"duration": "3600000"}, {}, "ModelArts.6332", "duration"),
    ({"type": "SOMETIMES"}, {}, "ModelArts.6336", "type"),
    ({"enable": False}, {}, "ModelArts.6400", "enable"),
    ([3600000], {}, "ModelArts.6400", "body"),
    (None, {"duration": "1h"}, "ModelArts.6332", "duration"),
    (None, {"duration": "259200001"}, "ModelArts.6349", "duration"),
    (None, {"duration": "9" * 1000}, "ModelArts.6349", "duration"),
    (None, {"duration": "-2"}, "ModelArts.6349", "duration"),
])
def test_lease_invalid(body, query, code, field):
    values, violations = nb.validate_lease(body, query)
    assert pairs(violations) == [(code, field)]
    assert values == {"duration": 3600000, "type": "TIMING"}


@pytest.mark.parametrize("params, expected, errors", [
    ({}, {"duration": 3600000, "type": "TIMING"}, []),
    ({"duration": "3600000", "type": "TIMING"}, {"duration": 3600000, "type": "TIMING"}, []),  # what the SDK sends
    ({"duration": "259200000", "type": "idle"}, {"duration": 259200000, "type": "IDLE"}, []),
    ({"duration": "-1"}, {"duration": -1, "type": "TIMING"}, []),
    ({"duration": "", "type": ""}, {"duration": 3600000, "type": "TIMING"}, []),
    ({"duration": "3599999"}, {"duration": 3600000, "type": "TIMING"}, [("ModelArts.6349", "duration")]),
    ({"duration": "3.6e6"}, {"duration": 3600000, "type": "TIMING"}, [("ModelArts.6332", "duration")]),
    ({"type": "NEVER"}, {"duration": 3600000, "type": "TIMING"}, [("ModelArts.6336", "type")]),
])
def test_start_query(params, expected, errors):
    values, violations = nb.validate_start_query(params)
    assert values == expected and pairs(violations) == errors


# --- list queries ---------------------------------------------------------------------------------------

def test_list_query_defaults():
    values, violations = nb.validate_list_query({})
    assert violations == []
    assert {k: v for k, v in values.items() if v is not None} == {
        "feature": "NOTEBOOK", "limit": 10, "offset": 0, "sort_dir": "DESC", "sort_key": ("create_at",),
        "workspace_id": "0"}


LIST_VALID = [
    ({"limit": "50"}, "limit", 50),
    ({"limit": "7"}, "limit", 7),  # any positive value, not only 10/20/50
    ({"limit": str(LIST_INT_MAX)}, "limit", LIST_INT_MAX),
    ({"offset": "20"}, "offset", 20),
    ({"sort_dir": "asc"}, "sort_dir", "ASC"),
    ({"sort_key": "name,update_at"}, "sort_key", ("name", "update_at")),
    ({"sort_key": "status"}, "sort_key", ("status",)),
    ({"status": "running"}, "status", "RUNNING"),
    ({"status": "FROZEN"}, "status", "FROZEN"),
    ({"feature": "DEFAULT"}, "feature", "DEFAULT"),
    ({"workspaceId": "0123456789abcdef0123456789abcdef"}, "workspace_id", "0123456789abcdef0123456789abcdef"),
    ({"workspace_id": "0", "workspaceId": "0"}, "workspace_id", "0"),
    ({"name": "note"}, "name", "note"),
    ({"name": "笔记"}, "name", "笔记"),
    ({"pool_id": "pool41664192"}, "pool_id", "pool41664192"),
    ({"owner": "a" * 32}, "owner", "a" * 32),
    ({"flavor": "cpu.2u"}, "flavor", "cpu.2u"),
    ({"image_id": CPU_IMAGE}, "image_id", CPU_IMAGE),
    ({"id": UNKNOWN_UUID}, "id", UNKNOWN_UUID),
    ({"description": "api test"}, "description", "api test"),
    ({"billing": "compute"}, "billing", "COMPUTE"),
    ({"tags": "k1|v1,k2|v2"}, "tags", "k1|v1,k2|v2"),
    ({"swr_path": "swr.local/atelier/x:1"}, "swr_path", "swr.local/atelier/x:1"),
    ({"ip": "127.0.0.1"}, "ip", "127.0.0.1"),
    ({"username": "ma_user.1"}, "username", "ma_user.1"),
    ({"unknown_parameter": "x"}, "limit", 10),  # ignored
]


@pytest.mark.parametrize("params, key, value", LIST_VALID)
def test_list_query_valid(params, key, value):
    values, violations = nb.validate_list_query(params)
    assert violations == [] and values[key] == value


LIST_INVALID = [
    ({"limit": "0"}, "ModelArts.6336", "limit"),
    ({"limit": "-1"}, "ModelArts.6332", "limit"),
    ({"limit": "ten"}, "ModelArts.6332", "limit"),
    ({"limit": str(LIST_INT_MAX + 1)}, "ModelArts.6336", "limit"),
    ({"offset": "1.5"}, "ModelArts.6332", "offset"),
    ({"sort_dir": "up"}, "ModelArts.6336", "sort_dir"),
    ({"sort_key": "flavor"}, "ModelArts.6303", "sort_key"),
    ({"sort_key": "name,creation_timestamp"}, "ModelArts.6303", "sort_key"),
    ({"sort_key": "name,,status"}, "ModelArts.6336", "sort_key"),
    ({"sort_key": "name;status"}, "ModelArts.6336", "sort_key"),
    ({"sort_key": "n" * 129}, "ModelArts.6336", "sort_key"),
    ({"status": "RESTARTING"}, "ModelArts.6336", "status"),
    ({"feature": "FREE"}, "ModelArts.6336", "feature"),
    ({"workspace_id": "0", "workspaceId": "a" * 32}, "ModelArts.6336", "workspace_id"),
    ({"workspaceId": "ws"}, "ModelArts.6336", "workspaceId"),
    ({"name": "a b"}, "ModelArts.6336", "name"),
    ({"pool_id": "1pool"}, "ModelArts.6336", "pool_id"),
    ({"owner": "me"}, "ModelArts.6336", "owner"),
    ({"image_id": "image"}, "ModelArts.6336", "image_id"),
    ({"id": "DE-1"}, "ModelArts.6336", "id"),
    ({"description": "<b>"}, "ModelArts.6334", "description"),
    ({"billing": "FREE"}, "ModelArts.6336", "billing"),
    ({"tags": ",k|v"}, "ModelArts.6336", "tags"),
    ({"tags": "k|v,"}, "ModelArts.6336", "tags"),
    ({"tags": "k||v"}, "ModelArts.6336", "tags"),
    ({"ip": "::1"}, "ModelArts.6336", "ip"),
    ({"username": "a b"}, "ModelArts.6336", "username"),
]


@pytest.mark.parametrize("params, code, field", LIST_INVALID)
def test_list_query_invalid(params, code, field):
    assert pairs(nb.validate_list_query(params)[1]) == [(code, field)]


def test_images_query():
    values, violations = nb.validate_images_query({})
    assert violations == [] and values["limit"] == 200 and values["offset"] == 0
    assert values["type"] is None and values["service_type"] is None  # absent filters filter nothing (§8 row 15)
    assert values["name_fuzzy_match"] is True and values["sort_dir"] == "DESC"
    values, violations = nb.validate_images_query({"type": "build_in", "sort_key": "updateTime",
                                                   "name": "mul-kernel-cpu-cp36", "name_fuzzy_match": "False",
                                                   "namespace": "atelier", "service_type": "COMMON"})
    assert violations == []
    assert (values["type"], values["sort_key"], values["name"], values["name_fuzzy_match"]) == (
        "BUILD_IN", ("update_at",), "mul-kernel-cpu-cp36", False)
    for params, code, field in [({"name": "Mul"}, "ModelArts.6336", "name"), ({"type": "MINE"}, "ModelArts.6336", "type"),
                                ({"namespace": "1atelier"}, "ModelArts.6336", "namespace"),
                                ({"sort_key": "size"}, "ModelArts.6303", "sort_key"),
                                ({"name_fuzzy_match": "yes"}, "ModelArts.6336", "name_fuzzy_match"),
                                ({"limit": "0"}, "ModelArts.6336", "limit")]:
        assert pairs(nb.validate_images_query(params)[1]) == [(code, field)], params


def test_flavors_query():
    values, violations = nb.validate_flavors_query({})
    assert violations == [] and values["limit"] is None and values["sort_key"] == () and values["feature"] == "NOTEBOOK"
    values, violations = nb.validate_flavors_query({"category": "gpu", "type": "MANAGED", "limit": "2",
                                                    "sort_key": "vcpus"})
    assert violations == [] and (values["category"], values["limit"], values["sort_key"]) == ("GPU", 2, ("vcpus",))
    for params, code, field in [({"category": "NPU"}, "ModelArts.6336", "category"),
                                ({"feature": "DEFAULT"}, "ModelArts.6336", "feature"),
                                ({"flavor_type": "ASCEND_SNT1"}, "ModelArts.6336", "flavor_type"),
                                ({"sort_key": "price"}, "ModelArts.6303", "sort_key")]:
        assert pairs(nb.validate_flavors_query(params)[1]) == [(code, field)], params


# --- images ---------------------------------------------------------------------------------------------

def test_every_profile_has_exactly_one_image():
    assert sorted(image.profile_id for image in nb.IMAGES.values()) == sorted(PROFILES)
    for profile_id, profile in PROFILES.items():
        image = nb.image_for_profile(profile_id)
        assert image.profile is profile
        assert (image.hardware, image.python_major) == (profile.hardware, profile.python_major)


def test_image_ids_are_stable_uuids():
    # written down in notebooks and SDK scripts: these values must never change
    assert CPU_IMAGE == "9b1483ff-e097-52ba-a2d1-05fd70370e7c"
    assert GPU_IMAGE == "cac4aecc-53de-5575-b92e-70599fd1ecb7"
    for image in nb.IMAGES.values():
        assert image.id == str(uuid.uuid5(nb.IMAGE_ID_NAMESPACE, image.profile_id))
        assert uuid.UUID(image.id).version == 5
        assert nb.image_by_id(image.id) is image
    assert nb.image_by_id(UNKNOWN_UUID) is None
    assert nb.image_ids() == list(nb.IMAGES) and len(set(nb.image_ids())) == len(PROFILES)


def test_image_names_follow_the_image_name_rule():
    names = [image.name for image in nb.IMAGES.values()]
    assert len(set(names)) == len(names)
    for image in nb.IMAGES.values():
        assert IMAGE_NAME_PATTERN.fullmatch(image.name), image.name
        assert image.swr_path == f"swr.local/{image.namespace}/{image.name}:{image.tag}"
        assert nb.validate_images_query({"name": image.name})[1] == []


def test_image_answers():
    image = nb.image_for_profile("Python3-gpu")
    listed, shown = image.as_api(), image.as_api(detail=True)
    assert "support_res_categories" not in listed and shown["support_res_categories"] == ["GPU"]
    assert {k: v for k, v in listed.items() if k in ("arch", "type", "service_type", "dev_services",
                                                     "resource_categories", "status", "visibility",
                                                     "workspace_id", "show_name")} == {
        "arch": "x86_64", "type": "BUILD_IN", "service_type": "COMMON", "dev_services": ["NOTEBOOK"],
        "resource_categories": ["GPU"], "status": "ACTIVE", "visibility": "PUBLIC", "workspace_id": "0",
        "show_name": "Python3-gpu"}
    assert listed["create_at"] == listed["update_at"] == image.as_api()["create_at"]  # fixed, not "now"
    for item in nb.IMAGES.values():
        jsonschema.validate(item.as_api(), schema.image_schema())
        jsonschema.validate(item.as_api(detail=True), schema.image_schema(detail=True))
    envelope = nb.page_envelope([i.as_api() for i in nb.IMAGES.values()], offset=0, limit=200)
    jsonschema.validate(envelope, schema.image_list_schema())


# --- flavors --------------------------------------------------------------------------------------------

def test_flavor_items_follow_the_reference_sample():
    item = nb.notebook_flavor(FLAVORS["modelarts.vm.cpu.2u"])
    sample = {"arch": "x86_64", "billing": {"code": "modelarts.vm.cpu.2u", "unit_num": 1}, "category": "CPU",
              "description": "General-purpose Intel CPU flavor, ideal for rapid data exploration and experiments",
              "feature": "NOTEBOOK", "free": False, "id": "modelarts.vm.cpu.2u", "memory": 8388608,
              "name": "CPU: 2 vCPUs 8 GB", "sold_out": False, "vcpus": 2}
    assert {k: v for k, v in item.items() if k in sample} == sample
    assert item["storages"] == ["EVS"] and "gpu" not in item
    gpu = nb.notebook_flavor(FLAVORS["modelarts.vm.gpu.2p100"], sold_out=True)
    assert gpu["sold_out"] is True and gpu["category"] == "GPU"
    assert gpu["gpu"] == {"gpu": 2, "gpu_memory": "16", "type": "nvidia-p100"}
    assert gpu["name"] == "GPU: 2*NVIDIA-P100(16GB) | CPU: 16 vCPUs 128 GB"


def test_flavor_list_has_data_and_flavors():
    items = nb.notebook_flavors(sold_out=frozenset({"modelarts.vm.gpu.p100"}))
    assert [i["id"] for i in items] == list(FLAVORS)
    assert [i["id"] for i in items if i["sold_out"]] == ["modelarts.vm.gpu.p100"]
    envelope = nb.flavors_envelope(items, offset=0, limit=None)
    assert envelope["data"] == envelope["flavors"] == items
    assert (envelope["current"], envelope["pages"], envelope["size"], envelope["total"]) == (0, 1, 5, 5)
    jsonschema.validate(envelope, schema.flavor_list_schema())


@pytest.mark.parametrize("total, offset, limit, current, pages, size, count", [
    (2, 0, 10, 0, 1, 10, 2),  # the notebook list sample: {current: 0, size: 10, pages: 1, total: 2}
    (107, 8, 2, 4, 54, 2, 2),  # the image list sample: {current: 4, size: 2, pages: 54, total: 107}
    (0, 0, 10, 0, 0, 10, 0),
    (25, 20, 10, 2, 3, 10, 5),
    (3, 5, None, 0, 1, 3, 0),
])
def test_page_envelope(total, offset, limit, current, pages, size, count):
    envelope = nb.page_envelope(list(range(total)), offset=offset, limit=limit)
    assert (envelope["current"], envelope["pages"], envelope["size"], envelope["total"]) == (current, pages, size, total)
    assert len(envelope["data"]) == count


# --- statuses ---------------------------------------------------------------------------------------------

def test_the_fourteen_statuses():
    assert len(nb.STATUSES) == 14 == len(set(nb.STATUSES))
    assert nb.TRANSITIONAL == {"INIT", "CREATING", "STARTING", "STOPPING", "DELETING", "SNAPSHOTTING"}
    assert nb.FAILED == {"CREATE_FAILED", "START_FAILED", "DELETE_FAILED", "ERROR"}
    assert nb.STABLE == set(nb.STATUSES) - nb.TRANSITIONAL and "FROZEN" in nb.STABLE and "DELETED" in nb.STABLE


# expected refusal code per status, for each operation; None = allowed
_S = ("INIT", "CREATING", "STARTING", "STOPPING", "DELETING", "RUNNING", "STOPPED", "SNAPSHOTTING",
      "CREATE_FAILED", "START_FAILED", "DELETE_FAILED", "ERROR", "DELETED", "FROZEN")
STATUS_TABLE = {
    "start": ("6306", "6306", "6306", "6308", "6357", "6305", None, "6357", "6357", None, "6357", "6357", "6309",
              "6326"),
    "stop": ("6306", "6306", "6306", "6308", "6357", None, "6307", "6357", "6327", "6327", "6357", "6357", "6309",
             "6326"),
    "delete": ("6306", "6306", "6306", "6308", "6357", "6304", None, "6357", None, None, None, None, "6309", "6326"),
    "update": ("6347", "6347", "6347", "6347", "6347", "6347", None, "6347", "6347", "6347", "6347", "6347", "6309",
               "6326"),
    "show_lease": ("6327", "6327", "6327", "6327", "6327", None, "6327", "6327", "6327", "6327", "6327", "6327",
                   "6309", "6326"),
    "renew_lease": ("6327", "6327", "6327", "6327", "6327", None, "6327", "6327", "6327", "6327", "6327", "6327",
                    "6309", "6326"),
}


def vary(changes: dict, seed: dict | None = None) -> dict:
    """The documented example with ``changes`` applied (see ``rule_tables.vary``)."""
    return _vary(SAMPLE if seed is None else seed, changes)


@pytest.mark.parametrize("operation, status, code", [
    pytest.param(op, status, codes[i], id=f"{op}-{status}")
    for op, codes in STATUS_TABLE.items() for i, status in enumerate(_S)])
def test_operation_status_table(operation, status, code):
    assert _S == nb.STATUSES and set(STATUS_TABLE) == set(nb.OPERATIONS)
    refusal = nb.refusal(operation, status, fields=["name"])
    assert (refusal.code if refusal else None) == (f"ModelArts.{code}" if code else None)
    assert nb.can(operation, status) == (code is None)
    assert (status in nb.allowed_from(operation)) == (code is None)
    if refusal:
        assert status in refusal.detail
        assert ERROR_CODES[refusal.code].format(*refusal.args)


def test_update_refusal_names_the_status_and_the_fields():
    refusal = nb.refusal("update", "RUNNING", fields=["name", "flavor"])
    assert refusal is not None
    assert ERROR_CODES[refusal.code].format(*refusal.args) == (
        "When the instance is in the 'RUNNING' status, the 'name, flavor' parameter cannot be modified.")
    with pytest.raises(ValueError):
        nb.refusal("restart", "RUNNING")


@pytest.mark.parametrize("internal, deleting, new", [
    ("CREATING", False, "CREATING"), ("STARTING", False, "STARTING"), ("RESTARTING", False, "STARTING"),
    ("RUNNING", False, "RUNNING"), ("STOPPING", False, "STOPPING"), ("STOPPED", False, "STOPPED"),
    ("CREATE_FAILED", False, "CREATE_FAILED"), ("START_FAILED", False, "START_FAILED"),
    ("DELETED", False, "DELETED"), ("DELETED", True, "DELETING"), ("UNAVAILABLE", False, "ERROR"),
    ("CREATE_QUEUING", False, "INIT"),
])
def test_internal_statuses_in_the_new_names(internal, deleting, new):
    assert nb.notebook_status(internal, deleting=deleting) == new


def test_every_old_status_has_a_new_name():
    from nb_devenv.contract.devenviron import STATUSES as OLD

    assert set(nb.INTERNAL_STATUS_MAP) == set(OLD)
    assert set(nb.INTERNAL_STATUS_MAP.values()) <= set(nb.STATUSES)
    with pytest.raises(ValueError):
        nb.notebook_status("PAUSED")


# --- lease arithmetic: §6.5's sample table ----------------------------------------------------------------

CREATED = 1687656452470


@pytest.mark.parametrize("event, now, update_at, duration", [
    ("create", 1687656452470, 1687656452470, 3600000),
    ("show, 27 s later, RUNNING", 1687656479842, 1687656479842, 3627372),
    ("renew {duration: 3600000}", 1687657510014, 1687657510014, 4657544),
    ("stop", 1687659052284, 1687659052284, 6199814),
    ("start (default duration)", 1687659392569, 1687659392569, 6540099),
])
def test_lease_arithmetic_reproduces_the_reference_table(event, now, update_at, duration):
    # armed at `now` for the default hour: a running instance's deadline ...
    deadline = nb.deadline_from_now(now, nb.DURATION_DEFAULT_MS)
    assert nb.armed_duration(CREATED, now, 3600000) == duration
    lease = nb.lease_object(created_ms=CREATED, deadline_ms=deadline, duration_ms=3600000, lease_type="TIMING",
                            now_ms=now + 12345)  # any later call gives the same answer
    assert lease == {"create_at": CREATED, "duration": duration, "enable": True, "type": "TIMING",
                     "update_at": update_at}
    # ... and the lease of an instance not counting down (created, stopped) as armed now
    idle = nb.lease_object(created_ms=CREATED, deadline_ms=None, duration_ms=3600000, lease_type="TIMING", now_ms=now)
    assert idle == lease
    jsonschema.validate(lease, schema.lease_schema())


@pytest.mark.parametrize("created, now, duration", [
    (1638841744515, 1638841744515 + 2727212, 6327212),  # the start page's sample
    (1638841744515, 1638841744515 + 1713106, 5313106),  # the stop page's sample
])
def test_lease_arithmetic_fits_the_start_and_stop_samples(created, now, duration):
    assert nb.armed_duration(created, now, 3600000) == duration


def test_remaining_time():
    deadline = nb.deadline_from_now(1000, 3600000)
    assert deadline == 3601000
    assert nb.remaining_ms(deadline, 601000) == 3000000
    assert nb.remaining_ms(deadline, 9999999) == 0 and nb.remaining_ms(None, 0) is None
    lease = nb.lease_object(created_ms=0, deadline_ms=deadline, duration_ms=3600000, lease_type="IDLE", now_ms=601000)
    assert nb.lease_remaining_ms(lease, 601000) == 3000000
    assert nb.lease_remaining_ms({"create_at": 0, "duration": 5, "enable": False}, 0) is None


def test_auto_stop_off():
    assert nb.deadline_from_now(1000, nb.LEASE_OFF_MS) is None
    lease = nb.lease_object(created_ms=0, deadline_ms=None, duration_ms=-1, lease_type="TIMING", now_ms=5)
    assert lease == {"create_at": 0, "duration": -1, "enable": False, "type": "TIMING", "update_at": 5}
    assert nb.lease_remaining_ms(lease, 5) is None
    jsonschema.validate(lease, schema.lease_schema())


def test_seconds_and_milliseconds_convert_in_one_place():
    assert nb.lease_ms(7200) == 7200000 and nb.lease_ms("off") == -1
    assert nb.lease_seconds(7200000) == 7200 and nb.lease_seconds(-1) == "off"


# --- bodies ---------------------------------------------------------------------------------------------

def test_build_create_body():
    body = nb.build_create_body(name="nb-1", image_id=CPU_IMAGE, flavor="modelarts.vm.cpu.2u", capacity=20,
                                lease=7200, description="d", workspace_id="0")
    assert body == {"name": "nb-1", "image_id": CPU_IMAGE, "flavor": "modelarts.vm.cpu.2u", "description": "d",
                    "workspace_id": "0", "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 20},
                    "lease": {"duration": 7200000}}
    assert nb.validate_create(body) == []
    off = nb.build_create_body(name="n", image_id=CPU_IMAGE, flavor="modelarts.vm.cpu.2u", lease="off",
                               lease_type="IDLE")
    assert off["lease"] == {"duration": -1, "type": "IDLE"} and nb.validate_create(off) == []
    assert nb.build_create_body()["volume"] == {"category": "EVS", "ownership": "MANAGED"}
    assert pairs(nb.validate_create(nb.build_create_body(name="n", image_id=CPU_IMAGE, flavor="modelarts.vm.cpu.2u",
                                                         lease=60))) == [("ModelArts.6349", "lease.duration")]


def test_build_update_lease_and_start():
    assert nb.build_update_body(name="x", storage_new_size=10) == {"name": "x", "storage_new_size": 10}
    assert nb.build_update_body() == {}
    assert nb.build_lease_body(3600) == {"duration": 3600000}
    assert nb.validate_lease(nb.build_lease_body(7200, "IDLE"), {})[0] == {"duration": 7200000, "type": "IDLE"}
    assert nb.build_start_query(7200, "TIMING") == {"duration": "7200000", "type": "TIMING"}
    assert nb.validate_start_query(nb.build_start_query("off"))[0] == {"duration": -1, "type": "TIMING"}
    assert nb.build_start_query() == {}


# --- the official SDK's requests are accepted -------------------------------------------------------------

def _sent_body(http_info: dict) -> object:
    """The JSON the SDK sends: its own body serialiser (sanitize_for_serialization + json.dumps)."""
    from huaweicloudsdkcore.client import Client

    return json.loads(Client._parse_body(http_info["body"]))


def _sent_query(http_info: dict) -> dict[str, str]:
    """The query string the SDK sends (its own query serialiser, which drops unset parameters),
    as a server reads it: strings (the HTTP layer writes each value with str())."""
    from huaweicloudsdkcore.client import Client

    client = Client.__new__(Client)  # the serialiser uses no state of the client
    params = client._parse_query_params(http_info["collection_formats"], http_info["query_params"])
    return {key: str(value) for key, value in params}


def test_the_sdks_create_request_is_accepted():
    request = sdk.CreateNotebookRequest(body=sdk.NotebookCreateRequest(
        name="sdk-notebook", flavor="modelarts.vm.cpu.2u", image_id=CPU_IMAGE, description="from the SDK",
        workspace_id="0", feature="NOTEBOOK",
        volume=sdk.VolumeMountRequest(category="EVS", ownership="MANAGED", capacity=5),
        lease=sdk.LeaseReq(duration=3600000, type="TIMING")))
    body = _sent_body(sdk.ModelArtsClient._create_notebook_http_info(request))
    assert body == {"name": "sdk-notebook", "flavor": "modelarts.vm.cpu.2u", "image_id": CPU_IMAGE,
                    "description": "from the SDK", "workspace_id": "0", "feature": "NOTEBOOK",
                    "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 5},
                    "lease": {"duration": 3600000, "type": "TIMING"}}
    assert nb.validate_create(body) == []
    jsonschema.validate(body, schema.create_body_schema())


def test_the_sdks_create_request_with_what_the_local_server_cannot_do_is_refused_clearly():
    request = sdk.CreateNotebookRequest(body=sdk.NotebookCreateRequest(
        name="n", flavor="modelarts.vm.cpu.2u", image_id=CPU_IMAGE, pool_id="pool41664192",
        volume=sdk.VolumeMountRequest(category="EFS", ownership="DEDICATED", id=UNKNOWN_UUID),
        endpoints=[sdk.EndpointsReq(service="SSH", key_pair_names=["kp"])]))
    body = _sent_body(sdk.ModelArtsClient._create_notebook_http_info(request))
    assert pairs(nb.validate_create(body)) == [
        ("ModelArts.6324", "volume.category"), ("ModelArts.6336", "volume.ownership"), ("ModelArts.6336", "volume.id"),
        ("ModelArts.6336", "endpoints[0].service"), ("ModelArts.6336", "endpoints[0].key_pair_names"),
        ("ModelArts.6336", "pool_id")]


def test_the_sdks_update_request_is_accepted():
    request = sdk.UpdateNotebookRequest(id=UNKNOWN_UUID, body=sdk.NotebookUpdateRequest(
        name="renamed", description="update", flavor="modelarts.vm.cpu.8u", image_id=CPU_IMAGE, storage_new_size=10))
    body = _sent_body(sdk.ModelArtsClient._update_notebook_http_info(request))
    assert body == {"name": "renamed", "description": "update", "flavor": "modelarts.vm.cpu.8u",
                    "image_id": CPU_IMAGE, "storage_new_size": 10}
    assert nb.validate_update(body) == []
    jsonschema.validate(body, schema.update_body_schema())


def test_the_sdks_renew_and_start_requests_are_accepted():
    renew = sdk.RenewLeaseRequest(id=UNKNOWN_UUID, body=sdk.LeaseReq(duration=7200000, type="TIMING"))
    info = sdk.ModelArtsClient._renew_lease_http_info(renew)
    body, query = _sent_body(info), _sent_query(info)
    assert body == {"duration": 7200000, "type": "TIMING"} and query == {}
    assert nb.validate_lease(body, query) == ({"duration": 7200000, "type": "TIMING"}, [])
    jsonschema.validate(body, schema.lease_body_schema())

    by_query = sdk.ModelArtsClient._renew_lease_http_info(sdk.RenewLeaseRequest(id=UNKNOWN_UUID, duration=10800000))
    assert nb.validate_lease(None, _sent_query(by_query)) == ({"duration": 10800000, "type": "TIMING"}, [])

    start = sdk.ModelArtsClient._start_notebook_http_info(
        sdk.StartNotebookRequest(id=UNKNOWN_UUID, duration=3600000, type="TIMING"))
    assert _sent_query(start) == {"duration": "3600000", "type": "TIMING"}
    assert nb.validate_start_query(_sent_query(start)) == ({"duration": 3600000, "type": "TIMING"}, [])


def test_the_sdks_list_queries_are_accepted():
    info = sdk.ModelArtsClient._list_notebooks_http_info(sdk.ListNotebooksRequest(
        feature="NOTEBOOK", limit=20, offset=0, sort_dir="ASC", sort_key="name", status="RUNNING", workspace_id="0",
        image_id=CPU_IMAGE, name="nb"))
    values, violations = nb.validate_list_query(_sent_query(info))
    assert violations == [] and (values["limit"], values["sort_dir"], values["status"]) == (20, "ASC", "RUNNING")
    images = sdk.ModelArtsClient._list_image_http_info(sdk.ListImageRequest(
        limit=10, offset=0, name="mul-kernel-cpu-cp36", name_fuzzy_match=False, type="BUILD_IN", workspace_id="0"))
    values, violations = nb.validate_images_query(_sent_query(images))
    assert violations == [] and values["name_fuzzy_match"] is False
    flavors = sdk.ModelArtsClient._list_flavors_http_info(sdk.ListFlavorsRequest(category="CPU", limit=5, offset=0))
    assert nb.validate_flavors_query(_sent_query(flavors))[1] == []


# --- schemas and rules agree --------------------------------------------------------------------------------

CREATE_EXAMPLES = [vary(row.values[0]) for row in CREATE_VALID + CREATE_INVALID] + [
    vary({"name": "a\n"}), vary({"volume.capacity": None}), vary({"lease": None, "duration": None}),
    vary({"image_id": GPU_IMAGE, "flavor": "modelarts.vm.gpu.4p100"}),
]


@pytest.mark.parametrize("body", CREATE_EXAMPLES)
def test_the_create_schema_and_the_rules_agree(body):
    valid = jsonschema.Draft202012Validator(schema.create_body_schema()).is_valid(body)
    assert valid == (nb.validate_create(body) == []), nb.validate_create(body)


@pytest.mark.parametrize("body", [row.values[0] for row in UPDATE_VALID + UPDATE_INVALID])
def test_the_update_schema_and_the_rules_agree(body):
    valid = jsonschema.Draft202012Validator(schema.update_body_schema()).is_valid(body)
    assert valid == (nb.validate_update(body) == [])


def _query_valid(parameters: list[dict], params: dict[str, str]) -> bool:
    by_name = {p["name"]: p for p in parameters}
    return all(jsonschema.Draft202012Validator(by_name[name]["schema"],
                                               format_checker=jsonschema.FormatChecker()).is_valid(value)
               for name, value in params.items() if name in by_name)


# left out: two spellings of one parameter together (the rules' business: a schema checks each
# alone) and tags (their rule is in words only: Python's \w is Unicode, ECMA-262's ASCII)
LIST_QUERIES = [row[0] for row in LIST_VALID + LIST_INVALID
                if not {"workspaceId", "workspace_id"} <= set(row[0]) and "tags" not in row[0]]


@pytest.mark.parametrize("params", LIST_QUERIES)
def test_the_list_query_schema_and_the_rules_agree(params):
    assert _query_valid(schema.list_query_parameters(), params) == (nb.validate_list_query(params)[1] == [])


@pytest.mark.parametrize("value", ["", "-1", "-01", "3600000", "03600000", "259200000", "259200001", "3599999",
                                   "0", "-2", "1h", "9" * 30, "7200000\n"])
def test_the_duration_query_schema_and_the_rules_agree(value):
    valid = _query_valid(schema.start_query_parameters(), {"duration": value})
    assert valid == (nb.validate_start_query({"duration": value})[1] == [])
    assert valid == (nb.validate_lease(None, {"duration": value})[1] == [])


def test_schemas_follow_the_rules_constants():
    create = schema.create_body_schema()
    assert create["properties"]["name"]["maxLength"] == nb.NAME_MAX
    assert create["properties"]["volume"]["properties"]["capacity"]["anyOf"][0]["maximum"] == nb.VOLUME_MAX
    assert create["properties"]["image_id"]["enum"] == nb.image_ids()
    lease = create["properties"]["lease"]["anyOf"][0]["properties"]["duration"]["anyOf"][0]
    assert lease["anyOf"][1] == {"minimum": nb.DURATION_MIN_MS, "maximum": nb.DURATION_MAX_MS}
    assert re.fullmatch(schema.create_body_schema()["properties"]["name"]["pattern"].removesuffix("$(?!\\n)")
                        .removeprefix("^"), "笔记本")


def test_a_rendered_notebook_fits_the_notebook_schema():
    """What a server built from this contract renders for a running instance fits the schema."""
    image = nb.image_for_profile("Python3")
    item = {
        "id": "f9937afa-4451-42db-a76b-72d624749f66", "name": "notebooks_test", "description": "api-test",
        "status": nb.notebook_status("RUNNING"), "flavor": "modelarts.vm.cpu.2u", "image": image.as_instance_api(),
        "lease": nb.lease_object(created_ms=CREATED, deadline_ms=CREATED + 3600000, duration_ms=3600000,
                                 lease_type="TIMING", now_ms=CREATED),
        "token": "t", "url": "http://127.0.0.1:8888/lab",
        "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 5, "mount_path": nb.MOUNT_PATH},
        "workspace_id": "0", "feature": "NOTEBOOK", "billing_items": ["COMPUTE"],
        "user": {"id": "u", "name": "n", "domain": {"id": "d", "name": "n"}},
        "endpoints": [{"service": "NOTEBOOK", "uri": "http://127.0.0.1:8888/lab"}], "tags": [], "data_volumes": [],
        "create_at": CREATED, "update_at": CREATED,
        "action_progress": [{"step": 1, "status": "COMPLETED", "description": "Prepare the storage."}],
    }
    jsonschema.validate(item, schema.notebook_schema())
    jsonschema.validate(nb.page_envelope([item], offset=0, limit=10), schema.notebook_list_schema())
    for name in ("start_query_parameters", "renew_query_parameters", "images_query_parameters",
                 "flavors_query_parameters", "list_query_parameters"):
        for parameter in getattr(schema, name)():
            jsonschema.Draft202012Validator.check_schema(parameter["schema"])
    for document in (schema.create_body_schema(), schema.update_body_schema(), schema.notebook_schema(),
                     schema.error_schema(400)):
        jsonschema.Draft202012Validator.check_schema(document)


def test_the_contract_does_not_re_export_the_new_dialect():
    import nb_devenv.contract as contract

    assert contract.validate_create is not nb.validate_create
    assert "notebooks" not in contract.__all__
