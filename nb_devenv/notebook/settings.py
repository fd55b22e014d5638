"""What the notebook's widgets are told: where requests go, how often to poll, how long to wait.

The ``%devenv`` magics own one :class:`ClientSettings` and keep it in step with ``%config
DevEnv``; they hand that object to every widget they make, so a setting changed later reaches
those widgets too. A widget made directly (``InstanceStatusWidget(id)``) gets a default one.
Kept apart from the widgets so that ``%load_ext nb_devenv`` can hold settings without loading
ipywidgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nb_devenv.client._api import resolve_api
from nb_devenv.client._defaults import (
    POLL_FAST,
    POLL_SLOW,
    REQUEST_TIMEOUT,
    WAIT_TIMEOUT,
)

__all__ = ["ClientSettings"]


@dataclass
class ClientSettings:
    """The settings of the magics and the widgets they make (no secret here: credentials are
    resolved by the connection layer). Defaults: :mod:`nb_devenv.client._defaults`."""

    endpoint: str | None = None
    region: str | None = None
    project_id: str | None = None
    data_dir: str | None = None
    #: seconds for each HTTP request
    timeout: float = REQUEST_TIMEOUT
    #: seconds between polls while a watched instance is in transition / when all are stable
    poll_fast: float = POLL_FAST
    poll_slow: float = POLL_SLOW
    #: seconds ``--wait`` and :func:`nb_devenv.notebook.widgets.wait` wait at most
    wait_timeout: float = WAIT_TIMEOUT
    #: the API the magics and the widgets speak unless a command says ``--api`` (``None``: as a
    #: client without ``api=``, ``$NB_DEVENV_API``, else devenviron)
    api: str | None = None

    def resolved_api(self, api: str | None = None) -> str:
        """``api``, else :attr:`api`, else ``$NB_DEVENV_API``, else devenviron."""
        return resolve_api(api or self.api)

    def client_options(self, api: str | None = None) -> dict[str, Any]:
        """Keyword arguments for :class:`~nb_devenv.client._client.AsyncDevEnvClient`, speaking
        ``api`` (default: :meth:`resolved_api`)."""
        return {"endpoint": self.endpoint, "region": self.region, "project_id": self.project_id,
                "data_dir": self.data_dir, "timeout": self.timeout, "api": self.resolved_api(api)}

    def connection_key(self, api: str | None = None) -> tuple[Any, ...]:
        """What tells one connection from another: widgets with equal keys share one hub (one
        per API: a hub's list request speaks one)."""
        return tuple(self.client_options(api).values())
