"""The flags of ``nb-devenv`` and ``%devenv``, defined once: ``--api``, create, list, update,
extend and the commands that act on one instance.

Both surfaces (argparse for the CLI, IPython's argparse-based ``magic_arguments`` for the
magics) add each subcommand's request flags with these functions and read them back with
them, so a flag, its help and what it means for the request cannot drift apart. What only one
surface has stays there: the CLI's connection flags, ``-f`` and ``--json``; the magics' ``-o``
and ``--form``.

The create flags of both APIs are on one parser; :func:`body_from_options` refuses a flag of the
other API with a line that says what to use instead (``--profile`` with ``--api notebooks``:
``--image``, which takes the profile id too).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from nb_devenv.contract import (
    FLAVORS,
    LIST_SORT_FIELDS,
    PROFILES,
    AutoStopSetting,
    build_create_body,
    parse_duration,
)
from nb_devenv.contract.checks import EVS_DEFAULT_GB, EVS_MAX_GB, EVS_MIN_GB

from ._api import APIS, DEVENVIRON, NOTEBOOKS, all_statuses

if TYPE_CHECKING:
    from ._client import AsyncDevEnvClient

__all__ = [
    "CREATE_FIELDS", "NOTEBOOK_CREATE_FIELDS", "INSTANCE_ID_HELP", "API_HELP", "duration_arg", "extend_arg",
    "status_arg", "add_api_argument", "add_instance_id", "add_create_arguments", "add_list_arguments",
    "add_action_arguments", "add_update_arguments", "add_extend_arguments", "parse_annotations",
    "refuse_other_api", "body_from_options", "resolve_image", "list_filters", "update_changes", "create_fields_given",
]

#: the plain-valued create flags of the DevEnviron API (as attribute names of the parsed
#: arguments; ``None`` when not given)
CREATE_FIELDS = ("name", "profile_id", "flavor", "description", "storage", "path", "volume_size", "auto_stop",
                 "workspace")
#: the same for the Notebook API (``image``: an id, or a name resolved by :func:`create_body`)
NOTEBOOK_CREATE_FIELDS = ("name", "image", "flavor", "description", "capacity", "lease", "workspace")
INSTANCE_ID_HELP = "the instance's id (DE-... or a UUID; the list command shows them)"
API_HELP = ("the API to speak: devenviron (the old DevEnviron API, /demanager/instances) or notebooks (today's "
            "Notebook API, /notebooks); default: the session's (%%config DevEnv.api, $NB_DEVENV_API), else devenviron")

# a flag of the other API -> what to use instead (the message of body_from_options)
_OLD_ONLY = {"profile_id": ("--profile", "use --image (it takes the profile id too)"),
             "storage": ("--storage", "its volume is EVS: --capacity sets its size"),
             "path": ("--path", "its volume is EVS: --capacity sets its size"),
             "volume_size": ("--volume-size", "use --capacity"),
             "auto_stop": ("--auto-stop", "use --lease"),
             "annotation": ("--annotation", "it has no annotations")}
_NOTEBOOKS_ONLY = {"image": ("--image", "use --profile"), "lease": ("--lease", "use --auto-stop"),
                   "capacity": ("--capacity", "use --volume-size")}


def duration_arg(text: str) -> AutoStopSetting:
    """argparse type for ``--auto-stop``: seconds, ``2h``/``90m``/``1h30m``, or ``off``."""
    try:
        value = parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    assert value is not None  # only None parses to None
    return value


def extend_arg(text: str) -> int:
    """argparse type for ``extend``'s duration: seconds or ``2h``/``90m``/``1h30m`` (not ``off``)."""
    value = duration_arg(text)
    if not isinstance(value, int) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: extend by a duration such as 1h, 90m or 3600")
    return value


def status_arg(text: str) -> str:
    """argparse type for ``--status``: a status of either API (the client's pre-flight check
    then tells whether the chosen API has it)."""
    known = all_statuses()
    if text not in known:
        raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose from {', '.join(known)})")
    return text


def add_api_argument(parser: argparse.ArgumentParser) -> None:
    """``--api devenviron|notebooks`` (``None`` when not given: the session's choice); each
    surface adds it to every command that talks to the API."""
    parser.add_argument("--api", type=str.lower, choices=APIS, help=API_HELP)


def add_instance_id(parser: argparse.ArgumentParser) -> None:
    """The instance a command acts on (get, watch, delete, open, and the actions)."""
    parser.add_argument("instance_id", metavar="ID", help=INSTANCE_ID_HELP)


