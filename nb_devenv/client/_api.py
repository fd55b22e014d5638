"""Which of ModelArts' two development-environment APIs a client speaks.

* ``"devenviron"`` — the DevEnviron API, ``/v1/{project_id}/demanager/instances`` (now filed by
  ModelArts under "historical APIs"); the default (:data:`~._defaults.DEFAULT_API`).
* ``"notebooks"`` — today's Notebook API, ``/v1/{project_id}/notebooks``, with images, flavors
  and a renewable lease.

One setting chooses it: ``AsyncDevEnvClient(api=...)``, ``--api`` on every command of the CLI
and the magics, ``%config DevEnv.api``, or ``$NB_DEVENV_API``. This module also answers what
depends on the choice and is needed without a client (the widgets' buttons, the ``--status``
flag): each dialect's statuses and operation rules, from :mod:`nb_devenv.contract`. The magics
import it at ``%load_ext``, so it loads the Notebook dialect only when one of those is asked.
"""

from __future__ import annotations

import functools
import os
from types import ModuleType
from typing import Literal, Mapping

from ._defaults import DEFAULT_API
from ._exceptions import ConfigurationError

__all__ = ["ApiName", "DEVENVIRON", "NOTEBOOKS", "APIS", "API_ENV", "API_TITLES", "resolve_api", "can",
           "is_transitional", "is_failed", "statuses", "all_statuses", "transitional_any", "failed_any"]

ApiName = Literal["devenviron", "notebooks"]
DEVENVIRON: ApiName = "devenviron"
NOTEBOOKS: ApiName = "notebooks"
APIS: tuple[ApiName, ...] = (DEVENVIRON, NOTEBOOKS)
#: the environment variable that chooses the API when nothing else does
API_ENV = "NB_DEVENV_API"
#: how errors and help texts name each API
API_TITLES: Mapping[str, str] = {
    DEVENVIRON: "the DevEnviron API (api='devenviron', /v1/{project_id}/demanager/instances)",
    NOTEBOOKS: "the Notebook API (api='notebooks', /v1/{project_id}/notebooks)",
}


def resolve_api(api: str | None = None, env: Mapping[str, str] | None = None) -> ApiName:
    """``api`` if given, else ``$NB_DEVENV_API``, else :data:`~._defaults.DEFAULT_API`;
    :class:`~._exceptions.ConfigurationError` for a name that is neither API."""
    env = os.environ if env is None else env
    chosen = (api or env.get(API_ENV) or DEFAULT_API).strip().lower()
    for name in APIS:
        if chosen == name:
            return name
    source = "api" if api else f"${API_ENV}"
    raise ConfigurationError(f"{source} {chosen!r} is not an API nb_devenv speaks: use 'devenviron' (the old "
                             f"DevEnviron API) or 'notebooks' (the Notebook API)")


# Each dialect's status module, imported when first asked (the Notebook dialect's package
# loads its rules, catalogue views and schemas with it: too much for %load_ext).

def _status_module(api: str) -> ModuleType:
    """``contract.devenviron.status`` or ``contract.notebooks.status``: the same names."""
    if api == NOTEBOOKS:
        from nb_devenv.contract.notebooks import status as notebooks_status

        return notebooks_status
    from nb_devenv.contract.devenviron import status as devenviron_status

    return devenviron_status


def statuses(api: str) -> tuple[str, ...]:
    """Every status an instance of ``api`` may report."""
    found: tuple[str, ...] = _status_module(api).STATUSES
    return found


@functools.cache
def all_statuses() -> tuple[str, ...]:
    """Every status of either API, the old API's first (what ``--status`` accepts)."""
    return tuple(dict.fromkeys((*statuses(DEVENVIRON), *statuses(NOTEBOOKS))))


def can(api: str, operation: str, status: str) -> bool:
    """Whether ``operation`` (start, stop, delete) is allowed on an instance of ``api`` in
    ``status``: each dialect's own rule (:func:`nb_devenv.contract.can`,
    :func:`nb_devenv.contract.notebooks.can`)."""
    allowed: bool = _status_module(api).can(operation, status)
    return allowed


def is_transitional(api: str, status: str) -> bool:
    """Whether an instance of ``api`` leaves ``status`` on its own (pollers look fast then)."""
    return status in _status_module(api).TRANSITIONAL


def is_failed(api: str, status: str) -> bool:
    return status in _status_module(api).FAILED


@functools.cache
def transitional_any() -> frozenset[str]:
    """The transitional statuses of either API (a status badge's colour does not depend on it)."""
    found: frozenset[str] = _status_module(DEVENVIRON).TRANSITIONAL | _status_module(NOTEBOOKS).TRANSITIONAL
    return found


@functools.cache
def failed_any() -> frozenset[str]:
    found: frozenset[str] = _status_module(DEVENVIRON).FAILED | _status_module(NOTEBOOKS).FAILED
    return found
