"""The local DevEnviron server: command-line options, the tornado application, and its lifetime.

``nb-devenv serve`` and ``python -m nb_devenv.server`` both end here. The server binds loopback
by default, takes a lock on its data directory (one server per directory), reconciles the
stored instances with the processes really running, then listens and announces itself in
``server.json``. Instances outlive it: a server that ends (SIGTERM, Ctrl-C) leaves them running;
only ``POST /_emulator/shutdown`` (``nb-devenv server stop``) stops them before the server ends.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

import tornado.httpserver
import tornado.netutil
import tornado.web

from nb_devenv.contract import FLAVORS

from .admission import Admission
from .authenticator import Authenticator, credentials_document, ensure_default_project
from .data_dir import AlreadyRunning, DataDir, default_data_dir
from .handlers import NotFoundHandler, ServerContext
from .layout_upgrade import upgrade_layout
from .lifecycle import Lifecycle, load_clock
from .notebook_operations import NotebookOperations
from .operations import InstanceOperations
from .provisioners.base import Provisioner
from .provisioners.jupyterhub import HubError, JupyterHubProvisioner
from .provisioners.local import LocalProcessProvisioner
from .request_body import MAX_BODY_BYTES
from .routes import ROUTES
from .store import Store

__all__ = ["CannotListen", "DataDirUnusable", "ServerConfig", "HubSettings", "BadOptions", "add_serve_arguments",
           "hub_settings", "make_provisioner", "make_app", "serve", "run_from_args", "main"]

log = logging.getLogger("nb_devenv.server")

N = TypeVar("N", int, float)


class CannotListen(Exception):
    """The address or port cannot be bound (taken, or not an address of this machine)."""


@dataclass(frozen=True)
class ServerConfig:
    """Everything ``serve`` needs; built from the command line by :func:`run_from_args`."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    max_instances: int = 10
    granted_flavors: frozenset[str] = field(default_factory=frozenset)
    start_timeout: float = 60.0
    #: where instances run: "local" (processes of this machine) or "jupyterhub" (named servers)
    provisioner: str = "local"
    hub: HubSettings | None = None


@dataclass(frozen=True)
class HubSettings:
    """How to reach the JupyterHub of ``--provisioner jupyterhub``."""

    url: str
    token: str = field(repr=False)
    api_url: str | None = None
    gpu: bool = False


class BadOptions(Exception):
    """Options that do not go together, or a file they name that cannot be used."""


def _flavor_name(value: str) -> str:
    if value not in FLAVORS:
        raise argparse.ArgumentTypeError(f"unknown flavor {value!r} (one of: {', '.join(FLAVORS)})")
    return value


def _positive(kind: Callable[[str], N]) -> Callable[[str], N]:
    def parse(value: str) -> N:
        number = kind(value)
        if number <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
        return number
    return parse


