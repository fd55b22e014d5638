"""Turning an error answer into the right exception.

ModelArts documents two error bodies (``error_msg`` and, in newer pages, ``error_message``);
both are accepted. The request id comes from the body or the ``X-Request-Id`` header.
"""

from __future__ import annotations

from typing import Any, Iterable

import httpx

from nb_devenv.core.redaction import redact

from ._exceptions import APIStatusError, status_error_for

__all__ = ["parse_error_body", "error_from_response"]


def parse_error_body(response: httpx.Response) -> tuple[str | None, str, str | None, Any]:
    """``(error_code, error_msg, request_id, parsed_body)`` of an error answer."""
    try:
        data = response.json()
    except ValueError:
        data = None
    code = message = request_id = None
    if isinstance(data, dict):
        # some gateways nest the error one level down: {"error": {"code": ..., "message": ...}}
        nested = data.get("error")
        inner = nested if isinstance(nested, dict) else data
        code = inner.get("error_code") or inner.get("code")
        message = inner.get("error_msg") or inner.get("error_message") or inner.get("message")
        request_id = data.get("request_id")
    if message is None:
        message = response.text[:300] or response.reason_phrase
    request_id = request_id or response.headers.get("X-Request-Id")
    return (str(code) if code is not None else None), str(message), request_id, data


def error_from_response(response: httpx.Response, secrets: Iterable[str] = ()) -> APIStatusError:
    """The exception for an error answer, with any of ``secrets`` masked in its message."""
    code, message, request_id, data = parse_error_body(response)
    message = redact(message, secrets)
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        data = {**data, "errors": [
            {**e, "error_msg": redact(str(e.get("error_msg", "")), secrets)} if isinstance(e, dict) else e
            for e in data["errors"]
        ]}
    cls = status_error_for(response.status_code, code)
    return cls(status_code=response.status_code, error_code=code, error_msg=message,
               request_id=request_id, body=data)
