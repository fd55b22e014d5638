"""JSON Schema pieces both API dialects build their schemas from (2020-12, as OpenAPI 3.1 uses).

Patterns are ECMA-262 (what JSON Schema specifies) and written so that Python's ``re`` reads
them the same way: no inline flags, case-insensitivity spelled out as ``[Oo][Bb][Ss]``.
"""

from __future__ import annotations

from typing import Any

from .checks import DESCRIPTION_FORBIDDEN, DESCRIPTION_MAX
from .error_codes import ERROR_CODES

__all__ = [
    "Schema",
    "NULL",
    "nullable",
    "whole",
    "escape",
    "any_case_pattern",
    "decimal_at_most_pattern",
    "decimal_range_pattern",
    "description_schema",
    "error_codes_with_status",
    "error_schema",
]

Schema = dict[str, Any]

NULL: Schema = {"type": "null"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or JSON ``null``: the rules treat an explicit ``null`` as an absent field."""
    return {"anyOf": [schema, NULL]}


def whole(body: str) -> str:
    """``body`` matching the whole string. ``$(?!\\n)`` is the end in both dialects: ECMA-262's
    ``$`` is the end, Python's also matches before a final newline, which the lookahead refuses."""
    return f"^(?:{body})$(?!\\n)"


def escape(text: str) -> str:
    """``text`` as a literal inside a regular expression (the same in ECMA-262 and Python)."""
    return "".join(f"\\{ch}" if ch in r"\^$.|?*+()[]{}/-" else ch for ch in text)


def any_case_pattern(words: tuple[str, ...] | list[str], *, optional: bool = False) -> str:
    """A pattern matching exactly one of ``words`` in any ASCII case (``OBS``, ``obs``, ``oBs``),
    spelled out per letter because JSON Schema patterns have no case-insensitive flag."""

    def letters(word: str) -> str:
        return "".join(f"[{ch.upper()}{ch.lower()}]" if ch.isalpha() else escape(ch) for ch in word)

    body = "|".join(letters(word) for word in words)
    return whole(f"(?:{body}){'?' if optional else ''}")


def decimal_at_most_pattern(limit: int, *, positive: bool = False) -> str:
    """A pattern for the decimal integers 0..``limit`` (1..``limit`` with ``positive``) with any
    leading zeros, or the empty string: how the list calls read ``offset``/``limit`` (digits
    only, ``""`` meaning the default)."""
    digits = str(limit)
    options = []
    if len(digits) > 1:
        options.append(f"[1-9][0-9]{{0,{len(digits) - 2}}}" if len(digits) > 2 else "[1-9]")
    # numbers with as many digits as the limit: a shared prefix, one smaller digit, then anything
    for i, digit in enumerate(digits):
        d = int(digit)
        low = 1 if i == 0 else 0
        rest = len(digits) - i - 1
        if d > low:
            smaller = f"[{low}-{d - 1}]" if d - 1 > low else str(low)
            options.append(f"{digits[:i]}{smaller}" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(digits)
    if positive:
        # no option matches zero: zeros alone are refused, the empty string is not
        return whole(f"(?:0*(?:{'|'.join(options)}))?")
    return whole(f"0*(?:{'|'.join(options)})?")


def _same_length_range(low: str, high: str) -> str:
    """A pattern for the decimal numbers ``low``..``high``, both of the same number of digits."""
    if low == high:
        return low
    if low[0] == high[0]:
        return low[0] + _same_length_range(low[1:], high[1:])
    rest = len(low) - 1
    tail = f"[0-9]{{{rest}}}" if rest else ""
    parts = []
    first_full, last_full = int(low[0]), int(high[0])
    if low[1:] != "0" * rest:
        parts.append(low[0] + _same_length_range(low[1:], "9" * rest))
        first_full += 1
    if high[1:] != "9" * rest:
        parts.append(high[0] + _same_length_range("0" * rest, high[1:]))
        last_full -= 1
    if first_full <= last_full:
        digit = str(first_full) if first_full == last_full else f"[{first_full}-{last_full}]"
        parts.append(digit + tail)
    return f"(?:{'|'.join(parts)})"


def decimal_range_pattern(low: int, high: int, *, also: tuple[int, ...] = ()) -> str:
    """A pattern for the decimal integers ``low``..``high`` (positive bounds; any leading zeros),
    plus the values of ``also`` (e.g. ``-1``), or the empty string (the parameter's default)."""
    options = []
    for length in range(len(str(low)), len(str(high)) + 1):
        start, end = max(low, 10 ** (length - 1)), min(high, 10 ** length - 1)
        if start <= end:
            options.append(_same_length_range(str(start), str(end)))
    extra = "".join(f"|{'-' if value < 0 else ''}0*{abs(value)}" for value in also)
    return whole(f"(?:0*(?:{'|'.join(options)}){extra})?")


def description_schema() -> Schema:
    """A description (both dialects): :data:`~nb_devenv.contract.checks.DESCRIPTION_MAX`
    characters, none of :data:`~nb_devenv.contract.checks.DESCRIPTION_FORBIDDEN`."""
    forbidden = "".join(escape(ch) for ch in DESCRIPTION_FORBIDDEN)
    shown = " ".join(DESCRIPTION_FORBIDDEN)
    return {
        "type": "string",
        "maxLength": DESCRIPTION_MAX,
        "pattern": whole(f"[^{forbidden}]*"),
        "description": f"At most {DESCRIPTION_MAX} characters, none of {shown} "
                       "(ModelArts.6334 for a forbidden character, 6336 when too long).",
    }


def error_codes_with_status(status: int) -> list[str]:
    """The documented error codes that come with HTTP ``status``."""
    return [code for code, error in ERROR_CODES.items() if error.http_status == status]


def error_schema(status: int | None = None) -> Schema:
    """The error body; with ``status``, ``error_code`` is one of the codes of that status."""
    code: Schema = {"type": "string", "enum": error_codes_with_status(status) if status else list(ERROR_CODES)}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["error_code", "error_msg", "request_id"],
        "properties": {
            "error_code": code,
            "error_msg": {"type": "string"},
            "request_id": {"type": "string", "description": "Also in the X-Request-Id header."},
            "errors": {
                "type": "array",
                "minItems": 1,
                "description": "Every rule the request body broke; the first gives error_code and error_msg.",
                "items": {"type": "object", "additionalProperties": False,
                          "required": ["error_code", "error_msg", "field"],
                          "properties": {"error_code": {"type": "string", "enum": list(ERROR_CODES)},
                                         "error_msg": {"type": "string"},
                                         "field": {"type": "string"}}},
            },
        },
    }
