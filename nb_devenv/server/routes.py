"""Every route of the local server, once: its path, its handler, and what each method does.

Tornado's routing table (:data:`ROUTES`) and the OpenAPI 3.1 document served at
``GET /_emulator/openapi.json`` (:func:`openapi_document`) are both derived from
:data:`ROUTE_TABLE`, so a route cannot be served without being documented. Who may call a route
comes from its handler class (``public``, ``admin``), the request and answer schemas of the two
APIs from :mod:`nb_devenv.contract.devenviron.schema` (the old API) and
:mod:`nb_devenv.contract.notebooks.schema` (the Notebook API), built from the rules' own constants.

Order matters where templates overlap: tornado takes the first pattern that matches, so
``/notebooks/flavors`` and ``/notebooks/all`` come before ``/notebooks/{id}``.

Adding a route is one :class:`Route` entry here plus its handler class in ``handlers.py``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

from tornado.web import RequestHandler

from nb_devenv.contract import ERROR_CODES
from nb_devenv.contract.devenviron import schema as api
from nb_devenv.contract.devenviron.rules import DURATION_MAX
from nb_devenv.contract.notebooks import image_ids
from nb_devenv.contract.notebooks import schema as nbapi

from . import authenticator
from .handlers import (
    ActionHandler,
    ApiHandler,
    AuthTokensHandler,
    ClockHandler,
    HealthHandler,
    InstanceHandler,
    InstancesHandler,
    InstanceTokenHandler,
    OpenApiHandler,
    ServerHandler,
    ShutdownHandler,
)
from .lifecycle import CLOCK_LIMIT_TEXT
from .notebook_handlers import (
    AllNotebooksHandler,
    ImageHandler,
    ImagesHandler,
    NotebookFlavorsHandler,
    NotebookHandler,
    NotebookLeaseHandler,
    NotebooksHandler,
    NotebookStartHandler,
    NotebookStopHandler,
    SwitchableFlavorsHandler,
)
from .request_body import MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_NUMBER_DIGITS

__all__ = ["Operation", "Route", "ROUTE_TABLE", "ROUTES", "openapi_document", "implemented_methods",
           "OPENAPI_PATH"]

Schema = dict[str, Any]

OPENAPI_PATH = "/_emulator/openapi.json"


@dataclass(frozen=True)
class Operation:
    """One HTTP method of a route, as the OpenAPI document describes it.

    ``answer`` and ``body`` are schemas or names of ``components/schemas`` entries. ``errors``
    are the statuses this operation answers besides the ones every route can give (404 for a
    path that names no route, 405, 413, 500) and the ones its handler's access rule implies
    (401 unless public, 403 for project paths and admin routes).
    """

    operation_id: str
    summary: str
    answer: Schema | str
    status: int = 200
    description: str = ""
    body: Schema | str | None = None
    query: tuple[Schema, ...] = ()
    errors: tuple[int, ...] = ()
    answer_headers: Mapping[str, Schema] = field(default_factory=dict)
    #: whether ``body`` must be sent (the Notebook API's renew takes one or none)
    body_required: bool = True


@dataclass(frozen=True)
class Route:
    """A path template in OpenAPI form, the tornado handler serving it, and its operations
    keyed by lower-case HTTP method. The route also answers with a trailing ``/``."""

    template: str
    handler: type[ApiHandler]
    operations: Mapping[str, Operation]
    tag: str

    @property
    def regex(self) -> str:
        """The tornado pattern: each ``{name}`` is one non-empty path segment."""
        parts = re.split(r"(\{[^}]+\})", self.template)
        return "".join("([^/]+)" if part.startswith("{") else re.escape(part) for part in parts) + "/?"

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"\{([^}]+)\}", self.template)


def implemented_methods(handler: type[RequestHandler]) -> list[str]:
    """The HTTP methods ``handler`` implements (the others get 405 APIGW.0102)."""
    return [method for method in handler.SUPPORTED_METHODS
            if getattr(handler, method.lower(), None) is not getattr(RequestHandler, method.lower(), None)]


# --- emulator-only schemas (the API's own come from nb_devenv.contract.devenviron.schema) -----------------------

_IAM_TEXT = {"type": "string", "minLength": 1, "maxLength": authenticator._IAM_TEXT_MAX}


def _object(properties: Schema, required: list[str], **extra: Any) -> Schema:
    return {"type": "object", "required": required, "properties": properties, **extra}


_IAM_REQUEST = _object({"auth": _object({
    "identity": _object({
        "methods": {"const": ["password"], "description": "Only the password method."},
        "password": _object({"user": _object({
            "name": _IAM_TEXT,
            "password": _IAM_TEXT,
            "domain": _object({"name": _IAM_TEXT}, ["name"]),
        }, ["name", "password", "domain"])}, ["user"]),
    }, ["methods", "password"]),
    "scope": _object({"project": _object(
        {"id": _IAM_TEXT, "name": _IAM_TEXT}, [],
        anyOf=[{"required": ["id"]}, {"required": ["name"]}],
        description="The project, by id or name (or both).")}, ["project"]),
}, ["identity", "scope"])}, ["auth"], description="The IAM password flow with a project scope "
                                                  "(IAM.0002 for anything else; other fields are ignored).")

_NAMED = _object({"id": {"type": "string"}, "name": {"type": "string"}}, ["id", "name"])
_NAMED_IN_DOMAIN = _object({"id": {"type": "string"}, "name": {"type": "string"}, "domain": _NAMED},
                           ["id", "name", "domain"])
_IAM_TOKEN = _object({"token": _object({
    "expires_at": {"type": "string", "format": "date-time"},
    "issued_at": {"type": "string", "format": "date-time"},
    "methods": {"type": "array", "items": {"type": "string"}},
    "project": _NAMED_IN_DOMAIN,
    "user": _NAMED_IN_DOMAIN,
    "roles": {"type": "array", "items": _NAMED},
    "catalog": {"type": "array", "items": _object({
        "type": {"type": "string"}, "id": {"type": "string"}, "name": {"type": "string"},
        "endpoints": {"type": "array", "items": _object(
            {key: {"type": "string"} for key in ("id", "interface", "region", "region_id", "url")},
            ["id", "interface", "region", "region_id", "url"])},
    }, ["type", "id", "name", "endpoints"])},
}, ["expires_at", "issued_at", "methods", "project", "user", "roles", "catalog"])}, ["token"])

_CLOCK = _object({"now": {"type": "integer", "description": "The lifecycle clock, epoch milliseconds."},
                  "offset_ms": {"type": "integer", "minimum": 0, "description": "How far it is ahead of "
                                                                                "the wall clock."}},
                 ["now", "offset_ms"], additionalProperties=False)
_CLOCK_ADVANCE = _object({"advance_seconds": {
    "type": "number", "minimum": 0,
    "description": f"Seconds to move the lifecycle clock forward (auto-stop deadlines of up to "
                   f"{DURATION_MAX} s are reached without waiting); the clock cannot pass {CLOCK_LIMIT_TEXT}, "
                   f"so the largest value accepted shrinks as the clock moves (ModelArts.6400 beyond)."}},
    ["advance_seconds"])
_HEALTH = _object({"status": {"const": "ok"}}, ["status"], additionalProperties=False)
_SERVER_INFO = _object({
    "version": {"type": "string"},
    "pid": {"type": "integer"},
    "started_at": {"type": "string", "format": "date-time"},
    "endpoint": {"type": "string"},
    "data_dir": {"type": "string", "description": "The data directory (its owner is the one asking)."},
    "instances": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1},
                  "description": "How many instances of all projects are in each status."},
}, ["version", "pid", "started_at", "endpoint", "data_dir", "instances"], additionalProperties=False)
_SHUTDOWN = _object({
    "pid": {"type": "integer", "description": "The server's process; it exits right after answering."},
    "stopped": {"type": "array", "items": _object(
        {key: {"type": "string"} for key in ("id", "name", "project_id", "project")},
        ["id", "name", "project_id", "project"], additionalProperties=False)},
}, ["pid", "stopped"], additionalProperties=False)

_INSTANCE_ERRORS = (400,)  # ModelArts.6309: a missing instance is a 400 on ModelArts

# --- the routes ----------------------------------------------------------------------------------

_INSTANCES = "/v1/{project_id}/demanager/instances"
_NOTEBOOKS = "/v1/{project_id}/notebooks"
_NOTEBOOK = _NOTEBOOKS + "/{id}"
_TWO_APIS = ("Each API sees only its own instances: an id made through the other API is ModelArts.6309 here. The "
             "quota (ModelArts.6302) counts the instances of both.")

ROUTE_TABLE: list[Route] = [
    Route("/_emulator/health", HealthHandler, tag="emulator", operations={
        "get": Operation("getHealth", "Whether the server answers", "Health"),
    }),
    Route(OPENAPI_PATH, OpenApiHandler, tag="emulator", operations={
        "get": Operation("getOpenApiDocument", "This document", {"type": "object"},
                         description="The OpenAPI 3.1 document of every route of this server, built from the "
                                     "same route table tornado serves."),
    }),
    Route("/_emulator/clock", ClockHandler, tag="emulator", operations={
        "get": Operation("getClock", "Read the lifecycle clock", "Clock"),
        "post": Operation("advanceClock", "Move the lifecycle clock forward", "Clock", body="ClockAdvance",
                          errors=(400,),
                          description="Deadlines (auto-stop) follow this clock; authentication never does."),
    }),
    Route("/_emulator/server", ServerHandler, tag="emulator", operations={
        "get": Operation("getServer", "What runs here, and its instances per status", "ServerInfo"),
    }),
    Route("/_emulator/shutdown", ShutdownHandler, tag="emulator", operations={
        "post": Operation("shutdownServer", "Stop every instance of every project, then the server",
                          "ShutdownAnswer",
                          description="Answers once every instance is STOPPED; the server exits right after."),
    }),
    Route("/v3/auth/tokens", AuthTokensHandler, tag="iam", operations={
        "post": Operation("createIamToken", "Issue an IAM token (password flow)", "IamToken", status=201,
                          body="IamTokenRequest", errors=(400, 401),
                          description="The token is in the `X-Subject-Token` header; send it as `X-Auth-Token`.",
                          answer_headers={"X-Subject-Token": {"type": "string", "minLength": 1}}),
    }),
    Route(_INSTANCES, InstancesHandler, tag="devenviron", operations={
        "post": Operation("createInstance", "Create an instance (modelarts_03_0110)", "Instance",
                          body="CreateInstanceRequest", errors=(400,),
                          description="Answers at once with status CREATING; the instance then becomes RUNNING "
                                      "or CREATE_FAILED (`spec.failed_reasons` says why)."),
        "get": Operation("listInstances", "List instances (modelarts_03_0111)", "InstanceList",
                         query=tuple(api.list_query_parameters()), errors=(400,)),
    }),
    Route(_INSTANCES + "/{instance_id}", InstanceHandler, tag="devenviron", operations={
        "get": Operation("getInstance", "Instance details (modelarts_03_0112)", "Instance",
                         errors=_INSTANCE_ERRORS),
        "put": Operation("updateInstance", "Update description and auto-stop (modelarts_03_0113)", "Instance",
                         body="UpdateInstanceRequest", errors=(400,)),
        "delete": Operation("deleteInstance", "Delete an instance (modelarts_03_0114)", "DeleteAnswer",
                            errors=(400,), description="Only STOPPED or failed instances (ModelArts.6304); "
                                                       "OBS files stay."),
    }),
    Route(_INSTANCES + "/{instance_id}/action", ActionHandler, tag="devenviron", operations={
        "post": Operation("actOnInstance", "Start, stop or restart (modelarts_03_0115)", "ActionAnswer",
                          body="ActionRequest", errors=(400,)),
    }),
    Route(_INSTANCES + "/{instance_id}/token", InstanceTokenHandler, tag="devenviron", operations={
        "get": Operation("getInstanceToken", "The instance's Jupyter token (modelarts_03_0109)", "TokenAnswer",
                         errors=_INSTANCE_ERRORS),
    }),
    Route(_NOTEBOOKS, NotebooksHandler, tag="notebooks", operations={
        "post": Operation("createNotebook", "Create an instance (CreateNotebook)", "Notebook",
                          body="NotebookCreateRequest", errors=(400,),
                          description="Answers at once with status CREATING; the instance then becomes RUNNING or "
                                      "CREATE_FAILED (`fail_reason` says why). Names may repeat. A flavor this machine "
                                      "cannot run (a GPU flavor without a GPU) is sold out (ModelArts.6329). "
                                      + _TWO_APIS),
        "get": Operation("listNotebooks", "List instances (ListNotebooks)", "NotebookList",
                         query=tuple(nbapi.list_query_parameters()), errors=(400,),
                         description="The project's instances of this API in the workspace (default \"0\"), "
                                     "filtered, sorted (default create_at DESC) and paged (default 10)."),
    }),
    Route(_NOTEBOOKS + "/all", AllNotebooksHandler, tag="notebooks", operations={
        "get": Operation("listAllNotebooks", "List all instances (ListAllNotebooks)", "NotebookList",
                         query=tuple(nbapi.list_query_parameters()), errors=(400,),
                         description="As `GET /notebooks`, but of every workspace unless `workspace_id` is given."),
    }),
    Route(_NOTEBOOKS + "/flavors", NotebookFlavorsHandler, tag="notebooks", operations={
        "get": Operation("listNotebookFlavors", "List flavors (ListFlavors)", "NotebookFlavorList",
                         query=tuple(nbapi.flavors_query_parameters()), errors=(400,),
                         description="`sold_out` marks the flavors this machine cannot run."),
    }),
    Route(_NOTEBOOK, NotebookHandler, tag="notebooks", operations={
        "get": Operation("showNotebook", "Instance details (ShowNotebook)", "Notebook", errors=_INSTANCE_ERRORS),
        "put": Operation("updateNotebook", "Update a stopped instance (UpdateNotebook)", "Notebook",
                         body="NotebookUpdateRequest", errors=(400,),
                         description="Name, description, flavor, image and a larger EVS volume, of a STOPPED "
                                     "instance only (ModelArts.6347)."),
        "delete": Operation("deleteNotebook", "Delete an instance (DeleteNotebook)", "Notebook", errors=(400,),
                            description="A STOPPED or failed instance only (ModelArts.6304 while RUNNING); answers "
                                        "the instance with status DELETING, after which it is not found. Takes no "
                                        "body, or `{}`."),
    }),
    Route(_NOTEBOOK + "/start", NotebookStartHandler, tag="notebooks", operations={
        "post": Operation("startNotebook", "Start a stopped instance (StartNotebook)", "Notebook",
                          query=tuple(nbapi.start_query_parameters()), errors=(400,),
                          description="STOPPED or START_FAILED only; answers with status STARTING. The run time "
                                      "counts from now. Takes no body, or `{}`."),
    }),
    Route(_NOTEBOOK + "/stop", NotebookStopHandler, tag="notebooks", operations={
        "post": Operation("stopNotebook", "Stop a running instance (StopNotebook)", "Notebook", errors=(400,),
                          description="RUNNING only; answers with status STOPPING. Takes no body, or `{}`."),
    }),
    Route(_NOTEBOOK + "/lease", NotebookLeaseHandler, tag="notebooks", operations={
        "get": Operation("showLease", "The auto-stop lease of a running instance (ShowLease)", "Lease",
                         errors=(400,), description="RUNNING only (ModelArts.6327). The instance stops at "
                                                    "`create_at + duration`."),
        "patch": Operation("renewLease", "Renew the lease of a running instance (RenewLease)", "Lease",
                           body="LeaseRequest", body_required=False, query=tuple(nbapi.renew_query_parameters()),
                           errors=(400,),
                           description="RUNNING only (ModelArts.6327): the instance now stops `duration` from now. "
                                       "A query `duration` wins over the body. The body is optional."),
    }),
    Route(_NOTEBOOK + "/flavors", SwitchableFlavorsHandler, tag="notebooks", operations={
        "get": Operation("showSwitchableFlavors", "Flavors the instance can change to (ShowSwitchableFlavors)",
                         "NotebookFlavorList", query=tuple(nbapi.flavors_query_parameters()), errors=(400,),
                         description="The other flavors of the kind (CPU or GPU) of the instance's image."),
    }),
    Route("/v1/{project_id}/images", ImagesHandler, tag="images", operations={
        "get": Operation("listImages", "List images (ListImage)", "ImageList",
                         query=tuple(nbapi.images_query_parameters()), errors=(400,),
                         description="The built-in images, one per profile of the old API (`show_name`)."),
    }),
    Route("/v1/{project_id}/images/{image_id}", ImageHandler, tag="images", operations={
        "get": Operation("showImage", "Image details (ShowImage)", "Image", errors=(400,)),
    }),
]

#: tornado's routing table, derived from :data:`ROUTE_TABLE`
ROUTES: list[tuple[str, type[ApiHandler]]] = [(route.regex, route.handler) for route in ROUTE_TABLE]


# --- the document --------------------------------------------------------------------------------

_PATH_PARAMETERS: dict[str, Schema] = {
    "project_id": {"description": "The caller's project (ModelArts.0210 for another one)."},
    "instance_id": {"description": "An instance of the project (ModelArts.6309 if there is none)."},
    "id": {"description": "An instance of the project made through the Notebook API (ModelArts.6309 if there is "
                          "none)."},
    "image_id": {"description": "An image of `GET /v1/{project_id}/images` (ModelArts.6797 for another id).",
                 "schema": {"type": "string", "enum": image_ids()}},
}

_STATUS_TEXT = {
    400: "The request breaks a rule, or the instance's status or the server's state refuses it "
         "(`errors` lists every rule a body broke).",
    401: "No credentials, a bad AK/SK signature (APIGW.0301), or an unknown or expired token.",
    403: "The path names another project (ModelArts.0210), or a tenant calls an admin route (ModelArts.0108).",
    404: "No route has this path (APIGW.0101).",
    405: "The path has no such method (APIGW.0102); `Allow` lists the ones it has.",
    413: f"The body is over {MAX_BODY_BYTES} bytes (APIGW.0201).",
    500: "An unexpected error (ModelArts.6102); the log has the details.",
}

_COMMON_ERRORS = (404, 405, 413, 500)

_BODY_LIMITS = (f"JSON of at most {MAX_BODY_BYTES} bytes (APIGW.0201 beyond), nested at most {MAX_JSON_DEPTH} "
                f"levels, with no number literal longer than {MAX_NUMBER_DIGITS} digits, NaN or Infinity, "
                f"anywhere in the body, ignored fields included (ModelArts.6400).")

_REQUEST_ID = {"description": "Identifies the request in the server's log (also `request_id` of errors).",
               "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _schema(value: Schema | str) -> Schema:
    return _ref(value) if isinstance(value, str) else value


def _error_statuses(route: Route, operation: Operation) -> list[int]:
    statuses = set(_COMMON_ERRORS) | set(operation.errors)
    if not route.handler.public:
        statuses.add(401)
    if route.handler.admin or "project_id" in route.path_parameters:
        statuses.add(403)
    return sorted(statuses)


def _operation_document(route: Route, method: str, operation: Operation) -> Schema:
    description = operation.description
    if route.handler.admin:
        description = (description + "\n\n" if description else "") + (
            "Admin route: only the data directory's own project (the one in `credentials.json`) may call "
            "it; any other project gets 403 ModelArts.0108.")
    document: Schema = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [route.tag],
    }
    if description:
        document["description"] = description
    if route.handler.public:
        document["security"] = []
    if route.handler.admin:
        document["x-nb-devenv-admin"] = True
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "string", "minLength": 1}, **_PATH_PARAMETERS.get(name, {})}
                  for name in route.path_parameters]
    parameters += [copy.deepcopy(p) for p in operation.query]
    if parameters:
        document["parameters"] = parameters
    if operation.body is not None:
        document["requestBody"] = {"required": operation.body_required, "description": _BODY_LIMITS,
                                   "content": {"application/json": {"schema": _schema(operation.body)}}}
    success_headers: Schema = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
    success_headers.update({name: {"required": True, "schema": schema}
                            for name, schema in operation.answer_headers.items()})
    responses: Schema = {str(operation.status): {
        "description": "Success.",
        "headers": success_headers,
        "content": {"application/json": {"schema": _schema(operation.answer)}},
    }}
    for status in _error_statuses(route, operation):
        responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    document["responses"] = responses
    return document


def _error_response(status: int) -> Schema:
    headers: Schema = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
    if status == 405:
        headers["Allow"] = {"required": True, "description": "The methods this path has.",
                            "schema": {"type": "string"}}
    return {"description": _STATUS_TEXT[status], "headers": headers,
            "content": {"application/json": {"schema": _ref(f"Error{status}")}}}


def _build() -> Schema:
    statuses = sorted({status for route in ROUTE_TABLE for method, op in route.operations.items()
                       for status in _error_statuses(route, op)})
    schemas: Schema = {
        "CreateInstanceRequest": api.create_body_schema(),
        "UpdateInstanceRequest": api.update_body_schema(),
        "ActionRequest": api.action_body_schema(),
        "Instance": api.instance_schema(),
        "InstanceList": api.list_answer_schema(_ref("Instance")),
        "ActionAnswer": api.action_answer_schema(),
        "DeleteAnswer": api.delete_answer_schema(),
        "TokenAnswer": api.token_answer_schema(),
        "NotebookCreateRequest": nbapi.create_body_schema(),
        "NotebookUpdateRequest": nbapi.update_body_schema(),
        "LeaseRequest": nbapi.lease_body_schema(),
        "Notebook": nbapi.notebook_schema(),
        "NotebookList": nbapi.notebook_list_schema(_ref("Notebook")),
        "Lease": nbapi.lease_schema(),
        "Image": nbapi.image_schema(detail=True),
        "ImageList": nbapi.image_list_schema(),
        "NotebookFlavor": nbapi.flavor_schema(),
        "NotebookFlavorList": nbapi.flavor_list_schema(_ref("NotebookFlavor")),
        "ClockAdvance": _CLOCK_ADVANCE,
        "Clock": _CLOCK,
        "Health": _HEALTH,
        "ServerInfo": _SERVER_INFO,
        "ShutdownAnswer": _SHUTDOWN,
        "IamTokenRequest": _IAM_REQUEST,
        "IamToken": _IAM_TOKEN,
        **{f"Error{status}": api.error_schema(status) for status in statuses},
    }
    paths: Schema = {}
    for route in ROUTE_TABLE:
        paths[route.template] = {method: _operation_document(route, method, op)
                                 for method, op in route.operations.items()}
    codes = ", ".join(sorted(ERROR_CODES))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "nb_devenv local DevEnviron server",
            "version": "1",
            "description": "The ModelArts development-environment APIs as the local server emulates them: the "
                           "Notebook API (`/v1/{project_id}/notebooks`, images, flavors, lease) and the old DevEnviron "
                           "API (`/v1/{project_id}/demanager/instances`), on one store and one lifecycle; plus its "
                           "own `/_emulator` routes and the IAM password flow. Errors are "
                           "`{error_code, error_msg, request_id[, errors]}` with one of the documented codes "
                           f"({codes}).",
        },
        "tags": [{"name": "notebooks", "description": "The Notebook API (`/v1/{project_id}/notebooks`)."},
                 {"name": "images", "description": "The Notebook API's images (`/v1/{project_id}/images`)."},
                 {"name": "devenviron", "description": "The old instance API (`/v1/{project_id}/demanager`)."},
                 {"name": "iam", "description": "Tokens for `X-Auth-Token`."},
                 {"name": "emulator", "description": "The local server's own routes."}],
        "security": [{"AkSkSignature": [], "SdkDate": []}, {"IamToken": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {f"Error{status}": _error_response(status) for status in statuses},
            "headers": {"X-Request-Id": _REQUEST_ID},
            "securitySchemes": {
                "AkSkSignature": {
                    "type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "`SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names>, Signature=<hex>`: "
                                   "the API Gateway AK/SK signature over method, path, sorted query, the signed "
                                   "headers (which must include X-Sdk-Date) and the body's SHA-256, as "
                                   "huaweicloudsdkcore computes it. Send the query in canonical (sorted) order.",
                },
                "SdkDate": {"type": "apiKey", "in": "header", "name": "X-Sdk-Date",
                            "description": "`YYYYMMDDTHHMMSSZ`, within 15 minutes of the server's wall clock; "
                                           "part of the AK/SK signature."},
                "IamToken": {"type": "apiKey", "in": "header", "name": "X-Auth-Token",
                             "description": "A token from `POST /v3/auth/tokens` (valid 24 h)."},
            },
        },
    }


@lru_cache(maxsize=1)
def _document() -> Schema:
    return _build()


def openapi_document(server_url: str | None = None) -> Schema:
    """The OpenAPI 3.1 document of every route (a fresh copy), with ``servers`` when the
    server's URL is known."""
    document = copy.deepcopy(_document())
    if server_url:
        document["servers"] = [{"url": server_url, "description": "this local server"}]
    return document
