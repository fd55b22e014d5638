"""The async client: the Python API of nb_devenv, usable in a plain script (no IPython needed).

Its modules are private (``_client``, ``_models``, ...); this package and the top-level
``nb_devenv`` re-export the public names, in the manner of httpx.
"""

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
    WaitTimeoutError,
)
from ._models import ActionResult, AutoStop, Instance, InstanceList, Storage
from ._retry import RetryPolicy

__all__ = [
    "AsyncDevEnvClient", "DevEnvAuth", "AkSkAuth", "TokenAuth", "fetch_iam_token", "RetryPolicy",
    "Instance", "InstanceList", "ActionResult", "AutoStop", "Storage",
    "DevEnvError",
    "ConfigurationError",
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
