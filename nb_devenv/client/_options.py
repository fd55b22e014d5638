"""The flags of ``nb-devenv`` and ``%devenv``, defined once: create, list, update and the
commands that act on one instance.

Both surfaces (argparse for the CLI, IPython's argparse-based ``magic_arguments`` for the
magics) add each subcommand's request flags with these functions and read them back with
them, so a flag, its help and what it means for the request cannot drift apart. What only one
surface has stays there: the CLI's connection flags, ``-f`` and ``--json``; the magics' ``-o``
and ``--form``.
"""

from __future__ import annotations

import argparse
from typing import Any

from nb_devenv.contract import (
    FLAVORS,
    LIST_SORT_FIELDS,
    PROFILES,
    STATUSES,
    AutoStopSetting,
    build_create_body,
    parse_duration,
)

__all__ = [
    "CREATE_FIELDS", "INSTANCE_ID_HELP", "duration_arg", "add_instance_id", "add_create_arguments",
    "add_list_arguments", "add_action_arguments", "add_update_arguments", "parse_annotations",
    "body_from_options", "list_filters", "update_changes",
]

#: the plain-valued create flags (as attribute names of the parsed arguments; ``None`` when not given)
CREATE_FIELDS = ("name", "profile_id", "flavor", "description", "storage", "path", "volume_size", "auto_stop",
                 "workspace")
INSTANCE_ID_HELP = "the instance's id (DE-...; the list command shows them)"


def duration_arg(text: str) -> AutoStopSetting:
    """argparse type for ``--auto-stop``: seconds, ``2h``/``90m``/``1h30m``, or ``off``."""
    try:
        value = parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    assert value is not None  # only None parses to None
    return value


def add_instance_id(parser: argparse.ArgumentParser) -> None:
    """The instance a command acts on (get, watch, delete, open, and the actions)."""
    parser.add_argument("instance_id", metavar="ID", help=INSTANCE_ID_HELP)


def add_create_arguments(parser: argparse.ArgumentParser) -> None:
    """The request-field flags of a create (``--auto-stop``: seconds, ``"off"``, or ``None``
    when not given), and ``--dry-run``."""
    parser.add_argument("--name", help="instance name (unique in the project)")
    parser.add_argument("--profile", dest="profile_id", help=f"one of: {', '.join(PROFILES)}")
    parser.add_argument("--flavor", help=f"one of: {', '.join(FLAVORS)}")
    parser.add_argument("--description", help="instance description")
    parser.add_argument("--storage", type=str.upper, choices=["OBS", "EVS"], help="storage type (default EVS)")
    parser.add_argument("--path", help="OBS directory, e.g. my-bucket/work/ (OBS only)")
    parser.add_argument("--volume-size", type=int, help="EVS size in GB, 5-4096 (default 5)")
    parser.add_argument("--auto-stop", type=duration_arg, metavar="DURATION",
                        help="stop after this running time: 7200, 2h, 90m, 1h30m, or off")
    parser.add_argument("--workspace", help="workspace id (default 0)")
    parser.add_argument("--annotation", action="append", default=[], metavar="KEY=VALUE",
                        help="an annotation (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="print the JSON body that would be sent; send nothing")


def add_list_arguments(parser: argparse.ArgumentParser) -> None:
    """The list query's flags (read back with :func:`list_filters`)."""
    parser.add_argument("--status", choices=STATUSES, metavar="STATUS",
                        help=f"only instances in this status ({', '.join(STATUSES)})")
    parser.add_argument("--sortby", choices=LIST_SORT_FIELDS,
                        help="sort by name or creation time (default: creation time)")
    parser.add_argument("--order", choices=["asc", "desc"], help="sort order (default: asc)")
    parser.add_argument("--offset", type=int, help="skip this many instances (default: 0)")
    parser.add_argument("--limit", type=int, help="at most this many instances (default: all)")


def add_action_arguments(parser: argparse.ArgumentParser) -> None:
    """start, stop, restart: the instance, and ``--wait``."""
    add_instance_id(parser)
    parser.add_argument("--wait", action="store_true", help="wait until the action has finished")


def add_update_arguments(parser: argparse.ArgumentParser) -> None:
    """The instance and what to change (read back with :func:`update_changes`)."""
    add_instance_id(parser)
    parser.add_argument("--description", help="new description")
    parser.add_argument("--auto-stop", type=duration_arg, metavar="DURATION",
                        help="new running time (2h, 7200, ...) or off; applies from the next start")


def parse_annotations(items: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings as a dict; ``ValueError`` names the first malformed one."""
    found = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--annotation {item!r} must be KEY=VALUE")
        found[key] = value
    return found


def body_from_options(args: argparse.Namespace, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The create body: ``base`` (a parsed YAML/JSON body, if any) with the flags laid over it
    (see :func:`~nb_devenv.contract.build_create_body`); ``ValueError`` for a malformed
    ``--annotation``."""
    return build_create_body(
        base=base, name=args.name, profile_id=args.profile_id, flavor=args.flavor,
        description=args.description, storage=args.storage, path=args.path, volume_size=args.volume_size,
        auto_stop=args.auto_stop, annotations=parse_annotations(args.annotation) or None,
        workspace=args.workspace,
    )


def list_filters(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of :meth:`~nb_devenv.client._client.AsyncDevEnvClient.list`."""
    return {"status": args.status, "sortby": args.sortby, "order": args.order, "offset": args.offset,
            "limit": args.limit}


def update_changes(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of :meth:`~nb_devenv.client._client.AsyncDevEnvClient.update`, which
    builds the body; ``ValueError`` when neither flag was given."""
    if args.description is None and args.auto_stop is None:
        raise ValueError("give --description and/or --auto-stop")
    return {"description": args.description, "auto_stop": args.auto_stop}
