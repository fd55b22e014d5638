"""The create flags, defined once for ``nb-devenv create`` and ``%devenv create``.

Both surfaces take the same flags, build the same body from them (laid over a YAML/JSON body
when one is given) and hand it to the spec layer's rules, so they cannot drift apart.
"""

from __future__ import annotations

import argparse
from typing import Any

from nb_devenv.contract import FLAVORS, PROFILES, AutoStopSetting, build_create_body, parse_duration

__all__ = ["CREATE_FIELDS", "duration_arg", "add_create_arguments", "parse_annotations", "body_from_options"]

#: the plain-valued create flags (as attribute names of the parsed arguments; ``None`` when not given)
CREATE_FIELDS = ("name", "profile_id", "flavor", "description", "storage", "path", "volume_size", "auto_stop",
                 "workspace")


def duration_arg(text: str) -> AutoStopSetting:
    """argparse type for ``--auto-stop``: seconds, ``2h``/``90m``/``1h30m``, or ``off``."""
    try:
        value = parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    assert value is not None  # only None parses to None
    return value


def add_create_arguments(parser: argparse.ArgumentParser) -> None:
    """The request-field flags (``--auto-stop``: seconds, ``"off"``, or ``None`` when not given)."""
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
