"""The OpenAPI 3.1 document of the local server: valid, served, and complete.

Completeness is checked against the tornado application itself, so a route added to the
server without an entry in ``nb_devenv/server/routes.py`` (and so without documentation)
fails here.
"""

from __future__ import annotations

import re

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

from nb_devenv.contract import (
    DURATION_MAX,
    LIST_INT_MAX,
    NAME_MAX,
    VOLUME_MAX,
    validate_create,
    validate_list_query,
)
from nb_devenv.contract.devenviron import schema as api
from nb_devenv.server.app import make_app
from nb_devenv.server.routes import (
    OPENAPI_PATH,
    ROUTE_TABLE,
    implemented_methods,
    openapi_document,
)

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def test_the_document_is_valid_openapi_3_1():
    validate(openapi_document("http://127.0.0.1:1"), cls=OpenAPIV31SpecValidator)


def test_every_served_route_and_method_is_documented():
    document = openapi_document()
    app = make_app(None)
    rules = [rule for rule in app.wildcard_router.rules if hasattr(rule.matcher, "regex")]
    assert len(rules) == len(ROUTE_TABLE)
    documented = set()
    for index, rule in enumerate(rules):
        handler = rule.target
        # the documented paths this tornado pattern serves (path parameters filled in): tornado
        # takes the first pattern that matches, so a path an earlier pattern takes is not this one's
        matching = [template for template in document["paths"]
                    if rule.matcher.regex.fullmatch(path := re.sub(r"\{[^}]+\}", "x", template))
                    and not any(earlier.matcher.regex.fullmatch(path) for earlier in rules[:index])]
        assert len(matching) == 1, f"{rule.matcher.regex.pattern} ({handler.__name__}) is documented as {matching}"
        template = matching[0]
        methods = {m.lower() for m in implemented_methods(handler)}
        assert methods, handler
        assert methods == {m for m in document["paths"][template] if m in HTTP_METHODS}, template
        documented.add(template)
    assert documented == set(document["paths"])


def test_access_rules_come_from_the_handlers():
    document = openapi_document()
    for route in ROUTE_TABLE:
        for method, operation in document["paths"][route.template].items():
            assert ("security" in operation and operation["security"] == []) == route.handler.public
            assert operation.get("x-nb-devenv-admin", False) == route.handler.admin
            statuses = set(operation["responses"])
            assert {"404", "405", "413", "500"} <= statuses
            assert ("401" in statuses) == (not route.handler.public or route.template == "/v3/auth/tokens")
            if route.handler.admin or "{project_id}" in route.template:
                assert "403" in statuses
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                assert "X-Request-Id" in response["headers"], (route.template, method, status)
    assert document["paths"]["/_emulator/clock"]["post"]["x-nb-devenv-admin"] is True


def test_schemas_follow_the_rules_constants():
    create = api.create_body_schema()
    assert create["properties"]["name"]["maxLength"] == NAME_MAX
    evs = create["properties"]["spec"]["properties"]["storage"]["else"]["properties"]["location"]["anyOf"][0]
    assert evs["properties"]["volume_size"]["anyOf"][0]["maximum"] == VOLUME_MAX
    auto_stop = create["properties"]["spec"]["properties"]["auto_stop"]["anyOf"][0]
    assert auto_stop["properties"]["duration"]["anyOf"][0]["maximum"] == DURATION_MAX
    offset = next(p for p in api.list_query_parameters() if p["name"] == "offset")
    assert re.search(offset["schema"]["pattern"], str(LIST_INT_MAX))
    assert not re.search(offset["schema"]["pattern"], str(LIST_INT_MAX + 1))


CREATE_EXAMPLES = [
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u", "spec": {"storage": {"type": "evs"}}},
    {"name": "a", "profile_id": "Python3-gpu", "flavor": "modelarts.vm.cpu.2u", "spec": {"storage": {"type": "EVS"}}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
     "spec": {"storage": {"type": "oBs", "location": {"path": "obs://bucket/dir/"}}}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
     "spec": {"storage": {"type": "OBS", "location": {"path": "bucket/"}}}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
     "spec": {"storage": {"type": "OBS", "location": {"path": "bucket/dir\n"}}}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
     "spec": {"storage": {"type": "OBS", "location": {"path": "bucket/./"}}}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
     "spec": {"storage": {"type": "EVS", "location": {"volume_size": 4097}}}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
     "spec": {"storage": {"type": "EVS", "location": {"path": 5}}}},
    {"name": "a\n", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u", "spec": {"storage": {"type": "EVS"}}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u", "description": None,
     "workspace": {"id": None}, "spec": {"storage": {"type": "EVS", "location": None}, "auto_stop": None,
                                         "annotations": None}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
     "spec": {"storage": {"type": "EVS"}, "auto_stop": {"enable": True}}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
     "spec": {"storage": {"type": "EVS"}, "auto_stop": {"enable": True, "duration": None}}},
    {"name": "a", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
     "spec": {"storage": {"type": "EVS"}, "auto_stop": {"enable": False, "duration": None}}},
]


@pytest.mark.parametrize("body", CREATE_EXAMPLES)
def test_the_create_schema_and_the_rules_agree(body):
    valid = jsonschema.Draft202012Validator(api.create_body_schema()).is_valid(body)
    assert valid == (validate_create(body) == []), validate_create(body)


@pytest.mark.parametrize("params", [{"de_type": "Notebook", "limit": "007"}, {"de_type": "Notebook", "limit": ""},
                                    {"de_type": "Notebook", "offset": "5\n"}, {"de_type": "notebook"},
                                    {"de_type": "Notebook", "show_self": "FaLsE", "sortby": ""},
                                    {"de_type": "Notebook", "order": "up"}, {}])
def test_the_list_query_schema_and_the_rules_agree(params):
    parameters = {p["name"]: p for p in api.list_query_parameters()}
    valid = all(name in params for name, p in parameters.items() if p["required"]) and all(
        jsonschema.Draft202012Validator(parameters[name]["schema"]).is_valid(value)
        for name, value in params.items())
    assert valid == (validate_list_query(params)[1] == [])


def test_the_server_serves_its_document_without_credentials(local_server):
    response = httpx.get(local_server.endpoint + OPENAPI_PATH)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["servers"] == [{"url": local_server.endpoint, "description": "this local server"}]
    assert document["paths"] == openapi_document()["paths"]
    validate(document, cls=OpenAPIV31SpecValidator)
