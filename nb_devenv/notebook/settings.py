"""Where the notebook's requests go and how often widgets poll: ``%config DevEnv`` state.

Kept apart from the widgets so that ``%load_ext nb_devenv`` can record settings without loading
ipywidgets or the HTTP client; those load when the first widget or request needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nb_devenv.client._defaults import POLL_FAST, POLL_SLOW, REQUEST_TIMEOUT, WAIT_TIMEOUT

__all__ = ["ClientSettings", "Defaults", "defaults", "reset_defaults"]


@dataclass(frozen=True)
class ClientSettings:
    """Where requests go (no secret here: credentials are resolved by the connection layer)."""

    endpoint: str | None = None
    region: str | None = None
    project_id: str | None = None
    data_dir: str | None = None
    timeout: float = REQUEST_TIMEOUT

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for :class:`~nb_devenv.client._client.AsyncDevEnvClient`."""
        return {"endpoint": self.endpoint, "region": self.region, "project_id": self.project_id,
                "data_dir": self.data_dir, "timeout": self.timeout}


@dataclass
class Defaults:
    """The settings widgets use when none are passed (kept in step with ``%config DevEnv``)."""

    settings: ClientSettings = field(default_factory=ClientSettings)
    poll_fast: float = POLL_FAST
    poll_slow: float = POLL_SLOW
    wait_timeout: float = WAIT_TIMEOUT


defaults = Defaults()


def reset_defaults() -> None:
    """Back to the built-in defaults (extension unload: a later load starts clean)."""
    fresh = Defaults()
    defaults.settings, defaults.poll_fast, defaults.poll_slow, defaults.wait_timeout = (
        fresh.settings, fresh.poll_fast, fresh.poll_slow, fresh.wait_timeout)
