"""``nb-devenv``: the command line for the same APIs the notebook magics use.

With no ``--endpoint``/``--region`` (or ``$NB_DEVENV_ENDPOINT``/``$NB_DEVENV_REGION``) every
command talks to the embedded local server, starting it if needed. Every command that talks to
the API takes ``--api devenviron|notebooks`` (default ``$NB_DEVENV_API``, else devenviron). Credentials never go on
the command line: they come from the environment or the local server's credentials file.
Errors print the ModelArts error code and message and exit with status 1; a command line that
cannot be parsed exits with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from nb_devenv.client import _options as options
from nb_devenv.client._api import NOTEBOOKS, resolve_api
from nb_devenv.client._auth import AkSkAuth
from nb_devenv.client._client import AsyncDevEnvClient
from nb_devenv.client._defaults import TICK
from nb_devenv.client._exceptions import (
    ConfigurationError,
    DevEnvError,
    SpecValidationError,
)
from nb_devenv.client._local_server import read_credentials, running_endpoint
from nb_devenv.client._models import Instance
from nb_devenv.client._tables import FLAVOR_COLUMNS, IMAGE_COLUMNS, flavor_row, image_row, rows_text, text_table
from nb_devenv.core.paths import CREDENTIALS_FILE, default_data_dir

from .contract import (
    ACTION_SETTLES_IN,
    STATUSES,
    BodyParseError,
    describe_violations,
    format_duration,
    parse_body_text,
    validate_create,
)

__all__ = ["main", "build_parser"]

DATA_DIR_HELP = ("local server data directory (default: $NB_DEVENV_DATA_DIR, else $XDG_DATA_HOME/nb_devenv, "
                 "else ~/.local/share/nb_devenv)")
JSON_HELP = "print machine-readable JSON"
#: ``nb-devenv server status`` when no server runs (as ``systemctl status`` for a stopped unit)
EXIT_NOT_RUNNING = 3
#: seconds ``nb-devenv server stop`` waits: instances starting are let finish, then all stop
SERVER_STOP_TIMEOUT = 180.0


class _Parser(argparse.ArgumentParser):
    """Each (sub)command reports a flag it does not know itself: with its own usage line, not
    the top-level one, and the closest flag it does know ("did you mean --name?")."""

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace or argparse.Namespace())
        if extras:
            self.error(self._unrecognized(extras))
        return parsed, extras

    def _unrecognized(self, extras: list[str]) -> str:
        known = [flag for flag in self._option_string_actions if flag.startswith("--")]
        guesses = []
        for extra in extras:
            if extra.startswith("--"):
                close = difflib.get_close_matches(extra.split("=", 1)[0], known, n=1)
                if close:
                    guesses.append((extra.split("=", 1)[0], close[0]))
        message = f"unrecognized arguments: {' '.join(extras)}"
        if len(guesses) == 1:
            message += f" (did you mean {guesses[0][1]}?)"
        elif guesses:
            message += " (did you mean " + ", ".join(f"{right} for {wrong}" for wrong, right in guesses) + "?)"
        return message


class _VersionAction(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from importlib.metadata import version

        print(f"nb-devenv {version('nb_devenv')}")
        parser.exit()


def _connection_options() -> _Parser:
    common = _Parser(add_help=False)
    group = common.add_argument_group("where to send requests (default: the embedded local server)")
    group.add_argument("--endpoint", help="API endpoint, e.g. https://modelarts.cn-north-4.myhuaweicloud.com")
    group.add_argument("--region", help="region name, e.g. cn-north-4 (gives the endpoint)")
    group.add_argument("--project-id", help="project id (default: $HUAWEICLOUD_SDK_PROJECT_ID)")
    group.add_argument("--data-dir", help=DATA_DIR_HELP)
    options.add_api_argument(common)
    common.add_argument("--json", action="store_true", help=JSON_HELP)
    return common


def _add_server_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    server = sub.add_parser("server", help="the background local server: status, stop",
                            description="The local server that the CLI and the magics start in the "
                                        "background for a data directory (not a remote endpoint).")
    actions = server.add_subparsers(dest="server_command", required=True, metavar="ACTION",
                                    help="what to do with it")
    status = actions.add_parser(
        "status", help="whether it runs: endpoint, pid, start time, instances per status",
        description="Whether the local server of the data directory runs: its endpoint, pid, start "
                    "time, data directory and how many instances (of all projects) are in each status.",
        epilog=f"exit status: 0 if it runs, {EXIT_NOT_RUNNING} if none runs (as systemctl status), "
               "1 on an error")
    stop = actions.add_parser(
        "stop", help="stop all its instances, then the server itself",
        description="Stop every running or starting instance of every project of the local server, "
                    "wait until they are STOPPED, then stop the server. Exit status 0, also when no "
                    "server runs.")
    for action in (status, stop):
        action.add_argument("--data-dir", help=DATA_DIR_HELP)
        action.add_argument("--json", action="store_true", help=JSON_HELP)


def build_parser() -> argparse.ArgumentParser:
    from .server import add_serve_arguments

    parser = _Parser(
        prog="nb-devenv",
        description="Create, watch and manage ModelArts development environment instances.",
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", help="what to do")
    common = _connection_options()

    serve = sub.add_parser("serve", help="run the local DevEnviron server in the foreground")
    add_serve_arguments(serve)

    create = sub.add_parser("create", parents=[common], help="create an instance",
                            description="Create an instance from flags and/or a YAML/JSON body "
                                        "(-f); flags override the body.")
    create.add_argument("-f", "--file", help="request body as YAML or JSON ('-' for stdin)")
    options.add_create_arguments(create)
    create.add_argument("--wait", action="store_true", help="watch it until it runs, then say how to open it")

    options.add_list_arguments(sub.add_parser("list", parents=[common], help="list instances"))

    for name, text in (("get", "show one instance"), ("start", "start a stopped instance"),
                       ("stop", "stop a running instance"), ("restart", "restart a running instance"),
                       ("delete", "delete a stopped instance"),
                       ("open", "print the link that opens the instance's JupyterLab, logged in "
                                "(it carries the token)")):
        cmd = sub.add_parser(name, parents=[common], help=text)
        if name in ACTION_SETTLES_IN:
            options.add_action_arguments(cmd)
        else:
            options.add_instance_id(cmd)

    options.add_update_arguments(sub.add_parser("update", parents=[common],
                                                help="change description or auto-stop"))

    options.add_extend_arguments(sub.add_parser(
        "extend", parents=[common], help="Notebook API: let a running instance run longer",
        description="Renew the lease of a running Notebook API instance: it stops DURATION later than it "
                    "would (with --from-now: DURATION from now)."))
    sub.add_parser("images", parents=[common], help="Notebook API: the images the server offers")
    sub.add_parser("flavors", parents=[common], help="Notebook API: the flavors the server offers (sold-out marked)")

    watch = sub.add_parser("watch", parents=[common], help="live status line with the auto-stop countdown")
    options.add_instance_id(watch)
    watch.add_argument("--until", choices=STATUSES, help="exit once the instance has this status")

    projects = sub.add_parser("projects", help="manage projects of the local server")
    projects_sub = projects.add_subparsers(dest="projects_command", required=True, metavar="ACTION",
                                           help="what to do")
    add = projects_sub.add_parser("create", help="create a project and write its credentials file (mode 600)")
    add.add_argument("name", help="the new project's name")
    add.add_argument("--data-dir", help=DATA_DIR_HELP)
    add.add_argument("--output", help="credentials file to write (default DATA_DIR/credentials-NAME.json)")

    _add_server_commands(sub)
    return parser


# -- output -------------------------------------------------------------------------------------

def _print_instance(instance: Instance, as_json: bool) -> None:
    if as_json:  # the Notebook API's objects carry the token: `open` is the command that prints it
        print(json.dumps(instance.raw_without_token(), indent=2, sort_keys=True))
        return
    lines = [
        f"name:        {instance.name}",
        f"id:          {instance.id}",
        f"status:      {instance.status}",
        f"image:       {instance.image.name}:{instance.image.tag} ({instance.image.id})" if instance.image
        else f"profile:     {instance.profile_id}",
        f"flavor:      {instance.flavor}",
        f"storage:     {instance.storage.describe()}",
    ]
    if instance.description:
        lines.append(f"description: {instance.description}")
    if instance.lease is not None:
        lines.append(f"auto-stop:   {'lease ' + (instance.lease.type or 'TIMING') if instance.lease.enable else 'off'}"
                     + (f" (extend it: nb-devenv extend {instance.id} 1h --api notebooks)"
                        if instance.remain_time is not None else ""))
    elif instance.auto_stop.enable:
        lines.append(f"auto-stop:   after {format_duration(instance.auto_stop.duration)} of running")
    if instance.remain_time is not None and instance.stops_at is not None:
        stops = instance.stops_at.astimezone().strftime("%H:%M:%S")
        lines.append(f"time left:   {format_duration(instance.remain_time)} (stops at {stops})")
    if instance.url:
        api = " --api notebooks" if instance.api == NOTEBOOKS else ""
        lines.append(f"url:         {instance.url}  (with its token: nb-devenv open {instance.id}{api})")
    if instance.fail_reason:
        lines.append(f"failed:      {instance.fail_reason}")
    print("\n".join(lines))


def _print_next_steps(instance: Instance) -> None:
    """After a create: the commands that come next (``delete`` needs a stopped instance)."""
    api = " --api notebooks" if instance.api == NOTEBOOKS else ""
    print()
    if instance.status != "RUNNING":
        print(f"watch it:   nb-devenv watch {instance.id} --until RUNNING{api}")
    print(f"open it:    nb-devenv open {instance.id}{api}   (prints the link to its JupyterLab, with its token)")
    if instance.api == NOTEBOOKS:
        print(f"extend it:  nb-devenv extend {instance.id} 1h{api}   (it runs one hour longer)")
    print(f"stop it:    nb-devenv stop {instance.id}{api}")
    print(f"delete it:  nb-devenv delete {instance.id}{api}   (once it is stopped)")


def _status_line(instance: Instance) -> str:
    left = instance.remain_time
    countdown = f"  auto-stop in {format_duration(left)}" if left is not None else ""
    return f"{time.strftime('%H:%M:%S')}  {instance.name}  {instance.status}{countdown}"


# -- commands -----------------------------------------------------------------------------------

def _base_body(args: argparse.Namespace) -> dict[str, Any] | None:
    """The ``-f`` body, if any."""
    if not args.file:
        return None
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
    return parse_body_text(text, source=args.file)


def _create_body(args: argparse.Namespace, api: str) -> dict[str, Any]:
    """The create body from ``-f`` and the flags (an ``--image`` name is looked up later:
    :func:`options.resolve_image`)."""
    try:
        return options.body_from_options(args, _base_body(args), api)
    except ValueError as error:  # a malformed --annotation, a flag of the other API
        raise SystemExit(f"nb-devenv create: error: {error}") from None


async def _watch(client: AsyncDevEnvClient, instance_id: str, until: str | None, as_json: bool) -> Instance:
    """Print a status line on every change (JSON) or keep one live line ticking (terminal)."""
    latest: list[Instance] = []
    changed = asyncio.Event()

    async def follow() -> None:
        async for instance in client.watch(instance_id):
            latest[:] = [instance]
            changed.set()
            if until and instance.status == until:
                return

    follower = asyncio.create_task(follow())
    live = sys.stdout.isatty() and not as_json
    try:
        while not follower.done():
            try:
                await asyncio.wait_for(changed.wait(), timeout=TICK)  # tick the countdown each second
            except asyncio.TimeoutError:
                pass
            if not latest:
                continue
            if changed.is_set():
                changed.clear()
                if as_json:
                    print(json.dumps({"id": latest[0].id, "status": latest[0].status,
                                      "remain_time": latest[0].remain_time}), flush=True)
                elif not live:
                    print(_status_line(latest[0]), flush=True)
            if live:
                print("\r\x1b[2K" + _status_line(latest[0]), end="", flush=True)
        await follower  # re-raises InstanceFailedError / NotFoundError
    finally:
        follower.cancel()
        if live:
            print()
    return latest[0]


def _client(args: argparse.Namespace) -> AsyncDevEnvClient:
    return AsyncDevEnvClient(endpoint=args.endpoint, region=args.region, project_id=args.project_id,
                             data_dir=args.data_dir, api=args.api)


async def _dry_run(args: argparse.Namespace) -> int:
    """``create --dry-run``: print the body, check it, send nothing (an ``--image`` name is
    looked up: the body shows the id it would send)."""
    api = resolve_api(args.api)
    body = _create_body(args, api)
    if api == NOTEBOOKS and args.image is not None:
        async with _client(args) as client:
            await options.resolve_image(client, args, body)
    print(json.dumps(body, indent=2))
    if api == NOTEBOOKS:
        from .contract import notebooks

        violations = notebooks.validate_create(body)
    else:
        violations = validate_create(body)
    if violations:
        raise SpecValidationError(violations)
    return 0


async def _run(args: argparse.Namespace) -> int:
    client = _client(args)
    # the body is made (and a flag of the other API refused) before anything connects
    body = _create_body(args, client.api) if args.command == "create" else {}
    async with client:
        command = args.command
        if command == "create":
            await options.resolve_image(client, args, body)
            instance = await client.create(body)
            if args.wait:
                if not args.json:
                    print(f"created {instance.name} ({instance.id}); waiting for it to run...", flush=True)
                instance = await _watch(client, instance.id, "RUNNING", args.json)
            if not (args.wait and args.json):  # with both, the watch lines are the JSON output
                _print_instance(instance, args.json)
            if not args.json:
                _print_next_steps(instance)
        elif command == "list":
            page = await client.list(**options.list_filters(args))
            if args.json:
                print(json.dumps({"total_count": page.total_count, "instances": [i.raw_without_token() for i in page]},
                                 indent=2, sort_keys=True))
            else:
                print(text_table(page))
        elif command == "get":
            _print_instance(await client.get(args.instance_id), args.json)
        elif command in ("start", "stop", "restart"):
            result = await client.action(args.instance_id, command)
            if args.wait:
                instance = await client.wait_until(args.instance_id, ACTION_SETTLES_IN[command])
                _print_instance(instance, args.json)
            elif args.json:
                print(json.dumps({"current_status": result.current_status, "previous_state": result.previous_state}))
            else:
                print(f"{args.instance_id}: {result.transition('->')}")
        elif command == "delete":
            deleted = await client.delete(args.instance_id)
            print(json.dumps({"instance_id": deleted}) if args.json else f"deleted {deleted}")
        elif command == "update":
            try:
                changes = options.update_changes(args)
            except ValueError as error:
                raise SystemExit(f"nb-devenv update: error: {error}") from None
            _print_instance(await client.update(args.instance_id, **changes), args.json)
        elif command == "watch":
            await _watch(client, args.instance_id, args.until, args.json)
        elif command == "extend":
            lease = await client.extend(args.instance_id, args.duration, from_now=args.from_now)
            if args.json:
                print(json.dumps({"lease": lease.raw, "remaining": lease.remaining}, indent=2, sort_keys=True))
            else:
                stops = lease.stops_at.astimezone().strftime("%H:%M:%S") if lease.stops_at else "?"
                print(f"{args.instance_id}: stops in {format_duration(lease.remaining)} (at {stops})")
        elif command == "images":
            images = await client.images()
            print(json.dumps([i.raw for i in images], indent=2, sort_keys=True) if args.json
                  else rows_text([image_row(i) for i in images], IMAGE_COLUMNS, empty="no images"))
        elif command == "flavors":
            flavors = await client.flavors()
            print(json.dumps([f.raw for f in flavors], indent=2, sort_keys=True) if args.json
                  else rows_text([flavor_row(f) for f in flavors], FLAVOR_COLUMNS, empty="no flavors"))
        elif command == "open":
            url = await client.open_url(args.instance_id)
            if url is None:
                raise SystemExit(f"nb-devenv open: error: {args.instance_id} is not running "
                                 f"(start it with: nb-devenv start {args.instance_id} --wait)")
            print(json.dumps({"url": url}) if args.json else url)
    return 0


async def _wait_until_released(data_dir: Path, timeout: float) -> bool:
    """Whether the server let go of the data directory (its lock) within ``timeout`` seconds:
    the last thing a server does before its process ends."""
    from nb_devenv.server.data_dir import AlreadyRunning, DataDir

    layout = DataDir(data_dir)
    deadline = time.monotonic() + timeout
    while True:
        try:
            DataDir.release_lock(layout.acquire_lock())
            return True
        except AlreadyRunning:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)


def _print_server_status(info: dict[str, Any]) -> None:
    started = info["started_at"]
    try:
        started = datetime.fromisoformat(started).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    except ValueError:
        pass
    counts = ", ".join(f"{count} {status}" for status, count in sorted(info["instances"].items()))
    print("\n".join([
        "nb-devenv server is running",
        f"endpoint:    {info['endpoint']}",
        f"pid:         {info['pid']}",
        f"started at:  {started}",
        f"version:     {info['version']}",
        f"data dir:    {info['data_dir']}",
        f"instances:   {counts or 'none'} (all projects)",
    ]))


async def _server(args: argparse.Namespace) -> int:
    """``server status`` and ``server stop``: about the background server of a data directory,
    found through its ``server.json`` (never started by these commands) and asked with the data
    directory's own credentials (its admin routes accept no other)."""
    data_dir = Path(args.data_dir or default_data_dir()).expanduser()
    endpoint = await running_endpoint(data_dir)
    if endpoint is None:
        print(json.dumps({"running": False, "data_dir": str(data_dir)}) if args.json
              else f"no nb-devenv server is running for {data_dir}")
        return EXIT_NOT_RUNNING if args.server_command == "status" else 0
    credentials = read_credentials(data_dir)
    if not credentials:
        raise ConfigurationError(f"the server at {endpoint} has no {data_dir / CREDENTIALS_FILE}")
    auth = AkSkAuth(credentials["ak"], credentials["sk"], credentials["project_id"])
    async with AsyncDevEnvClient(endpoint=endpoint, auth=auth, data_dir=data_dir,
                                 timeout=SERVER_STOP_TIMEOUT) as client:
        if args.server_command == "status":
            info = await client.server_info()
            if args.json:
                print(json.dumps({"running": True, **info}, indent=2, sort_keys=True))
            else:
                _print_server_status(info)
            return 0
        answer = await client.shutdown_server()
    if not await _wait_until_released(data_dir, SERVER_STOP_TIMEOUT):
        print(f"nb-devenv server stop: the server (pid {answer['pid']}) stopped its instances but still "
              f"holds {data_dir} after {SERVER_STOP_TIMEOUT:g} s", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"running": False, "data_dir": str(data_dir), "endpoint": endpoint, **answer},
                         indent=2, sort_keys=True))
        return 0
    for instance in answer["stopped"]:
        theirs = "" if instance["project_id"] == credentials["project_id"] else f", project {instance['project']}"
        print(f"stopped instance {instance['name']} ({instance['id']}{theirs})")
    if not answer["stopped"]:
        print("no instance was running")
    print(f"stopped the nb-devenv server (pid {answer['pid']}, {endpoint}) of {data_dir}")
    return 0


