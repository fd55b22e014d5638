"""HTTP handlers: parse, authenticate, call an operation, render JSON. Nothing else.

Every answer is JSON with an ``X-Request-Id`` header, errors included (tornado's HTML error page
is replaced), and its ``Date`` header comes from the lifecycle clock, so that a client computing
``remain_time`` from ``stop_timestamp`` agrees with the server even after the clock was advanced.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import uuid
from dataclasses import dataclass, field
from http.client import responses as HTTP_REASONS
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from tornado import httputil
from tornado.web import HTTPError, RequestHandler

from nb_devenv._version import __version__

from .authenticator import Authenticator
from .errors import ErrorAnswer, storage_failure
from .instance_json import instance_json
from .lifecycle import CLOCK_LIMIT_TEXT, Lifecycle
from .notebook_operations import NotebookOperations
from .operations import InstanceOperations
from .request_body import check_body_size, parse_json_body
from .store import InstanceRecord, Project, Store

__all__ = ["ServerContext", "ApiHandler", "NotFoundHandler"]

log = logging.getLogger("nb_devenv.server")


@dataclass
class ServerContext:
    """What handlers share: state, the state machine, the operations of both APIs, the
    authenticator."""

    store: Store
    lifecycle: Lifecycle
    operations: InstanceOperations
    authenticator: Authenticator
    notebooks: NotebookOperations
    #: the data directory's own project (``credentials.json``): only it may use the admin routes
    default_project_id: str = ""
    endpoint: str = ""
    data_dir: str = ""
    started_at: str = ""
    #: set to end the server (what ``serve()`` waits for)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


class ApiHandler(RequestHandler):
    """Base of every handler: JSON in and out, authentication, documented errors."""

    #: routes reachable without credentials
    public = False
    #: routes that act on the whole server (its clock, its lifetime): only the data directory's
    #: own project may call them; every other project is a tenant and gets 403
    admin = False

    _project: Project | None = None
    _request_id: str | None = None

    @property
    def context(self) -> ServerContext:
        # from the application settings, not initialize(): tornado sets the default headers
        # (which need the clock) before it calls initialize()
        context: ServerContext = self.application.settings["nb_devenv_context"]
        return context

    @property
    def project(self) -> Project:
        """The authenticated caller's project (routes that are not public only)."""
        if self._project is None:
            raise RuntimeError(f"{type(self).__name__} is public: no project authenticated")
        return self._project

    @property
    def request_id(self) -> str:
        # made once per handler: tornado calls set_default_headers again for errors
        if self._request_id is None:
            self._request_id = uuid.uuid4().hex
        return self._request_id

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("X-Request-Id", self.request_id)
        self.set_header("Date", httputil.format_timestamp(self.context.lifecycle.clock.now()))
        self.set_header("Server", "nb-devenv")

    def compute_etag(self) -> None:
        return None  # API answers change with time (remain_time); never a 304

    def _implements(self, method: str) -> bool:
        name = method.lower()
        return getattr(type(self), name, None) is not getattr(RequestHandler, name, None)

    def prepare(self) -> None:
        if not self._implements(self.request.method):
            raise ErrorAnswer("APIGW.0102", detail=f"{self.request.method} {self.request.path}")
        check_body_size(self.request.body)
        if not self.public:
            self._project = self.context.authenticator.authenticate(
                self.request.method, self.request.path, self.request.query, self.request.headers,
                self.request.body)
            if self.admin and self.project.id != self.context.default_project_id:
                raise ErrorAnswer("ModelArts.0108", f"{self.request.method} {self.request.path}",
                               detail="only the local server's own project may do this")

    def own_project(self, project_id: str) -> Project:
        """The caller's project, which must be the one named in the path (ModelArts.0210)."""
        if project_id != self.project.id:
            raise ErrorAnswer("ModelArts.0210")
        return self.project

    def json_body(self) -> Any:
        return parse_json_body(self.request.body)

    def query_params(self) -> dict[str, str]:
        return dict(parse_qsl(self.request.query, keep_blank_values=True))

    def send_json(self, document: Any, status: int = 200) -> asyncio.Future[None]:
        """Answer with ``document``; the returned future resolves once it is sent."""
        self.set_status(status)
        return self.finish(json.dumps(document, separators=(",", ":")))

    def render_instance(self, record: InstanceRecord) -> dict[str, Any]:
        return instance_json(
            record,
            now_ms=self.context.lifecycle.clock.now_ms(),
            flavor_permitted=self.context.operations.flavor_permitted(record.flavor),
            owner=self.project,
        )

    # --- errors ---------------------------------------------------------------------------------

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if not isinstance(error, ErrorAnswer):
            error = storage_failure(error) or error
        if not isinstance(error, ErrorAnswer):
            if status_code == 404:
                error = ErrorAnswer("APIGW.0101")
            elif status_code == 405:
                error = ErrorAnswer("APIGW.0102")
            elif status_code < 500:
                error = ErrorAnswer("ModelArts.6400", f"({status_code} {HTTP_REASONS.get(status_code, '')})")
            else:
                error = ErrorAnswer("ModelArts.6102")
        self.set_status(error.status_code)
        if error.status_code == 405:  # RFC 9110: a 405 lists the methods the resource has
            self.set_header("Allow", ", ".join(m for m in self.SUPPORTED_METHODS if self._implements(m)))
        self.finish(json.dumps(error.body(self.request_id), separators=(",", ":")))

    def log_exception(self, typ: type[BaseException] | None, value: BaseException | None,
                      tb: TracebackType | None) -> None:
        if isinstance(value, HTTPError):
            return  # an answer, not a failure; the access log shows its status
        answer = storage_failure(value)
        if answer is not None:  # the machine's state, not a bug: one line, no traceback
            log.warning("%s %s (request %s): %s", self.request.method, self.request.path, self.request_id,
                        answer.error_msg)
            return
        # no request repr and no headers: they may carry an Authorization or X-Auth-Token
        log.error("unexpected error in %s %s (request %s)", self.request.method, self.request.path,
                  self.request_id, exc_info=value)


