"""nb_devenv — create and watch ModelArts development environment instances from Jupyter.

``%load_ext nb_devenv`` adds the ``%devenv`` / ``%%devenv`` magics; :class:`AsyncDevEnvClient`
is the Python API. With no endpoint configured, both use the embedded local server, which
speaks the same DevEnviron API and runs each instance as a real local Jupyter server.
"""

__version__ = "0.1.0"

from .auth import AkSkAuth, TokenAuth, fetch_iam_token  # noqa: E402
from .client import AsyncDevEnvClient  # noqa: E402
from .exceptions import (  # noqa: E402
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
from .models import ActionResult, Instance, InstanceList  # noqa: E402
from .retry import RetryPolicy  # noqa: E402

__all__ = [
    "__version__",
    "AsyncDevEnvClient",
    "AkSkAuth",
    "TokenAuth",
    "fetch_iam_token",
    "RetryPolicy",
    "Instance",
    "InstanceList",
    "ActionResult",
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
    "load_ipython_extension",
    "unload_ipython_extension",
]


def load_ipython_extension(ipython):
    """``%load_ext nb_devenv``: register the magics (imported only here, so that the client
    stays usable without IPython)."""
    from .magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython):
    """``%unload_ext nb_devenv``: cancel every watcher task and drop the magics."""
    from .magics import unload_ipython_extension as _unload

    _unload(ipython)
