"""Where the notebook's requests go and how often widgets poll: ``%config DevEnv`` state.

Kept apart from the widgets so that ``%load_ext nb_devenv`` can record settings without loading
ipywidgets or the HTTP client; those load when the first widget or request needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ClientSettings", "Defaults", "defaults", "reset_defaults"]


@dataclass(frozen=True)
class ClientSettings:
    """Where requests go (no secret here: credentials are resolved by the connection layer)."""

    endpoint: str | None = None
    region: str | None = None
    project_id: str | None = None
    data_dir: str | None = None
    timeout: float = 30.0

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for :class:`~nb_devenv.client._client.AsyncDevEnvClient`."""
        return {"endpoint": self.endpoint, "region": self.region, "project_id": self.project_id,
                "data_dir": self.data_dir, "timeout": self.timeout}


@dataclass
class Defaults:
    """The settings widgets use when none are passed (kept in step with ``%config DevEnv``)."""

    settings: ClientSettings = field(default_factory=ClientSettings)
    poll_fast: float = 1.0
    poll_slow: float = 10.0
    wait_timeout: float = 600.0


defaults = Defaults()


def reset_defaults() -> None:
    """Back to the built-in defaults (extension unload: a later load starts clean)."""
    fresh = Defaults()
    defaults.settings, defaults.poll_fast, defaults.poll_slow, defaults.wait_timeout = (
        fresh.settings, fresh.poll_fast, fresh.poll_slow, fresh.wait_timeout)