def add_serve_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``serve`` options to ``parser`` (shared by ``nb-devenv serve`` and ``-m``)."""
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=0,
                        help="port to listen on (default: 0, any free port; see server.json)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="state directory (default: $NB_DEVENV_DATA_DIR, else "
                             "$XDG_DATA_HOME/nb_devenv, else ~/.local/share/nb_devenv)")
    parser.add_argument("--max-instances", type=_positive(int), default=10,
                        help="instances per project (default: 10; ModelArts.6302 beyond)")
    parser.add_argument("--grant-flavor", action="append", default=[], type=_flavor_name, metavar="NAME",
                        help="grant a flavor that needs a permission (repeatable; "
                             "otherwise such flavors are refused with ModelArts.6328)")
    parser.add_argument("--start-timeout", type=_positive(float), default=60.0, metavar="SECONDS",
                        help="seconds an instance's Jupyter server gets to become ready (default: 60)")
    hub = parser.add_argument_group("where instances run")
    hub.add_argument("--provisioner", choices=("local", "jupyterhub"), default="local",
                     help="local: Jupyter server processes on this machine (default); jupyterhub: named "
                          "servers of a JupyterHub, one Hub user per project (docs/team-deployment.md)")
    hub.add_argument("--hub-url", metavar="URL",
                     help="the JupyterHub's public URL (its /hub/api and the servers are under it)")
    hub.add_argument("--hub-token-file", type=Path, metavar="FILE",
                     help="a file holding a Hub API token with the scopes of docs/team-deployment.md")
    hub.add_argument("--hub-api-url", metavar="URL",
                     help="the Hub's REST API when reachable directly (default: URL/hub/api through the "
                          "proxy; give it when the proxy buffers the spawn's progress stream)")
    hub.add_argument("--hub-gpu", action="store_true",
                     help="the Hub's spawner can run GPU flavors (otherwise they are sold out)")
    return parser


def hub_settings(args: argparse.Namespace) -> HubSettings | None:
    """The Hub options of ``--provisioner jupyterhub`` (``None`` for local); :class:`BadOptions`
    for a missing or unusable one."""
    hub_only = [name for name in ("hub_url", "hub_token_file", "hub_api_url") if getattr(args, name, None)]
    if getattr(args, "provisioner", "local") != "jupyterhub":
        if hub_only or getattr(args, "hub_gpu", False):
            raise BadOptions("the --hub-* options need --provisioner jupyterhub")
        return None
    if not args.hub_url or not args.hub_token_file:
        raise BadOptions("--provisioner jupyterhub needs --hub-url URL and --hub-token-file FILE")
    for option, value in (("--hub-url", args.hub_url), ("--hub-api-url", args.hub_api_url)):
        if value is not None and not value.startswith(("http://", "https://")):
            raise BadOptions(f"{option} must be an http:// or https:// URL, got {value!r}")
    try:
        token = args.hub_token_file.read_text().strip()
    except OSError as error:
        raise BadOptions(f"cannot read --hub-token-file {args.hub_token_file}: {error.strerror or error}") from None
    if not token or any(c.isspace() for c in token):
        raise BadOptions(f"--hub-token-file {args.hub_token_file} must hold one Hub API token (and nothing else)")
    return HubSettings(args.hub_url, token, args.hub_api_url, args.hub_gpu)


def make_provisioner(config: ServerConfig, layout: DataDir) -> Provisioner:
    """The provisioner ``config`` asks for."""
    if config.provisioner == "jupyterhub" and config.hub is not None:
        return JupyterHubProvisioner(config.hub.url, config.hub.token, api_url=config.hub.api_url,
                                     start_timeout=config.start_timeout, gpu=config.hub.gpu)
    return LocalProcessProvisioner(layout, start_timeout=config.start_timeout)


_access_log = logging.getLogger("tornado.access")


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # clients poll instance details every second or so: successful reads go to DEBUG, so the
    # log shows what changed state and what failed; URLs carry no secret, headers are not logged
    status = handler.get_status()
    if status >= 500:
        level = logging.ERROR
    elif status >= 400:
        level = logging.WARNING
    elif handler.request.method in ("GET", "HEAD"):
        level = logging.DEBUG
    else:
        level = logging.INFO
    if _access_log.isEnabledFor(level):
        _access_log.log(level, "%d %s %.2fms", status, handler._request_summary(),
                        1000.0 * handler.request.request_time())


def make_app(context: ServerContext) -> tornado.web.Application:
    return tornado.web.Application(
        ROUTES,
        default_handler_class=NotFoundHandler,
        nb_devenv_context=context,
        compress_response=False,
        log_function=_log_request,
    )


def _endpoint(host: str, port: int) -> str:
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def serve(config: ServerConfig, ready: asyncio.Event | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Run the server until ``stop`` is set: by ``POST /_emulator/shutdown``, or by the caller
    (default: by SIGINT or SIGTERM).

    Raises :class:`AlreadyRunning` if another server uses the data directory.
    """
    if stop is None:
        # installed first, so that a signal during the boot still ends in a clean exit
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    layout = DataDir(config.data_dir.expanduser().resolve())
    lock: int | None = None
    store: Store | None = None
    server: tornado.httpserver.HTTPServer | None = None
    lifecycle: Lifecycle | None = None
    try:
        with _data_dir_step(layout, "create the directory"):
            layout.create()
        with _data_dir_step(layout, "lock it (server.lock)"):
            lock = layout.acquire_lock()
        with _data_dir_step(layout, "open its database (state.sqlite3)"):
            store = Store(layout.state_db)
            project, password = ensure_default_project(store, layout.read_credentials())
            upgrade_layout(store, layout, project.id)
        clock = load_clock(store)
        provisioner = make_provisioner(config, layout)
        if isinstance(provisioner, JupyterHubProvisioner):
            await provisioner.check()
        lifecycle = Lifecycle(store, provisioner, clock)
        admission = Admission(store, provisioner, config.max_instances, config.granted_flavors)
        context = ServerContext(store, lifecycle, InstanceOperations(store, lifecycle, admission),
                                Authenticator(store), NotebookOperations(store, lifecycle, admission),
                                default_project_id=project.id, data_dir=str(layout.root), stop=stop)

        try:
            sockets = tornado.netutil.bind_sockets(config.port, config.host)
        except OSError as exc:
            raise CannotListen(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None
        port = sockets[0].getsockname()[1]
        context.endpoint = _endpoint(config.host, port)

        # connections queue in the backlog meanwhile: nobody sees a status that is not true
        with _data_dir_step(layout, "bring the stored instances up to date"):
            await lifecycle.reconcile()

        # twice the API's limit: a body up to that size gets a JSON 413 from our handlers,
        # only a larger one meets tornado's bare 400 and a closed connection
        server = tornado.httpserver.HTTPServer(make_app(context), max_body_size=2 * MAX_BODY_BYTES)
        server.add_sockets(sockets)
        with _data_dir_step(layout, "write credentials.json and server.json"):
            layout.write_credentials(credentials_document(store, project, password, context.endpoint))
            context.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
            layout.write_server_file(context.endpoint, os.getpid(), context.started_at)
        lifecycle.start_scheduler()
        log.info("nb-devenv server listening on %s (data directory %s)", context.endpoint, layout.root)

        if ready is not None:
            ready.set()
        await stop.wait()
        log.info("nb-devenv server stopping (running instances keep running)")
    finally:
        if server is not None:
            server.stop()
        if lifecycle is not None:
            await lifecycle.shutdown()
        if lock is not None:
            layout.remove_server_file(os.getpid())
            DataDir.release_lock(lock)
        if store is not None:
            store.close()


class DataDirUnusable(Exception):
    """The data directory cannot be created, written or read; the message names it and the step."""


@contextmanager
def _data_dir_step(layout: DataDir, what: str) -> Iterator[None]:
    """Turn a file-system or database failure during ``what`` into one line naming the directory."""
    try:
        yield
    except (OSError, sqlite3.Error) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise DataDirUnusable(f"cannot use the data directory {layout.root}: could not {what}: {reason}") from None


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[%(levelname).1s %(asctime)s %(name)s] %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def run_from_args(args: argparse.Namespace) -> int:
    """Run the server in the foreground with parsed ``serve`` options; returns an exit code."""
    try:
        hub = hub_settings(args)
    except BadOptions as exc:
        print(f"nb-devenv serve: {exc}", file=sys.stderr)
        return 2
    config = ServerConfig(
        data_dir=args.data_dir or default_data_dir(),
        host=args.host,
        port=args.port,
        max_instances=args.max_instances,
        granted_flavors=frozenset(args.grant_flavor or ()),
        start_timeout=args.start_timeout,
        provisioner=args.provisioner,
        hub=hub,
    )
    _configure_logging()
    try:
        asyncio.run(serve(config))
    except (AlreadyRunning, CannotListen, DataDirUnusable, HubError) as exc:
        print(f"nb-devenv serve: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nb_devenv.server [options]``: parse the ``serve`` options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m nb_devenv.server",
        description="Run the local ModelArts DevEnviron server (instances are real Jupyter servers).",
    )
    add_serve_arguments(parser)
    return run_from_args(parser.parse_args(argv))