def _projects(args: argparse.Namespace) -> int:
    from .server import add_project, write_private_json

    data_dir = Path(args.data_dir or default_data_dir())
    try:
        credentials = add_project(data_dir, args.name)
    except ValueError as error:  # duplicate or invalid project name
        print(f"nb-devenv projects create: error: {error}", file=sys.stderr)
        return 1
    output = Path(args.output or data_dir / f"credentials-{args.name}.json")
    write_private_json(output, credentials)
    print(f"project {args.name} ({credentials['project_id']}): credentials written to {output} (mode 600)")
    return 0


def _report(error: Exception) -> None:
    if isinstance(error, SpecValidationError):
        print(f"nb-devenv: {describe_violations(error.violations)}", file=sys.stderr)
    else:
        print(f"nb-devenv: {type(error).__name__}: {error}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from .server import run_from_args

        return run_from_args(args) or 0
    try:
        if args.command == "projects":
            return _projects(args)
        if args.command == "server":
            return asyncio.run(_server(args))
        if args.command == "create" and args.dry_run:
            return asyncio.run(_dry_run(args))
        return asyncio.run(_run(args))
    except (DevEnvError, BodyParseError) as error:
        _report(error)
        return 1
    except OSError as error:  # e.g. the -f file cannot be read
        print(f"nb-devenv: {error.strerror}: {error.filename}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
