"""Each rule, default and name has one home: these tests fail if a second copy comes back.

They read the package's own code and objects (no server): what the CLI and the magics accept,
which defaults the client, the hub and the magics start from, where file names are spelled.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nb_devenv
from nb_devenv.core import paths

PACKAGE = Path(nb_devenv.__file__).parent


def _string_constants(path: Path) -> set[str]:
    """Every string literal of a module's code (docstrings left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}


def test_data_dir_file_names_are_spelled_only_in_core_paths():
    names = {paths.CREDENTIALS_FILE, paths.SERVER_FILE, paths.SERVER_LOG}
    spelled = {str(path.relative_to(PACKAGE)): sorted(names & _string_constants(path))
               for path in PACKAGE.rglob("*.py") if path != Path(paths.__file__)}
    assert {where: found for where, found in spelled.items() if found} == {}


def test_server_and_client_find_the_same_files():
    from nb_devenv.server.data_dir import DataDir

    layout = DataDir(Path("/data"))
    assert layout.credentials_file == Path("/data") / paths.CREDENTIALS_FILE
    assert layout.server_file == Path("/data") / paths.SERVER_FILE


# -- one duration formatter -------------------------------------------------------------------

def test_one_duration_formatter_in_three_styles():
    from nb_devenv.contract import format_duration

    assert [format_duration(s) for s in (None, 0, 59, 7199, 360000)] == [
        "--:--:--", "00:00:00", "00:00:59", "01:59:59", "100:00:00"]
    assert [format_duration(s, "short") for s in (0, 45, 5400, 7200, 3661)] == ["0s", "45s", "1h30m", "2h", "1h1m1s"]
    assert [format_duration(s, "age") for s in (None, 45, 720, 11100, 187200)] == ["?", "45s", "12m", "3h 05m", "2d 4h"]


def _functions_named(fragment: str) -> list[str]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and fragment in node.name:
                found.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    return sorted(found)


def test_durations_are_formatted_in_one_place():
    assert [f for f in _functions_named("duration") if "format" in f] == ["contract/durations.py:format_duration"]
    assert _functions_named("age_text") == []


# -- one violation formatter --------------------------------------------------------------------

def test_every_surface_shows_a_violation_the_same_way(capsys, no_default_server, closed_widgets):
    import html

    from nb_devenv import SpecValidationError
    from nb_devenv.cli import _report
    from nb_devenv.contract import validate_create
    from nb_devenv.notebook.magics import _violations_error
    from nb_devenv.notebook.widgets import CreateForm

    violations = validate_create({"name": "bad name", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
                                  "spec": {"storage": {"type": "EVS", "location": {"volume_size": 2}}}})
    lines = [str(v) for v in violations]
    assert len(lines) == 2 and lines[0].startswith("ModelArts.6334  name: may contain only")

    _report(SpecValidationError(violations))
    cli_lines = capsys.readouterr().err.splitlines()
    magic_lines = str(_violations_error(violations)).splitlines()
    assert cli_lines[1:] == magic_lines[1:] == [f"  {line}" for line in lines]
    assert str(SpecValidationError(violations)).endswith(": " + "; ".join(lines))

    # the form words the same violations for people: the field as labelled, the same rule, the same code
    form = CreateForm(name="bad name", volume_size=2)
    shown = html.unescape(form.field_message("name") + form.field_message("volume_size"))
    assert all(f"{v.rule} ({v.code})" in shown for v in violations)
    assert "Name may contain only" in shown and "EVS size must be between" in shown


# -- auto-stop in one shape, one update body --------------------------------------------------------

def test_auto_stop_takes_one_shape_in_create_and_update_bodies():
    from nb_devenv.contract import (
        AUTO_STOP_OFF,
        build_create_body,
        build_update_body,
        parse_duration,
    )

    assert parse_duration("2h") == 7200 and parse_duration("off") == AUTO_STOP_OFF == "off"
    for setting, spec in ((7200, {"enable": True, "duration": 7200}), ("off", {"enable": False})):
        assert build_create_body(auto_stop=setting)["spec"]["auto_stop"] == spec
        assert build_update_body(auto_stop=setting) == {"spec": {"auto_stop": spec}}
    assert build_update_body(description="d") == {"description": "d"}
    # "off" laid over a body that enables auto-stop turns it off (not a merge into it)
    base = {"name": "x", "spec": {"storage": {"type": "EVS"}, "auto_stop": {"enable": True, "duration": 3600}}}
    assert build_create_body(base=base, auto_stop="off")["spec"] == {"storage": {"type": "EVS"},
                                                                      "auto_stop": {"enable": False}}


def test_client_create_and_update_take_the_same_auto_stop_type():
    import typing

    from nb_devenv import AsyncDevEnvClient
    from nb_devenv.contract import AutoStopSetting, build_create_body

    def auto_stop_type(function):
        return typing.get_type_hints(function)["auto_stop"]

    update = auto_stop_type(AsyncDevEnvClient.update)
    assert set(typing.get_args(AutoStopSetting)) <= set(typing.get_args(update))
    assert auto_stop_type(build_create_body) == AutoStopSetting | None


# -- one options module for the CLI and the magics ---------------------------------------------------