class NotFoundHandler(ApiHandler):
    """Every unknown route: APIGW.0101, like API Gateway, before any authentication."""

    public = True

    def prepare(self) -> None:
        raise ErrorAnswer("APIGW.0101", detail=f"{self.request.method} {self.request.path}")


class HealthHandler(ApiHandler):
    public = True

    def get(self) -> None:
        self.send_json({"status": "ok"})


class ClockHandler(ApiHandler):
    """``/_emulator/clock``: read or advance the lifecycle clock (persisted).

    Admin only: the clock is shared, so moving it auto-stops every project's instances.
    """

    admin = True

    def _clock_json(self) -> dict[str, Any]:
        clock = self.context.lifecycle.clock
        return {"now": clock.now_ms(), "offset_ms": clock.offset_ms}

    def get(self) -> None:
        self.send_json(self._clock_json())

    def post(self) -> None:
        body = self.json_body()
        seconds = body.get("advance_seconds") if isinstance(body, dict) else None
        lifecycle = self.context.lifecycle
        room = lifecycle.clock_room_seconds()
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= room:
            raise ErrorAnswer("ModelArts.6400", f"('advance_seconds' must be a number of seconds from 0 to "
                                             f"{math.floor(room)}: the clock cannot pass {CLOCK_LIMIT_TEXT})")
        lifecycle.advance_clock(seconds)
        self.send_json(self._clock_json())


class ServerHandler(ApiHandler):
    """``GET /_emulator/server``: what runs here and how many instances are in each status.

    Admin only: the counts cover every project.
    """

    admin = True

    def get(self) -> None:
        context = self.context
        self.send_json({"version": __version__, "pid": os.getpid(), "started_at": context.started_at,
                        "endpoint": context.endpoint, "data_dir": context.data_dir,
                        "instances": context.store.count_by_status()})


class ShutdownHandler(ApiHandler):
    """``POST /_emulator/shutdown``: stop every project's instances, say which, then end the server.

    Admin only. The answer is sent before the server ends, so the caller learns what happened.
    """

    admin = True

    async def post(self) -> None:
        stopped = await self.context.lifecycle.stop_all()
        store = self.context.store
        await self.send_json({"pid": os.getpid(),
                              "stopped": [{"id": r.id, "name": r.name, "project_id": r.project_id,
                                           "project": _project_name(store, r.project_id)}
                                          for r in stopped]})
        self.context.stop.set()


def _project_name(store: Store, project_id: str) -> str:
    project = store.project_by_id(project_id)
    return project.name if project is not None else ""


class AuthTokensHandler(ApiHandler):
    """``POST /v3/auth/tokens``: the IAM password flow."""

    public = True

    def post(self) -> None:
        token, document = self.context.authenticator.issue_token(self.json_body(), self.context.endpoint)
        self.set_header("X-Subject-Token", token)
        self.send_json(document, status=201)


class InstancesHandler(ApiHandler):
    """``/v1/{project_id}/demanager/instances``: create and list."""

    def post(self, project_id: str) -> None:
        project = self.own_project(project_id)
        record = self.context.operations.create(project, self.json_body())
        self.send_json(self.render_instance(record))

    def get(self, project_id: str) -> None:
        project = self.own_project(project_id)
        total, page = self.context.operations.list(project, self.query_params())
        self.send_json({"total_count": total, "instances": [self.render_instance(r) for r in page]})


class InstanceHandler(ApiHandler):
    """``/v1/{project_id}/demanager/instances/{id}``: details, update, delete."""

    def get(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        self.send_json(self.render_instance(self.context.operations.get(project, instance_id)))

    def put(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        record = self.context.operations.update(project, instance_id, self.json_body())
        self.send_json(self.render_instance(record))

    async def delete(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        await self.context.operations.delete(project, instance_id)
        self.send_json({"instance_id": instance_id})


class ActionHandler(ApiHandler):
    """``POST .../{id}/action``: start, stop, restart (queue/dequeue are refused)."""

    def post(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        self.send_json(self.context.operations.act(project, instance_id, self.json_body()))


class InstanceTokenHandler(ApiHandler):
    """``GET .../{id}/token``: the instance's Jupyter token."""

    def get(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        self.send_json({"token": self.context.operations.get(project, instance_id).jupyter_token})


class OpenApiHandler(ApiHandler):
    """``GET /_emulator/openapi.json``: the OpenAPI 3.1 document of every route (``routes.py``)."""

    public = True

    def get(self) -> None:
        from .routes import openapi_document  # routes.py imports the handlers

        self.send_json(openapi_document(self.context.endpoint or None))


# The routing table (tornado's ROUTES) is derived from nb_devenv/server/routes.py, which also
# documents every route in the OpenAPI document: add a route there.
