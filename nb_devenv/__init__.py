"""nb_devenv — create and watch ModelArts development environment instances from Jupyter.

``%load_ext nb_devenv`` adds the ``%devenv`` / ``%%devenv`` magics; :class:`AsyncDevEnvClient`
is the Python API. With no endpoint configured, both use the embedded local server, which
speaks the same DevEnviron API and runs each instance as a real local Jupyter server.
"""

__version__ = "0.1.0"

from ._lazy import lazy_exports  # noqa: E402

# Public names are imported on first use (PEP 562). The local server and every instance it
# starts run as ``python -m nb_devenv.server...``, which imports this package first; they must
# not load the client (httpx) they do not use. ``from nb_devenv import X`` works as usual.
_HOMES = {
    "AkSkAuth": "auth", "TokenAuth": "auth", "fetch_iam_token": "auth",
    "AsyncDevEnvClient": "client",
    "RetryPolicy": "retry",
    "Instance": "models", "InstanceList": "models", "ActionResult": "models",
    **{name: "exceptions" for name in (
        "DevEnvError", "ConfigurationError", "SpecValidationError", "APIError", "APIConnectionError",
        "APITimeoutError", "APIStatusError", "BadRequestError", "AuthenticationError",
        "PermissionDeniedError", "NotFoundError", "ConflictError", "QuotaExceededError",
        "RateLimitError", "ServerError", "InstanceFailedError", "WaitTimeoutError")},
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())


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
