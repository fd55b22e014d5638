"""``%devenv`` / ``%%devenv``: the IPython magics, configured with traitlets.

``%load_ext nb_devenv`` registers :class:`DevEnv`; ``%devenv?`` prints its manual. Settings are
traits of ``DevEnv`` (``%config DevEnv.endpoint = "…"``, or ``c.DevEnv.endpoint`` in
``ipython_config.py``). Credentials are never magic options: they come from the environment,
a token file, or the local server's credentials file (see :mod:`nb_devenv.client._connection`).
``DevEnv.api`` chooses the API the subcommands speak (the old DevEnviron API, or today's
Notebook API); every subcommand's ``--api`` overrides it for one call.

Errors: bad flags and broken request rules raise ``UsageError`` (one short message, and the
cell still fails under nbclient/papermill); API and transport failures raise the package's
:class:`~nb_devenv.client._exceptions.DevEnvError` subclasses, which render as one line with the error
code and request id. One-shot calls run on a private event loop in a worker thread with a fresh
client (:mod:`nb_devenv.notebook.kernel_runner`); live widgets run on the kernel's loop.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import TYPE_CHECKING, Any, Awaitable, Callable, NoReturn

from IPython.core import magic_arguments
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import CaselessStrEnum, Float, TraitError, Unicode, default, observe, validate
from traitlets.config import Configurable

from nb_devenv.client import _options as options
from nb_devenv.client._api import APIS, NOTEBOOKS, resolve_api
from nb_devenv.client._defaults import (
    DEFAULT_API,
    POLL_FAST,
    POLL_SLOW,
    REQUEST_TIMEOUT,
    WAIT_TIMEOUT,
)
from nb_devenv.client._exceptions import ConfigurationError, SpecValidationError
from nb_devenv.contract import (
    ACTION_SETTLES_IN,
    BodyParseError,
    Violation,
    describe_violations,
    parse_body_text,
    validate_create,
)

from .settings import ClientSettings

# The widgets (and with them ipywidgets, the client and httpx) are imported inside the
# subcommands that show something, on first use, so that %load_ext stays cheap
# (bench/load_ext.py).
if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from nb_devenv.client import ActionResult, AsyncDevEnvClient, Instance

    from .widgets import FlavorTable, ImageTable, InstanceStatusWidget, InstanceTable, KeyValueView, Message


__all__ = ["DevEnv", "load_ipython_extension", "unload_ipython_extension"]


_SECRET_OPTIONS = {"ak", "sk", "token", "password", "security-token", "secret", "access-key", "secret-key"}


class _HelpShown(Exception):
    """``-h`` printed a subcommand's help; the magic returns nothing."""


