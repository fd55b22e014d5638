"""Huawei Cloud API Gateway AK/SK request signing (``SDK-HMAC-SHA256``), both directions.

Pure functions with no I/O: the client signs with them, the local server verifies with them,
so both always agree. The algorithm is the one of ``huaweicloudsdkcore.signer.Signer``
(APIG signing guide): a canonical request of method, URI (each segment percent-encoded, always
ending in ``/``), sorted query, signed headers and body hash; a three-line string to sign; a
hex HMAC-SHA256 keyed with the raw SK. Tests check byte-identity with the official signer.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Mapping, Sequence
from urllib.parse import quote, unquote

__all__ = [
    "ALGORITHM",
    "DATE_FORMAT",
    "MAX_SKEW_SECONDS",
    "SignatureError",
    "ParsedAuthorization",
    "canonical_uri",
    "canonical_query",
    "canonical_request",
    "sdk_date",
    "sign",
    "parse_authorization",
    "verify",
]

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_BODY_HASH = hashlib.sha256(b"").hexdigest()
CONTENT_HASH_HEADER = "x-sdk-content-sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
#: API Gateway refuses a request whose X-Sdk-Date is further than this from its own clock
MAX_SKEW_SECONDS = 15 * 60


class SignatureError(Exception):
    """A signature could not be verified; ``reason`` says why in the gateway's words."""

    def __init__(self, reason: str, access_key: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.access_key = access_key


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """Each ``/``-separated segment percent-encoded once; always ends with ``/``."""
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """``name=value`` pairs sorted by (name, value), both percent-encoded, joined with ``&``.

    This is also the exact query string a signed request must be sent with.
    """
    # booleans render as true/false, as the SDK renders them
    text = [(str(k), str(v).lower() if isinstance(v, bool) else str(v)) for k, v in pairs]
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(text))


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    """The headers the official SDK signs: every header whose name has no ``_``, lower-cased."""
    return sorted(name.lower() for name in headers if "_" not in name)


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body: bytes,
) -> str:
    """The six-part canonical request; ``headers`` may use any case."""
    lowered = {name.lower(): str(value).strip() for name, value in headers.items()}
    canonical_headers = "".join(f"{name}:{lowered.get(name, '')}\n" for name in signed_headers)
    # as the SDK: an empty body always hashes as empty, even when marked UNSIGNED-PAYLOAD; a
    # content hash header stands for the body only when it is itself signed
    claimed = lowered.get(CONTENT_HASH_HEADER) if CONTENT_HASH_HEADER in signed_headers else None
    payload_hash = EMPTY_BODY_HASH if not body else (claimed or hashlib.sha256(body).hexdigest())
    return "\n".join([
        method.upper(),
        canonical_uri(path),
        canonical_query(query),
        canonical_headers,
        ";".join(signed_headers),
        payload_hash,
    ])


def _signature(secret_key: str, date: str, canonical: str) -> str:
    string_to_sign = f"{ALGORITHM}\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(secret_key.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def sdk_date(moment: datetime | None = None) -> str:
    """``X-Sdk-Date`` for ``moment`` (default: now), e.g. ``20191115T033655Z``."""
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime(DATE_FORMAT)


def sign(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
) -> str:
    """The ``Authorization`` header value for a request whose ``headers`` already hold
    ``Host`` and ``X-Sdk-Date`` (and whatever else is to be signed)."""
    date = next((v for k, v in headers.items() if k.lower() == "x-sdk-date"), None)
    if not date:
        raise ValueError("X-Sdk-Date must be set before signing")
    names = signed_header_names(headers)
    canonical = canonical_request(method, path, query, headers, names, body)
    return (f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(names)}, "
            f"Signature={_signature(secret_key, date, canonical)}")


@dataclass(frozen=True)
class ParsedAuthorization:
    access_key: str
    signed_headers: tuple[str, ...]
    signature: str


_AUTH = re.compile(
    rf"{ALGORITHM} Access=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<sh>[^,\s]+),\s*Signature=(?P<sig>[0-9a-fA-F]+)\s*"
)


def parse_authorization(value: str) -> ParsedAuthorization:
    match = _AUTH.fullmatch(value.strip())
    if not match:
        raise SignatureError("verify aksk signature fail, Authorization header format incorrect")
    return ParsedAuthorization(match["ak"], tuple(match["sh"].split(";")), match["sig"].lower())


def verify(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    secret_for: Callable[[str], str | None],
    now: datetime,
    max_skew_seconds: int = MAX_SKEW_SECONDS,
) -> str:
    """Check a signed request the way API Gateway does; return the access key it was signed with.

    ``secret_for(ak)`` returns that key's SK, or ``None`` if the key does not exist.
    Raises :class:`SignatureError` with the gateway's wording otherwise.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    parsed = parse_authorization(lowered.get("authorization", ""))
    if "x-sdk-date" not in parsed.signed_headers:
        raise SignatureError("verify aksk signature fail, x-sdk-date must be signed", parsed.access_key)
    date = lowered.get("x-sdk-date", "")
    try:
        signed_at = datetime.strptime(date, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise SignatureError(f"verify aksk signature fail, invalid X-Sdk-Date {date!r}", parsed.access_key)
    skew = abs((now - signed_at).total_seconds())
    if skew > max_skew_seconds:
        raise SignatureError(
            f"calc aksk signature fail:signature expired, signature time:{date},"
            f"server time:{now.astimezone(timezone.utc).strftime(DATE_FORMAT)}",
            parsed.access_key,
        )
    secret = secret_for(parsed.access_key)
    if secret is None:
        raise SignatureError(f"ak {parsed.access_key} not exist", parsed.access_key)
    canonical = canonical_request(method, path, query, lowered, parsed.signed_headers, body)
    expected = _signature(secret, date, canonical)
    if not hmac.compare_digest(expected, parsed.signature):
        shown = canonical.replace("\n", "|")
        raise SignatureError(f"verify aksk signature fail, canonicalRequest:{shown}", parsed.access_key)
    _check_payload_claim(lowered, parsed.signed_headers, body, parsed.access_key)
    return parsed.access_key


def _check_payload_claim(headers: Mapping[str, str], signed_headers: Sequence[str], body: bytes,
                         access_key: str) -> None:
    """A signed content hash must be the body's: otherwise one captured signature would carry
    any body. ``UNSIGNED-PAYLOAD`` (which the SDK sends for non-JSON content) is refused for a
    body, since every body this API takes is JSON."""
    if not body or CONTENT_HASH_HEADER not in signed_headers:
        return
    claimed = headers.get(CONTENT_HASH_HEADER, "").strip()
    if claimed == UNSIGNED_PAYLOAD:
        raise SignatureError("verify aksk signature fail, an UNSIGNED-PAYLOAD body is not accepted "
                             "(send the body as application/json)", access_key)
    if claimed.lower() != hashlib.sha256(body).hexdigest():
        raise SignatureError("verify aksk signature fail, X-Sdk-Content-Sha256 is not the body's hash",
                             access_key)
