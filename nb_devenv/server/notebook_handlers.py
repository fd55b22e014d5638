"""HTTP handlers of the Notebook API: parse, call a :class:`NotebookOperations` method, render.

Authentication, project isolation, the error body, ``X-Request-Id`` and the clock's ``Date``
come from :class:`~.handlers.ApiHandler`, as for the old API. Operations without a body (start,
stop, delete) take none, or ``{}`` as some samples send.
"""

from __future__ import annotations

from typing import Any

from nb_devenv.contract import notebooks as nb

from .errors import ErrorAnswer
from .handlers import ApiHandler
from .notebook_json import lease_json, notebook_json
from .notebook_operations import NotebookOperations, Page
from .store import InstanceRecord

__all__ = [
    "NotebooksHandler",
    "AllNotebooksHandler",
    "NotebookFlavorsHandler",
    "NotebookHandler",
    "NotebookStartHandler",
    "NotebookStopHandler",
    "NotebookLeaseHandler",
    "SwitchableFlavorsHandler",
    "ImagesHandler",
    "ImageHandler",
]


class NotebookApiHandler(ApiHandler):
    """Base of the Notebook API's handlers: its operations and its instance object."""

    @property
    def notebooks(self) -> NotebookOperations:
        return self.context.notebooks

    def render_notebook(self, record: InstanceRecord) -> dict[str, Any]:
        return notebook_json(record, now_ms=self.context.lifecycle.clock.now_ms(), owner=self.project)

    def render_page(self, page: Page) -> dict[str, Any]:
        items = [self.render_notebook(r) for r in page.items]
        return nb.envelope_of_page(items, total=page.total, offset=page.offset, limit=page.limit)

    def no_body(self) -> None:
        """No body, or ``{}``; anything else is refused rather than ignored."""
        body = self.json_body()
        if body is not None and body != {}:
            raise ErrorAnswer("ModelArts.6400", "(this operation takes no body: send none, or {})")


class NotebooksHandler(NotebookApiHandler):
    """``/v1/{project_id}/notebooks``: create and list."""

    def post(self, project_id: str) -> None:
        project = self.own_project(project_id)
        self.send_json(self.render_notebook(self.notebooks.create(project, self.json_body())))

    def get(self, project_id: str) -> None:
        project = self.own_project(project_id)
        self.send_json(self.render_page(self.notebooks.list(project, self.query_params())))


class AllNotebooksHandler(NotebookApiHandler):
    """``/v1/{project_id}/notebooks/all``: the list, of every workspace unless one is named."""

    def get(self, project_id: str) -> None:
        project = self.own_project(project_id)
        self.send_json(self.render_page(self.notebooks.list(project, self.query_params(), every_workspace=True)))


class NotebookFlavorsHandler(NotebookApiHandler):
    """``/v1/{project_id}/notebooks/flavors``."""

    def get(self, project_id: str) -> None:
        self.own_project(project_id)
        self.send_json(self.notebooks.flavors(self.query_params()))


class NotebookHandler(NotebookApiHandler):
    """``/v1/{project_id}/notebooks/{id}``: show, update, delete."""

    def get(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        self.send_json(self.render_notebook(self.notebooks.get(project, instance_id)))

    def put(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        self.send_json(self.render_notebook(self.notebooks.update(project, instance_id, self.json_body())))

    async def delete(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        self.no_body()
        self.send_json(self.render_notebook(await self.notebooks.delete(project, instance_id)))


class NotebookStartHandler(NotebookApiHandler):
    """``POST .../notebooks/{id}/start?duration=&type=``."""

    def post(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        self.no_body()
        self.send_json(self.render_notebook(self.notebooks.start(project, instance_id, self.query_params())))


class NotebookStopHandler(NotebookApiHandler):
    """``POST .../notebooks/{id}/stop``."""

    def post(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        self.no_body()
        self.send_json(self.render_notebook(self.notebooks.stop(project, instance_id)))


class NotebookLeaseHandler(NotebookApiHandler):
    """``.../notebooks/{id}/lease``: show and renew the auto-stop lease."""

    def get(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        record = self.notebooks.lease(project, instance_id)
        self.send_json(lease_json(record, self.context.lifecycle.clock.now_ms()))

    def patch(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        record = self.notebooks.renew(project, instance_id, self.json_body(), self.query_params())
        self.send_json(lease_json(record, self.context.lifecycle.clock.now_ms()))


class SwitchableFlavorsHandler(NotebookApiHandler):
    """``GET .../notebooks/{id}/flavors``: what the instance's flavor can be changed to."""

    def get(self, project_id: str, instance_id: str) -> None:
        project = self.own_project(project_id)
        self.send_json(self.notebooks.switchable_flavors(project, instance_id, self.query_params()))


class ImagesHandler(NotebookApiHandler):
    """``GET /v1/{project_id}/images``."""

    def get(self, project_id: str) -> None:
        self.own_project(project_id)
        self.send_json(self.notebooks.images(self.query_params()))


class ImageHandler(NotebookApiHandler):
    """``GET /v1/{project_id}/images/{id}``."""

    def get(self, project_id: str, image_id: str) -> None:
        self.own_project(project_id)
        self.send_json(self.notebooks.image(image_id))
