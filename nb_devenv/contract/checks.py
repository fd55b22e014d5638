"""Small checks both API dialects build their rules from: types, required and unknown fields,
descriptions, names, and the counted query parameters (``offset``, ``limit``).

Each returns :class:`~nb_devenv.contract.violations.Violation` objects naming the field, the
rule and the ModelArts code, so the two dialects word the same mistake the same way.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from .violations import Violation

__all__ = [
    "DESCRIPTION_MAX",
    "DESCRIPTION_FORBIDDEN",
    "EVS_MIN_GB",
    "EVS_MAX_GB",
    "EVS_DEFAULT_GB",
    "LIST_INT_MAX",
    "type_ok",
    "wrong_type",
    "missing",
    "incorrect",
    "unknown_keys",
    "sub_object",
    "not_an_object",
    "check_description",
    "check_name",
    "query_count",
    "shorten",
]

#: both dialects: at most 512 characters, none of ``& < > " ' /`` (ModelArts.6334 names the first)
DESCRIPTION_MAX = 512
DESCRIPTION_FORBIDDEN = "&<>\"'/"
#: an EVS work volume: 5-4096 GB, 5 GB when not said (ModelArts.6331), in both dialects
EVS_MIN_GB, EVS_MAX_GB, EVS_DEFAULT_GB = 5, 4096, 5
#: ``offset`` and ``limit`` of the list calls: the documented range has no upper bound; a signed
#: 32-bit bound keeps a thousand-digit number from reaching the int parser or the database
LIST_INT_MAX = 2**31 - 1

_JSON_TYPES = {str: "String", int: "Integer", bool: "Boolean", dict: "Object", list: "Array"}


def type_ok(value: Any, kind: type) -> bool:
    """Whether ``value`` is of the JSON type ``kind`` (``str``, ``int``, ``bool``, ``dict``, ``list``).

    JSON booleans are Python ints; a boolean is never a valid Integer here. JSON has one number
    type, so 7200.0 is the integer 7200 (as JSON Schema's "integer" says), 7200.5 is not."""
    if kind is int:
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def wrong_type(path: str, kind: type) -> Violation:
    """ModelArts.6332: ``path`` is not of the JSON type ``kind``."""
    leaf = path.rsplit(".", 1)[-1]
    type_name = _JSON_TYPES[kind]
    return Violation("ModelArts.6332", path, f"must be of type {type_name}", (leaf, type_name))


def missing(path: str, rule: str = "is required", code: str = "ModelArts.6335") -> Violation:
    """A required field is absent (ModelArts.6335 unless a more precise code is given)."""
    leaf = path.rsplit(".", 1)[-1]
    args = (leaf,) if code == "ModelArts.6335" else ()
    return Violation(code, path, rule, args)


def incorrect(path: str, rule: str) -> Violation:
    """ModelArts.6336, "'x' property value is incorrect", with the rule that says why."""
    return Violation("ModelArts.6336", path, rule, (path.rsplit(".", 1)[-1],))


def unknown_keys(obj: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> list[Violation]:
    """ModelArts.6400 for each key of ``obj`` the request does not define."""
    found = []
    for key in obj:
        if key not in allowed:
            path = f"{prefix}{key}"
            found.append(Violation(
                "ModelArts.6400", path,
                f"is not a field of this request (allowed here: {', '.join(allowed)})",
                (f"(unknown field '{path}')",),
            ))
    return found


def sub_object(body: Mapping[str, Any], key: str, prefix: str, out: list[Violation]) -> Mapping[str, Any] | None:
    """The sub-object ``body[key]`` if present and an object; records a type violation if not
    (an explicit ``null`` counts as absent, as everywhere in the rules)."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        out.append(wrong_type(prefix + key, dict))
        return None
    return value


def not_an_object(body: Any) -> list[Violation]:
    """``[ModelArts.6400]`` if a request body is not a JSON object, else ``[]``."""
    if type_ok(body, dict):
        return []
    return [Violation("ModelArts.6400", "body", "must be a JSON object", ("(not a JSON object)",))]


def check_description(value: Any, path: str) -> list[Violation]:
    """A description: a string of at most :data:`DESCRIPTION_MAX` characters (6336), none of
    :data:`DESCRIPTION_FORBIDDEN` (6334)."""
    if not type_ok(value, str):
        return [wrong_type(path, str)]
    found = []
    if len(value) > DESCRIPTION_MAX:
        found.append(incorrect(path, f"must be at most {DESCRIPTION_MAX} characters (got {len(value)})"))
    bad = sorted({ch for ch in value if ch in DESCRIPTION_FORBIDDEN}, key=DESCRIPTION_FORBIDDEN.index)
    if bad:
        shown = " ".join(bad)
        found.append(Violation("ModelArts.6334", path,
                               f"must not contain any of & < > \" ' / (found {shown})", (bad[0],)))
    return found


def check_name(value: Any, path: str, *, max_length: int, allowed: re.Pattern[str], allowed_text: str
               ) -> list[Violation]:
    """A name of 1..``max_length`` characters (6336), each matching ``allowed`` (6334 names the
    first other one); ``allowed_text`` says in words which characters are allowed."""
    if not type_ok(value, str):
        return [wrong_type(path, str)]
    if not value:
        return [incorrect(path, f"must be 1-{max_length} characters")]
    found = []
    if len(value) > max_length:
        found.append(incorrect(path, f"must be at most {max_length} characters (got {len(value)})"))
    bad = sorted({ch for ch in value if not allowed.fullmatch(ch)})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        found.append(Violation("ModelArts.6334", path, f"may contain only {allowed_text} (found {shown})",
                               (bad[0],)))
    return found


def shorten(text: str, limit: int = 20) -> str:
    """``text`` cut to ``limit`` characters (with …): what a rule echoes of a value it refuses."""
    return text if len(text) <= limit else text[:limit] + "…"


def query_count(params: Mapping[str, str], key: str, *, default: int, minimum: int = 0,
                maximum: int = LIST_INT_MAX) -> tuple[int, Violation | None]:
    """A counted query parameter (``offset``, ``limit``) as it arrives on the wire: decimal
    digits (leading zeros allowed; absent or empty means ``default``) between ``minimum`` and
    ``maximum``. Returns the value (``default`` when refused) and the violation, if any."""
    raw = params.get(key)
    if raw is None or raw == "":
        return default, None
    if not re.fullmatch(r"[0-9]+", str(raw)):
        kind = "a non-negative integer" if minimum <= 0 else f"an integer of at least {minimum}"
        return default, Violation("ModelArts.6332", key, f"must be {kind}, got {shorten(raw)!r}", (key, "Integer"))
    if len(raw.lstrip("0")) > len(str(maximum)) or int(raw) > maximum:
        return default, incorrect(key, f"must be at most {maximum}")
    if int(raw) < minimum:
        return default, incorrect(key, f"must be at least {minimum}, got {int(raw)}")
    return int(raw), None
