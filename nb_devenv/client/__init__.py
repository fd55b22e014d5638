"""The async client: the Python API of nb_devenv, usable in a plain script (no IPython needed).

Its modules are private (``_client``, ``_models``, ...); this package and the top-level
``nb_devenv`` re-export the public names, in the manner of httpx. The names load on first use:
the other layers import small client modules (``_options``, ``_defaults``, ``_poller``)
without paying for httpx (``%load_ext nb_devenv`` stays cheap, bench/load_ext.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.lazy import lazy_exports

if TYPE_CHECKING:
    from ._auth import AkSkAuth, DevEnvAuth, TokenAuth, fetch_iam_token
    from ._client import AsyncDevEnvClient
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        DevEnvError,
        InstanceFailedError,
        NotFoundError,
        PermissionDeniedError,
        QuotaExceededError,
        RateLimitError,
        ServerError,
        SpecValidationError,
        UnsupportedOperationError,
        WaitTimeoutError,
    )
    from ._models import (
        ActionResult,
        AutoStop,
        Instance,
        InstanceList,
        Lease,
        NotebookFlavor,
        NotebookImage,
        Storage,
    )
    from ._retry import RetryPolicy

__all__ = [
    "AsyncDevEnvClient", "DevEnvAuth", "AkSkAuth", "TokenAuth", "fetch_iam_token", "RetryPolicy",
    "Instance", "InstanceList", "ActionResult", "AutoStop", "Storage", "Lease", "NotebookImage", "NotebookFlavor",
    "DevEnvError",
    "ConfigurationError",
    "UnsupportedOperationError",
    "SpecValidationError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "QuotaExceededError",
    "RateLimitError",
    "ServerError",
    "InstanceFailedError",
    "WaitTimeoutError",
]

_HOMES = {
    "AkSkAuth": "_auth",
    "DevEnvAuth": "_auth",
    "TokenAuth": "_auth",
    "fetch_iam_token": "_auth",
    "AsyncDevEnvClient": "_client",
    "APIConnectionError": "_exceptions",
    "APIError": "_exceptions",
    "APIStatusError": "_exceptions",
    "APITimeoutError": "_exceptions",
    "AuthenticationError": "_exceptions",
    "BadRequestError": "_exceptions",
    "ConfigurationError": "_exceptions",
    "ConflictError": "_exceptions",
    "DevEnvError": "_exceptions",
    "InstanceFailedError": "_exceptions",
    "NotFoundError": "_exceptions",
    "PermissionDeniedError": "_exceptions",
    "QuotaExceededError": "_exceptions",
    "RateLimitError": "_exceptions",
    "ServerError": "_exceptions",
    "SpecValidationError": "_exceptions",
    "UnsupportedOperationError": "_exceptions",
    "WaitTimeoutError": "_exceptions",
    "ActionResult": "_models",
    "AutoStop": "_models",
    "Instance": "_models",
    "InstanceList": "_models",
    "Lease": "_models",
    "NotebookFlavor": "_models",
    "NotebookImage": "_models",
    "Storage": "_models",
    "RetryPolicy": "_retry",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