class _HelpFormatter(argparse.HelpFormatter):
    """Plain help text at most 79 characters wide (IPython's magic formatter adds reST ``::``)."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        kwargs["width"] = HELP_WIDTH
        super().__init__(prog, **kwargs)


#: the width of the manual and of every subcommand's help
HELP_WIDTH = 79


class _Parser(magic_arguments.MagicArgumentParser):
    """argparse for magics: errors raise ``UsageError`` (never ``SystemExit``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(**kwargs)

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            # name the unknown options only: their values may be secrets someone tried to pass
            words = message[len(prefix):].split()
            flags = [w.split("=", 1)[0] for w in words if w.startswith("-")] or ["(positional values)"]
            message = prefix + " ".join(flags)
            if any(f.lstrip("-").lower() in _SECRET_OPTIONS for f in flags):
                message += ("\ncredentials are never magic options (they would be saved with the notebook): "
                            "set HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK, or NB_DEVENV_TOKEN_FILE")
        raise UsageError(f"%{self.prog}: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            raise UsageError(message.strip())
        raise _HelpShown()


def _build_parser() -> _Parser:
    parser = _Parser(prog="devenv", add_help=False,
                     description="Create, watch and manage ModelArts development environment instances.")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=_Parser)
    sub.required = True
    _add_subcommands(sub)
    for command in sub.choices.values():  # every subcommand talks to one API or the other
        options.add_api_argument(command)
    return parser


def _add_subcommands(sub: Any) -> None:
    create = sub.add_parser("create", add_help=True, prog="devenv create",
                            help="create an instance (no flags: open the form)")
    options.add_create_arguments(create)
    create.add_argument("--form", action="store_true", help="open the form, preset with the other flags")
    create.add_argument("-o", "--output", metavar="VAR", help="also store the result in this variable")

    lister = sub.add_parser("list", add_help=True, prog="devenv list", help="list instances")
    options.add_list_arguments(lister)
    lister.add_argument("-o", "--output", metavar="VAR", help="also store the table in this variable")

    for name, text in (("get", "live status widget of an existing instance (re-attach)"),
                       ("watch", "same as get")):
        cmd = sub.add_parser(name, add_help=True, prog=f"devenv {name}", help=text)
        options.add_instance_id(cmd)
        cmd.add_argument("-o", "--output", metavar="VAR", help="also store the widget in this variable")

    for name, text in (("start", "start a stopped instance"), ("stop", "stop a running instance"),
                       ("restart", "restart a running instance")):
        options.add_action_arguments(sub.add_parser(name, add_help=True, prog=f"devenv {name}", help=text))

    options.add_instance_id(sub.add_parser("delete", add_help=True, prog="devenv delete",
                                           help="delete a stopped instance"))

    options.add_update_arguments(sub.add_parser("update", add_help=True, prog="devenv update",
                                        help="change the description or the auto-stop duration"))

    options.add_extend_arguments(sub.add_parser("extend", add_help=True, prog="devenv extend",
                                                help="Notebook API: let a running instance run longer"))

    for name, text in (("images", "Notebook API: the images the server offers"),
                       ("flavors", "Notebook API: the flavors the server offers (sold-out ones marked)")):
        cmd = sub.add_parser(name, add_help=True, prog=f"devenv {name}", help=text)
        cmd.add_argument("-o", "--output", metavar="VAR", help="also store the table in this variable")

    sub.add_parser("config", add_help=True, prog="devenv config",
                   help="show the effective endpoint, project and authentication (secrets masked)")


_PARSER = _build_parser()



def _validator(api: str) -> Callable[[Any], list[Violation]]:
    """The create rules of ``api`` (the Notebook dialect loads when first used)."""
    if api == NOTEBOOKS:
        from nb_devenv.contract import notebooks

        return notebooks.validate_create
    return validate_create


def _violations_error(violations: list[Violation]) -> UsageError:
    return UsageError(describe_violations(violations))


def _create_flag_error(error: ValueError) -> UsageError:
    return UsageError(f"%devenv create: {error}")


@magics_class
class DevEnv(Magics, Configurable):
    """The ``%devenv`` magics and their settings (``%config DevEnv``)."""

    endpoint = Unicode(None, allow_none=True, help=(
        "API endpoint, e.g. https://modelarts.cn-north-4.myhuaweicloud.com. Default: "
        "$NB_DEVENV_ENDPOINT, else `region`, else the embedded local server.")).tag(config=True)
    region = Unicode(None, allow_none=True, help="Region name such as cn-north-4 (gives the endpoint).").tag(config=True)
    project_id = Unicode(None, allow_none=True, help=(
        "Project id. Default: $HUAWEICLOUD_SDK_PROJECT_ID, or the local server's.")).tag(config=True)
    data_dir = Unicode(None, allow_none=True, help=(
        "Data directory of the local server (its credentials file is used when the endpoint is "
        "the local server's). Default: $NB_DEVENV_DATA_DIR or ~/.local/share/nb_devenv.")).tag(config=True)
    poll_interval = Float(POLL_FAST, help="Seconds between polls while an instance is in transition.").tag(config=True)
    poll_interval_stable = Float(POLL_SLOW, help="Seconds between polls while every watched instance is stable.").tag(
        config=True)
    timeout = Float(REQUEST_TIMEOUT, help="Seconds for each HTTP request.").tag(config=True)
    wait_timeout = Float(WAIT_TIMEOUT, help="Seconds `--wait` and nb_devenv.notebook.widgets.wait() wait at most.").tag(
        config=True)
    api = CaselessStrEnum(APIS, help=(
        "The API to speak: 'devenviron' (the old DevEnviron API, /demanager/instances) or 'notebooks' (today's "
        "Notebook API, /notebooks). A command's --api wins. Default: $NB_DEVENV_API, else devenviron.")).tag(
        config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        #: the settings handed to every widget made here; kept in step with the traits, so a
        #: ``%config DevEnv`` change reaches those widgets too
        self.settings = ClientSettings()
        # config=shell.config: `c.DevEnv.*` in ipython_config.py applies; configurables lets
        # `%config DevEnv` list and set the traits (the jupysql pattern)
        if shell is not None:
            kwargs.setdefault("config", shell.config)
        super().__init__(shell=shell, **kwargs)
        if shell is not None and self not in shell.configurables:
            shell.configurables.append(self)
        self._sync_settings()

    # -- settings -----------------------------------------------------------------------------------

    @default("api")
    def _api_default(self) -> str:
        try:
            return resolve_api()
        except ConfigurationError as error:  # a bad $NB_DEVENV_API must not stop %load_ext
            warnings.warn(f"{error}; using {DEFAULT_API}", stacklevel=2)
            return DEFAULT_API

    @validate("poll_interval", "poll_interval_stable", "timeout", "wait_timeout")
    def _positive(self, proposal: Any) -> float:
        if proposal["value"] <= 0:
            raise TraitError(f"DevEnv.{proposal['trait'].name} must be > 0, got {proposal['value']}")
        return float(proposal["value"])

    @observe("endpoint", "region", "project_id", "data_dir", "poll_interval", "poll_interval_stable",
             "timeout", "wait_timeout", "api")
    def _settings_changed(self, change: Any) -> None:
        self._sync_settings()
        if change["name"] in ("poll_interval", "poll_interval_stable"):  # the hubs watching now follow
            from .watch import set_poll_intervals  # the watcher loads with the first widget

            set_poll_intervals(self.settings.poll_fast, self.settings.poll_slow)

    def _sync_settings(self) -> None:
        """Copy the traits into :attr:`settings` (the slow poll is never faster than the fast one)."""
        settings = self.settings
        settings.endpoint, settings.region = self.endpoint or None, self.region or None
        settings.project_id, settings.data_dir = self.project_id or None, self.data_dir or None
        settings.timeout, settings.wait_timeout = self.timeout, self.wait_timeout
        settings.poll_fast = self.poll_interval
        settings.poll_slow = max(self.poll_interval, self.poll_interval_stable)
        settings.api = self.api

    def _api_of(self, args: argparse.Namespace) -> str:
        """The API a command speaks: its ``--api``, else ``%config DevEnv.api``."""
        return str(getattr(args, "api", None) or self.api)

    def _call(self, call: Callable[[AsyncDevEnvClient], Awaitable[Any]], api: str | None = None) -> Any:
        """One-shot API call on a private loop with a fresh client speaking ``api`` (default:
        the session's); rule violations found by the client become a ``UsageError``."""
        try:
            from .kernel_runner import run_with_client

            return run_with_client(self.settings.client_options(api), call)
        except SpecValidationError as error:
            raise _violations_error(error.violations) from None

    def _store(self, args: argparse.Namespace, value: Any) -> None:
        name = getattr(args, "output", None)
        if name:
            if not name.isidentifier():
                raise UsageError(f"-o {name!r} is not a valid variable name")
            if self.shell is None:
                raise UsageError("%devenv -o needs an IPython shell")
            self.shell.push({name: value})

    # -- the magic --------------------------------------------------------------------------------------

    @line_cell_magic
    def devenv(self, line: str = "", cell: str | None = None) -> Any:
        """Create, watch and manage ModelArts development environment instances (the manual:
        :data:`MANUAL`, shown by ``%devenv?``)."""
        try:
            args = _PARSER.parse_args(self._split(line))
        except _HelpShown:
            return None
        if cell is not None and args.command != "create":
            raise UsageError(f"%%devenv {args.command} takes no cell body (only %%devenv create does)")
        handler = getattr(self, f"_cmd_{args.command}")
        return handler(args, cell) if args.command == "create" else handler(args)

    @staticmethod
    def _split(line: str) -> list[str]:
        import shlex

        try:
            return shlex.split(line)
        except ValueError as error:
            raise UsageError(f"%devenv: cannot parse the line: {error}") from None

    # -- subcommands --------------------------------------------------------------------------------------

    def _create_body(self, args: argparse.Namespace, cell: str | None, api: str) -> dict[str, Any]:
        base = None
        if cell is not None and cell.strip():
            try:
                base = parse_body_text(cell, source="%%devenv body")
            except BodyParseError as error:
                raise UsageError(str(error)) from None
        try:
            return options.body_from_options(args, base, api)
        except ValueError as error:  # a malformed --annotation, a flag of the other API
            raise _create_flag_error(error) from None

    def _cmd_create(self, args: argparse.Namespace, cell: str | None) -> Any:
        api = self._api_of(args)
        try:
            options.refuse_other_api(args, api)  # for the form's presets too
        except ValueError as error:
            raise _create_flag_error(error) from None
        preset = options.create_fields_given(args, api)
        nothing_given = cell is None and not args.annotation and not preset
        if args.form or (nothing_given and not args.dry_run):
            return self._form(args, api, preset)
        body = self._create_body(args, cell, api)
        if args.dry_run:
            if api == NOTEBOOKS and args.image is not None:  # looked up (a read): the body shows the id it sends
                self._call(lambda client: options.resolve_image(client, args, body), api)
            print(json.dumps(body, indent=2))
            violations = _validator(api)(body)
            if violations:
                raise _violations_error(violations)
            self._store(args, body)
            return None

        async def create(client: AsyncDevEnvClient) -> Instance:
            await options.resolve_image(client, args, body)
            return await client.create(body)

        # the client checks the body before it connects: broken rules become a UsageError in _call
        instance = self._call(create, api)
        from .widgets import InstanceStatusWidget

        widget = InstanceStatusWidget(instance, settings=self.settings)
        self._store(args, widget)
        return widget

    def _form(self, args: argparse.Namespace, api: str, preset: dict[str, Any]) -> Any:
        if args.annotation:
            try:
                preset["annotations"] = options.parse_annotations(args.annotation)
            except ValueError as error:
                raise _create_flag_error(error) from None
        from .widgets import CreateForm

        form = CreateForm(settings=self.settings, api=api, **preset)
        self._store(args, form)
        return form

    def _cmd_list(self, args: argparse.Namespace) -> InstanceTable:
        from .widgets import InstanceTable

        page = self._call(lambda client: client.list(**options.list_filters(args)), self._api_of(args))
        table = InstanceTable(page.instances, page.total_count)
        self._store(args, table)
        return table

    def _cmd_get(self, args: argparse.Namespace) -> InstanceStatusWidget:
        from .widgets import InstanceStatusWidget

        instance = self._call(lambda client: client.get(args.instance_id), self._api_of(args))
        widget = InstanceStatusWidget(instance, settings=self.settings)
        self._store(args, widget)
        return widget

    _cmd_watch = _cmd_get

    def _action(self, args: argparse.Namespace, action: str) -> Message:
        instance_id = args.instance_id

        from .watch import poke, publish

        async def go(client: AsyncDevEnvClient) -> tuple[ActionResult, Instance | None]:
            result = await client.action(instance_id, action)
            final = None
            if args.wait:
                # the widgets poll on the watch thread while this cell blocks: have them look
                # fast now, and hand them each state this wait sees on the way
                poke(instance_id)
                final = await client.wait_until(instance_id, ACTION_SETTLES_IN[action], timeout=self.wait_timeout,
                                                on_snapshot=publish)
            return result, final

        result, final = self._call(go, self._api_of(args))
        poke(instance_id)  # widgets watching it follow at once
        text = f"{instance_id}: {result.transition()}"
        if final is not None:
            text += f" … {final.status}"
        from .widgets import Message

        return Message(text, instance_id=instance_id, previous_state=result.previous_state,
                       current_status=final.status if final is not None else result.current_status)

    def _cmd_start(self, args: argparse.Namespace) -> Message:
        return self._action(args, "start")

    def _cmd_stop(self, args: argparse.Namespace) -> Message:
        return self._action(args, "stop")

    def _cmd_restart(self, args: argparse.Namespace) -> Message:
        return self._action(args, "restart")

    def _cmd_delete(self, args: argparse.Namespace) -> Message:
        deleted = self._call(lambda client: client.delete(args.instance_id), self._api_of(args))
        from .watch import poke

        poke(deleted)
        from .widgets import Message

        return Message(f"deleted {deleted}", instance_id=deleted)

    def _cmd_update(self, args: argparse.Namespace) -> Message:
        try:
            changes = options.update_changes(args)
        except ValueError as error:
            raise UsageError(f"%devenv update: {error}") from None
        instance = self._call(lambda client: client.update(args.instance_id, **changes), self._api_of(args))
        from .watch import poke

        poke(instance.id)
        from .widgets import Message

        return Message(f"updated {instance.summary()}", instance_id=instance.id)

    def _cmd_extend(self, args: argparse.Namespace) -> Message:
        lease = self._call(lambda client: client.extend(args.instance_id, args.duration, from_now=args.from_now),
                           self._api_of(args))
        from .watch import poke

        poke(args.instance_id)  # its widgets show the new deadline at once
        from nb_devenv.contract import format_duration

        from .widgets import Message

        left = lease.remaining
        text = f"extended {args.instance_id}: it stops in {format_duration(left, 'short') if left is not None else '?'}"
        if lease.stops_at is not None:
            text += f", at {lease.stops_at.astimezone().strftime('%H:%M:%S')} (local time)"
        return Message(text, instance_id=args.instance_id, remaining=left)

    def _cmd_images(self, args: argparse.Namespace) -> ImageTable:
        from .widgets import ImageTable

        table = ImageTable(self._call(lambda client: client.images(), self._api_of(args)))
        self._store(args, table)
        return table

    def _cmd_flavors(self, args: argparse.Namespace) -> FlavorTable:
        from .widgets import FlavorTable

        table = FlavorTable(self._call(lambda client: client.flavors(), self._api_of(args)))
        self._store(args, table)
        return table

    def _cmd_config(self, args: argparse.Namespace) -> KeyValueView:
        api = self._api_of(args)
        connection = self._call(lambda client: client.connect(), api)
        described = connection.describe()  # masked: "AK ABCD…3F"
        items = [
            ("endpoint", described["endpoint"]),
            ("project_id", described["project_id"]),
            ("auth", described["auth"]),
            ("credentials from", described["source"]),
            ("local server", "yes" if described["local_server"] else "no"),
            ("api", api),
            ("DevEnv.api", self.api),
            ("DevEnv.region", self.region or "-"),
            ("DevEnv.data_dir", self.data_dir or "(default)"),
            ("DevEnv.poll_interval", f"{self.poll_interval:g} s"),
            ("DevEnv.poll_interval_stable", f"{self.poll_interval_stable:g} s"),
            ("DevEnv.timeout", f"{self.timeout:g} s"),
            ("DevEnv.wait_timeout", f"{self.wait_timeout:g} s"),
        ]
        from .widgets import KeyValueView

        return KeyValueView("nb_devenv configuration", items)


#: what ``%devenv?`` shows: plain text (no reST markup), no line longer than 79 characters, so a
#: pager never wraps an example; every example line parses (tests/test_magics.py checks them)
MANUAL = """\
Create, watch and manage ModelArts development environment instances.

Usage:
    %devenv SUBCOMMAND [options]
    %%devenv create [options]      (a request body in YAML or JSON in the cell)

Credentials never go on the magic line: they come from HUAWEICLOUD_SDK_AK and
HUAWEICLOUD_SDK_SK (or an IAM token in NB_DEVENV_TOKEN / NB_DEVENV_TOKEN_FILE),
or the local server's credentials file. Without an endpoint, the embedded local
server is used (and started if needed).

Every subcommand speaks the API of %config DevEnv.api (default devenviron, the
old DevEnviron API) unless given --api devenviron or --api notebooks (today's
Notebook API, with images, flavors and a renewable lease).

Subcommands, one example each:

  create    Create an instance and show its live status widget. The request
            is checked against the API's rules before it is sent; --dry-run
            prints the JSON body and sends nothing; no flags open the form.
    %devenv create --name demo --profile Python3 --flavor modelarts.vm.cpu.2u

  list      A table of instances (name, id, status, flavor, time left).
    %devenv list --status RUNNING

  get       The live status widget of an existing instance (re-attach after a
            kernel restart or in a reopened notebook).
    %devenv get 5c1b9e0a-5b3e-4c4e-9d4e-2f1a6b7c8d9e

  watch     The same as get.
    %devenv watch 5c1b9e0a-5b3e-4c4e-9d4e-2f1a6b7c8d9e

  start     Start a stopped instance (--wait: until it runs).
    %devenv start 5c1b9e0a-5b3e-4c4e-9d4e-2f1a6b7c8d9e --wait

  stop      Stop a running instance.
    %devenv stop 5c1b9e0a-5b3e-4c4e-9d4e-2f1a6b7c8d9e

  restart   Restart a running instance (DevEnviron API only).
    %devenv restart 5c1b9e0a-5b3e-4c4e-9d4e-2f1a6b7c8d9e

  delete    Delete a stopped instance, and its disk.
    %devenv delete 5c1b9e0a-5b3e-4c4e-9d4e-2f1a6b7c8d9e

  update    Change the description or the auto-stop duration (off: none).
    %devenv update 5c1b9e0a-5b3e-4c4e-9d4e-2f1a6b7c8d9e --auto-stop 4h

  extend    Notebook API: let a running instance run longer.
    %devenv extend 2f74581a-096e-4620-8e6f-63a0e036be90 2h --api notebooks

  images    Notebook API: the images the server offers.
    %devenv images --api notebooks

  flavors   Notebook API: the flavors the server offers (sold-out ones marked).
    %devenv flavors --api notebooks

  config    The effective endpoint, project and authentication (secrets
            masked).
    %devenv config

A request body in the cell (flags override it):

    %%devenv create --auto-stop 3h
    name: demo
    profile_id: Python3
    flavor: modelarts.vm.cpu.2u
    spec:
      storage: {type: EVS, location: {volume_size: 10}}

Settings: %config DevEnv lists them, e.g.
    %config DevEnv.endpoint = "https://modelarts.cn-north-4.myhuaweicloud.com"
DevEnv.region, DevEnv.project_id, DevEnv.data_dir, DevEnv.poll_interval
(seconds between polls in a transition), DevEnv.poll_interval_stable (when
stable), DevEnv.timeout (per HTTP request), DevEnv.wait_timeout, DevEnv.api.
The same in ipython_config.py: c.DevEnv.poll_interval = 0.5

In a tutorial, await nb_devenv.notebook.widgets.wait(w, until="RUNNING") waits
for a status and keeps the widget's final state in the executed notebook.
"""


def _options_help() -> str:
    """Every subcommand's options (without -h, and --api, which the manual explains once),
    appended to :data:`MANUAL` so ``%devenv?`` shows them too."""
    actions = [a for a in _PARSER._actions if isinstance(a, argparse._SubParsersAction)]
    parts = ["Options of each subcommand (%devenv SUBCOMMAND -h shows one):"]
    for parser in actions[0].choices.values():
        shown = [a for a in parser._actions if not set(a.option_strings) & {"-h", "--api"}]
        formatter = _HelpFormatter(prog=parser.prog)
        formatter.add_usage(None, shown, [], prefix="%")
        formatter.start_section("options")
        formatter.add_arguments(shown)
        formatter.end_section()
        parts.append(formatter.format_help().rstrip())
    return "\n\n".join(parts) + "\n"


DevEnv.devenv.__doc__ = MANUAL + "\n" + _options_help()

_LOADED: dict[int, DevEnv] = {}


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Register ``%devenv`` / ``%%devenv`` on ``ipython`` (``%load_ext nb_devenv``)."""
    if id(ipython) in _LOADED:
        return
    magics = DevEnv(ipython)
    ipython.register_magics(magics)
    _LOADED[id(ipython)] = magics


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    """Close every widget, cancel every watcher task, stop the hubs and drop the magics."""
    # widgets (and hubs, which only widgets ask for) exist only once their module was imported;
    # importing it here would load ipywidgets to close nothing
    runtime = sys.modules.get("nb_devenv.notebook.widgets.runtime")
    if runtime is not None:
        runtime.shutdown()
    magics = _LOADED.pop(id(ipython), None)
    manager = ipython.magics_manager
    for kind in ("line", "cell"):
        manager.magics[kind].pop("devenv", None)
    if magics is not None:
        manager.registry.pop(type(magics).__name__, None)
        configurables: list[Any] = ipython.configurables  # typed as shells, holds any Configurable
        if magics in configurables:
            configurables.remove(magics)
