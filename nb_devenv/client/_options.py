"""The create flags, defined once for ``nb-devenv create`` and ``%devenv create``.

Both surfaces take the same flags, build the same body from them (laid over a YAML/JSON body
when one is given) and hand it to the spec layer's rules, so they cannot drift apart.
"""

from __future__ import annotations

import argparse
from typing import Any

from nb_devenv.contract import (
    FLAVORS,
    PROFILES,
    build_create_body,
    merge_bodies,
    parse_duration,
)

__all__ = ["CREATE_FIELDS", "duration_arg", "add_create_arguments", "parse_annotations", "body_from_options"]

#: the plain-valued create flags (as attribute names of the parsed arguments)
CREATE_FIELDS = ("name", "profile_id", "flavor", "description", "storage", "path", "volume_size", "workspace")


def duration_arg(text: str) -> int | None:
    """argparse type for ``--auto-stop``: seconds, ``2h``/``90m``/``1h30m``, or ``off`` (None)."""
    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_create_arguments(parser: argparse.ArgumentParser) -> None:
    """The request-field flags. ``--auto-stop`` is absent from the result unless given, so that
    ``off`` (None) can be told apart from "not said"."""
    parser.add_argument("--name", help="instance name (unique in the project)")
    parser.add_argument("--profile", dest="profile_id", help=f"one of: {', '.join(PROFILES)}")
    parser.add_argument("--flavor", help=f"one of: {', '.join(FLAVORS)}")
    parser.add_argument("--description", help="instance description")
    parser.add_argument("--storage", type=str.upper, choices=["OBS", "EVS"], help="storage type (default EVS)")
    parser.add_argument("--path", help="OBS directory, e.g. my-bucket/work/ (OBS only)")
    parser.add_argument("--volume-size", type=int, help="EVS size in GB, 5-4096 (default 5)")
    parser.add_argument("--auto-stop", type=duration_arg, metavar="DURATION", default=argparse.SUPPRESS,
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


def body_from_options(args: argparse.Namespace, base: dict[str, Any] | None = None) -> dict:
    """The create body: ``base`` (a parsed YAML/JSON body, if any) with the flags laid over it.

    Without a base body, storage defaults to EVS. An explicit ``--auto-stop off`` turns off an
    auto-stop the base body enabled.
    """
    base = base or {}
    flags = build_create_body(
        name=args.name, profile_id=args.profile_id, flavor=args.flavor, description=args.description,
        storage=args.storage, path=args.path, volume_size=args.volume_size,
        auto_stop=getattr(args, "auto_stop", None),
        annotations=parse_annotations(args.annotation) or None, workspace=args.workspace,
        default_storage=None if base else "EVS",
    )
    body = merge_bodies(base, flags)
    if hasattr(args, "auto_stop") and args.auto_stop is None:
        spec = body.get("spec")
        if isinstance(spec, dict) and "auto_stop" in spec:
            spec["auto_stop"] = {"enable": False}
    return body