def _subparsers(parser) -> dict:
    import argparse

    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def _flags(parser, leave_out: set[str] = frozenset()) -> set[tuple]:
    """What a (sub)command accepts: each argument's names, destination, type, choices, default,
    metavar and help (the surface's own extras left out)."""
    return {(tuple(a.option_strings), a.dest, getattr(a.type, "__name__", a.type), tuple(a.choices or ()),
             repr(a.default), a.metavar, a.help)
            for a in parser._actions if not set(a.option_strings) & ({"-h"} | leave_out)}


def test_the_cli_and_the_magics_take_the_same_flags_from_the_options_module():
    import argparse

    from nb_devenv.cli import build_parser
    from nb_devenv.client import _options
    from nb_devenv.notebook.magics import _PARSER

    cli, magic = _subparsers(build_parser()), _subparsers(_PARSER)
    cli_only = {"--endpoint", "--region", "--project-id", "--data-dir", "--json", "-f", "--wait"}
    magic_only = {"-o", "--form"}
    built_by = {"create": _options.add_create_arguments, "list": _options.add_list_arguments,
                "update": _options.add_update_arguments, "get": _options.add_instance_id,
                "delete": _options.add_instance_id, "start": _options.add_action_arguments,
                "stop": _options.add_action_arguments, "restart": _options.add_action_arguments,
                "extend": _options.add_extend_arguments, "images": lambda parser: None,
                "flavors": lambda parser: None}
    for command, add in built_by.items():
        reference = argparse.ArgumentParser()
        add(reference)
        _options.add_api_argument(reference)  # every command that talks to the API has --api
        expected = _flags(reference)
        assert _flags(magic[command], magic_only) == expected, command
        leave_out = cli_only - ({"--wait"} if command in ("start", "stop", "restart") else set())
        assert _flags(cli[command], leave_out) == expected, command
    assert _flags(cli["watch"], cli_only | {"--until"}) == _flags(magic["watch"], magic_only)


# -- one retry loop -------------------------------------------------------------------------------

def test_the_client_waits_before_a_retry_in_one_place():
    """Every retry waits ``retry.delay(...)``: one call of it means one retry loop."""
    calls = []
    for path in (PACKAGE / "client").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "delay":
                calls.append(f"{path.name}:{node.lineno}")
    assert len(calls) == 1, calls


# -- one place for every default ------------------------------------------------------------------

def test_client_hub_magics_and_cli_start_from_the_same_defaults():
    import inspect

    from nb_devenv import AsyncDevEnvClient
    from nb_devenv.client import _defaults
    from nb_devenv.notebook.magics import DevEnv
    from nb_devenv.notebook.settings import ClientSettings
    from nb_devenv.notebook.watch import InstanceHub

    client = AsyncDevEnvClient(endpoint="http://127.0.0.1:9")
    hub = InstanceHub(client)
    traits = DevEnv.class_traits()
    settings = ClientSettings()
    fast = {client.poll_fast, hub.fast, traits["poll_interval"].default_value, settings.poll_fast}
    slow = {client.poll_slow, hub.slow, traits["poll_interval_stable"].default_value, settings.poll_slow}
    wait = {inspect.signature(AsyncDevEnvClient.wait_until).parameters["timeout"].default,
            traits["wait_timeout"].default_value, settings.wait_timeout}
    timeout = {client._timeout, traits["timeout"].default_value, settings.timeout}
    api = {client.api, settings.resolved_api(), DevEnv().api}  # $NB_DEVENV_API is not set here
    assert api == {_defaults.DEFAULT_API}
    assert fast == {_defaults.POLL_FAST} and slow == {_defaults.POLL_SLOW}
    assert wait == {_defaults.WAIT_TIMEOUT} and timeout == {_defaults.REQUEST_TIMEOUT}
    assert hub.tick == _defaults.TICK and hub.tick_budget == _defaults.TICK_BUDGET


# -- one poller, one registry of hubs, settings as an object ------------------------------------------

def test_the_client_and_the_widgets_watch_through_one_poller_and_one_registry():
    from nb_devenv.client import _poller
    from nb_devenv.notebook import watch
    from nb_devenv.notebook.widgets import runtime

    assert watch.InstanceHub is _poller.InstanceHub and watch.Subscription is _poller.Subscription
    assert runtime.hub_for is watch.hub_for and runtime.poke is watch.poke
    assert _functions_named("_poll_loop") == ["client/_poller.py:_poll_loop"]
    assert _functions_named("hub_for") == ["notebook/watch.py:hub_for"]


def test_notebook_settings_are_an_object_not_a_module_global():
    from nb_devenv.notebook import magics, settings

    assert not hasattr(settings, "defaults") and not hasattr(settings, "reset_defaults")
    # the magics reach widgets through the objects they hand over; the one sys.modules lookup
    # left is unload's (closing widgets must not import ipywidgets)
    source = Path(magics.__file__).read_text(encoding="utf-8")
    assert source.count("sys.modules") == 1 and "def unload_ipython_extension" in source.split("sys.modules")[0]


def test_the_widgets_colours_live_in_one_palette():
    """Colours are spelled only in ``notebook/widgets/_html.py`` (theme variables with their
    fallbacks): a hex colour, an ``rgb(`` or a ``var(--jp-`` anywhere else in the package's
    code is a second palette."""
    import re

    from nb_devenv.notebook.widgets import _html

    colour = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|var\(--jp-")
    spelled = {str(path.relative_to(PACKAGE)): sorted(s for s in _string_constants(path) if colour.search(s))
               for path in PACKAGE.rglob("*.py") if path != Path(_html.__file__)}
    assert {where: found for where, found in spelled.items() if found} == {}