def add_create_arguments(parser: argparse.ArgumentParser) -> None:
    """The request-field flags of a create in either API (``--auto-stop``/``--lease``:
    seconds, ``"off"``, or ``None`` when not given), and ``--dry-run``."""
    parser.add_argument("--name", help="instance name (unique in the project in the DevEnviron API)")
    parser.add_argument("--profile", dest="profile_id", help=f"DevEnviron API: one of: {', '.join(PROFILES)}")
    parser.add_argument("--image", help="Notebook API: the image's id, name, name:tag, or the old profile id "
                                        "(the images command lists them)")
    parser.add_argument("--flavor", help=f"one of: {', '.join(FLAVORS)}")
    parser.add_argument("--description", help="instance description")
    parser.add_argument("--storage", type=str.upper, choices=["OBS", "EVS"],
                        help="DevEnviron API: storage type (default EVS)")
    parser.add_argument("--path", help="DevEnviron API: OBS directory, e.g. my-bucket/work/ (OBS only)")
    parser.add_argument("--volume-size", type=int,
                        help=f"DevEnviron API: EVS size in GB, {EVS_MIN_GB}-{EVS_MAX_GB} (default {EVS_DEFAULT_GB})")
    parser.add_argument("--capacity", type=int, metavar="GB",
                        help=f"Notebook API: EVS size in GB, {EVS_MIN_GB}-{EVS_MAX_GB} (default {EVS_DEFAULT_GB})")
    parser.add_argument("--auto-stop", type=duration_arg, metavar="DURATION",
                        help="DevEnviron API: stop after this running time: 7200, 2h, 90m, 1h30m, or off")
    parser.add_argument("--lease", type=duration_arg, metavar="DURATION",
                        help="Notebook API: stop after this running time (the lease): 7200, 2h, 90m, or off "
                             "(default: the API's, 1h)")
    parser.add_argument("--workspace", help="workspace id (default 0)")
    parser.add_argument("--annotation", action="append", default=[], metavar="KEY=VALUE",
                        help="DevEnviron API: an annotation (repeatable)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the JSON body that would be sent; send nothing (an --image name is looked up)")


def add_list_arguments(parser: argparse.ArgumentParser) -> None:
    """The list query's flags (read back with :func:`list_filters`)."""
    parser.add_argument("--status", type=status_arg, metavar="STATUS",
                        help="only instances in this status (RUNNING, STOPPED, ...: the chosen API's statuses)")
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
                        help="DevEnviron API: new running time (2h, 7200, ...) or off; applies from the next start "
                             "(the Notebook API's running instances: extend)")


def add_extend_arguments(parser: argparse.ArgumentParser) -> None:
    """``extend ID DURATION [--from-now]`` (Notebook API)."""
    add_instance_id(parser)
    parser.add_argument("duration", type=extend_arg, metavar="DURATION",
                        help="how much longer it runs before it stops: 1h, 90m, 3600, ...")
    parser.add_argument("--from-now", action="store_true",
                        help="stop DURATION from now instead (the API's renew as it is), not DURATION later")


def parse_annotations(items: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings as a dict; ``ValueError`` names the first malformed one."""
    found = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--annotation {item!r} must be KEY=VALUE")
        found[key] = value
    return found


def create_fields_given(args: argparse.Namespace, api: str) -> dict[str, Any]:
    """The plain-valued create flags of ``api`` that were given, by attribute name (the form's
    presets)."""
    fields = NOTEBOOK_CREATE_FIELDS if api == NOTEBOOKS else CREATE_FIELDS
    return {f: getattr(args, f) for f in fields if getattr(args, f) is not None}


def refuse_other_api(args: argparse.Namespace, api: str) -> None:
    """``ValueError`` naming the first create flag given that ``api`` does not take, and what to
    use instead (``--profile`` with the Notebook API: ``--image``)."""
    foreign = _OLD_ONLY if api == NOTEBOOKS else _NOTEBOOKS_ONLY
    for attribute, (flag, instead) in foreign.items():
        if getattr(args, attribute) not in (None, []):
            name = "the Notebook API (--api notebooks)" if api == NOTEBOOKS else "the DevEnviron API (--api devenviron)"
            raise ValueError(f"{flag} is not a flag of {name}: {instead}")


def body_from_options(args: argparse.Namespace, base: dict[str, Any] | None = None,
                      api: str = DEVENVIRON) -> dict[str, Any]:
    """The create body of ``api``: ``base`` (a parsed YAML/JSON body, if any) with the flags
    laid over it (see :func:`nb_devenv.contract.build_create_body`,
    :func:`nb_devenv.contract.notebooks.build_create_body`); ``ValueError`` for a malformed
    ``--annotation`` or a flag of the other API. ``--image`` goes in as given (see
    :func:`resolve_image`)."""
    refuse_other_api(args, api)
    if api == NOTEBOOKS:
        from nb_devenv.contract import notebooks  # the Notebook dialect loads when first used

        return notebooks.build_create_body(
            base=base, name=args.name, image_id=args.image, flavor=args.flavor, description=args.description,
            capacity=args.capacity, lease=args.lease, workspace_id=args.workspace)
    return build_create_body(
        base=base, name=args.name, profile_id=args.profile_id, flavor=args.flavor,
        description=args.description, storage=args.storage, path=args.path, volume_size=args.volume_size,
        auto_stop=args.auto_stop, annotations=parse_annotations(args.annotation) or None,
        workspace=args.workspace,
    )


async def resolve_image(client: AsyncDevEnvClient, args: argparse.Namespace, body: dict[str, Any]) -> None:
    """Put the id of the image ``--image`` names (an id, a name, ``name:tag`` or the old profile
    id: ``client.find_image``) into the Notebook API ``body`` made by :func:`body_from_options`."""
    if client.api == NOTEBOOKS and args.image is not None:
        body["image_id"] = (await client.find_image(args.image)).id


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
