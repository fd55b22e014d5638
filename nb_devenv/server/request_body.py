"""Turning a request body into JSON without letting it hurt the server.

Python's JSON parser recurses once per nesting level (a body of 100,000 ``[`` raises
``RecursionError``), turns ``NaN``/``Infinity``/``1e400`` into floats that no field accepts,
and builds integers of any length. The API's bodies are small and at most four levels deep,
so anything far outside that is refused here with a 4xx before it is parsed.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import ErrorAnswer

__all__ = ["MAX_BODY_BYTES", "MAX_JSON_DEPTH", "MAX_NUMBER_DIGITS", "check_body_size", "parse_json_body"]

#: the largest body a route reads (APIGW.0201 beyond); a create body with every field at its
#: limit is about 120 kB. The HTTP server accepts a little more, so that the refusal is JSON.
MAX_BODY_BYTES = 1024 * 1024
#: the deepest nesting of objects and arrays accepted (the create body needs 4)
MAX_JSON_DEPTH = 32
#: digits of the longest number literal accepted (no field needs more than 10)
MAX_NUMBER_DIGITS = 20

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


def _too_deep(raw: bytes) -> bool:
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return False  # the common case, decided without a scan
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        depth += 1 if match.group() in (b"[", b"{") else -1
        if depth > MAX_JSON_DEPTH:
            return True
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number longer than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _parse_float(text: str) -> float | int:
    value = float(text)
    if not math.isfinite(value) or len(text) > 2 * MAX_NUMBER_DIGITS:
        raise ValueError(f"the number {text[:24]} is out of range")
    # JSON has one number type: 7200.0 and 72e2 are the integer 7200, stored and shown as such
    return int(value) if value.is_integer() else value


def check_body_size(raw: bytes) -> None:
    """Refuse a body over :data:`MAX_BODY_BYTES` (APIGW.0201, 413), before anything reads it."""
    if len(raw) > MAX_BODY_BYTES:
        raise ErrorAnswer("APIGW.0201", detail=f"the body has {len(raw)} bytes; at most {MAX_BODY_BYTES} are read")


def parse_json_body(raw: bytes) -> Any:
    """The JSON document in ``raw``; an empty body is ``None``.

    Raises :class:`ErrorAnswer` APIGW.0201 (413) for a body over :data:`MAX_BODY_BYTES`, and
    ModelArts.6400 (400) for anything that is not plain, reasonably shaped JSON.
    """
    check_body_size(raw)
    if not raw.strip():
        return None
    if _too_deep(raw):
        raise ErrorAnswer("ModelArts.6400", f"(JSON nested deeper than {MAX_JSON_DEPTH} levels)")
    try:
        return json.loads(raw, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        reason = str(error)[:200]
        raise ErrorAnswer("ModelArts.6400", f"(malformed JSON: {reason})") from None
