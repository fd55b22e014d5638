"""Our AK/SK signer against the official one (``huaweicloudsdkcore``), byte for byte, and verify().

Each request row is signed twice, by ``nb_devenv.core.signing.sign`` and by the SDK's ``Signer``,
with the same headers (including a fixed ``X-Sdk-Date``); the two ``Authorization`` values must
be equal, and ``canonical_query`` must equal the query string the SDK puts on the wire.
``huaweicloudsdkcore`` is a declared test dependency (pyproject ``[test]`` extra).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from nb_devenv.core import signing
from nb_devenv.core.signing import SignatureError

AK = "HPUAEXAMPLEAK0000001"
SK = "secretKey/with+chars=0123456789abcdefghij"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
HOST = "modelarts.cn-north-4.myhuaweicloud.com"
DATE = "20240115T093000Z"
SIGNED_AT = datetime(2024, 1, 15, 9, 30, 0, tzinfo=timezone.utc)
INSTANCES = f"/v1/{PROJECT_ID}/demanager/instances"
INSTANCE = f"{INSTANCES}/DE-7d558ef8-c73d-11ea-964c-0255ac100033"
SEED_BODY = json.dumps({
    "name": "notebook-instance",
    "profile_id": "ML-1.0.0-python2.7",
    "description": "create a notebook instance",
    "flavor": "modelarts.vm.cpu.2u",
    "spec": {"storage": {"type": "obs", "location": {"path": "obs-bucket/test/"}},
             "auto_stop": {"enable": True, "duration": 3600}},
    "workspace": {"id": "0"},
}).encode()


@dataclass
class Request:
    method: str
    path: str
    query: list = field(default_factory=list)
    body: bytes = b""
    extra_headers: dict = field(default_factory=dict)

    def headers(self) -> dict:
        """The headers both signers see: what the SDK sends, with a fixed date."""
        return {
            "Host": HOST,
            "X-Sdk-Date": DATE,
            "Content-Type": "application/json;charset=utf-8",
            "X-Project-Id": PROJECT_ID,
            "User-Agent": "huaweicloud-usdk-python/3.0",
            **self.extra_headers,
        }


def sdk_sign(req: Request) -> SdkRequest:
    """The request as the official SDK signs it (``Authorization`` in header_params, ``uri`` set)."""
    sdk_request = SdkRequest(
        method=req.method,
        schema="https",
        host=HOST,
        resource_path=req.path,
        query_params=list(req.query),
        header_params=req.headers(),
        body=req.body,
    )
    return Signer(BasicCredentials(AK, SK, PROJECT_ID)).sign(sdk_request)


def our_sign(req: Request) -> str:
    return signing.sign(req.method, req.path, req.query, req.headers(), req.body, AK, SK)



UNSIGNED = {"Content-Type": "text/plain", "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD"}

REQUESTS = [
    # query strings
    pytest.param(Request("GET", INSTANCES, [("de_type", "Notebook")]), id="GET list, seed query"),
    pytest.param(Request("GET", INSTANCES, [("de_type", "Notebook"), ("limit", "10"), ("offset", "0"),
                                            ("sortby", "creation_timestamp"), ("order", "desc")]),
                 id="GET list, all paging params"),
    pytest.param(Request("GET", INSTANCES), id="GET without query"),
    pytest.param(Request("GET", INSTANCES, [("order", "asc"), ("de_type", "Notebook")]), id="GET unsorted query"),
    pytest.param(Request("GET", INSTANCES, [("name", "my notebook")]), id="GET query value with space"),
    pytest.param(Request("GET", INSTANCES, [("path", "obs://bucket/dir/")]), id="GET query value with : and /"),
    pytest.param(Request("GET", INSTANCES, [("t", "12:30:00")]), id="GET query value with :"),
    pytest.param(Request("GET", INSTANCES, [("name", "笔记本"), ("q", "café")]), id="GET query value unicode"),
    pytest.param(Request("GET", INSTANCES, [("名前", "x")]), id="GET query name unicode"),
    pytest.param(Request("GET", INSTANCES, [("a b", "c d")]), id="GET query name with space"),
    pytest.param(Request("GET", INSTANCES, [("status", ""), ("de_type", "Notebook")]), id="GET empty value"),
    pytest.param(Request("GET", INSTANCES, [("status", "STOPPED"), ("status", "RUNNING"), ("de_type", "Notebook")]),
                 id="GET repeated key"),
    pytest.param(Request("GET", INSTANCES, [("k", "b"), ("k", ""), ("k", "a")]), id="GET repeated key with empty"),
    pytest.param(Request("GET", INSTANCES, [("q", "a+b=c&d;e,f")]), id="GET query reserved characters"),
    pytest.param(Request("GET", INSTANCES, [("q", "~-._*!'()")]), id="GET query unreserved and sub-delims"),
    pytest.param(Request("GET", INSTANCES, [("q", "100%"), ("r", "%41")]), id="GET query with percent"),
    pytest.param(Request("GET", INSTANCES, [("q", "a?b#c[d]@e$")]), id="GET query gen-delims"),
    pytest.param(Request("GET", INSTANCES, [("limit", 10), ("offset", 0)]), id="GET integer values"),
    pytest.param(Request("GET", INSTANCES, [("show_self", True)]), id="GET boolean value"),
    # bodies and methods
    pytest.param(Request("POST", INSTANCES, body=SEED_BODY), id="POST create, seed body"),
    pytest.param(Request("POST", INSTANCES, body=json.dumps({"name": "笔记本"}, ensure_ascii=False).encode()),
                 id="POST body with UTF-8"),
    pytest.param(Request("POST", f"{INSTANCE}/action", body=b'{"action": "start"}'), id="POST action"),
    pytest.param(Request("POST", f"{INSTANCE}/action", [("dry_run", "1")], body=b'{"action": "stop"}'),
                 id="POST with query and body"),
    pytest.param(Request("PUT", INSTANCE, body=b'{"description": "new", "spec": {"auto_stop": {"enable": false}}}'),
                 id="PUT update"),
    pytest.param(Request("DELETE", INSTANCE), id="DELETE"),
    pytest.param(Request("GET", f"{INSTANCE}/token"), id="GET token"),
    pytest.param(Request("get", INSTANCE), id="lower-case method"),
    # paths
    pytest.param(Request("GET", f"{INSTANCES}/"), id="path with trailing slash"),
    pytest.param(Request("GET", "/v1/p/urn:fss:12345/x"), id="path with :"),
    pytest.param(Request("GET", "/v1/p/笔记本/x"), id="path unicode"),
    pytest.param(Request("GET", "/v1/p/a b/c"), id="path with space"),
    pytest.param(Request("GET", "/v1/p/a%20b/c%3Ad"), id="path already percent-encoded"),
    pytest.param(Request("GET", "/v1/p/a~b_c-d.e"), id="path unreserved characters"),
    pytest.param(Request("GET", "/"), id="root path"),
    # headers
    pytest.param(Request("GET", INSTANCES, extra_headers={"X-Custom": "  padded value  "}),
                 id="header value trimmed"),
    pytest.param(Request("GET", INSTANCES, extra_headers={"X_Not_Signed": "v"}), id="header with _ not signed"),
    pytest.param(Request("GET", INSTANCES, extra_headers={"X-Security-Token": "tok"}), id="security token header"),
    pytest.param(Request("POST", INSTANCES, body=b"hello", extra_headers=UNSIGNED),
                 id="non-JSON body, unsigned payload"),
    pytest.param(Request("GET", INSTANCES, extra_headers=UNSIGNED), id="non-JSON content type, empty body"),
]


@pytest.mark.parametrize("req", REQUESTS)
def test_authorization_is_byte_identical_to_the_sdk(req):
    assert our_sign(req) == sdk_sign(req).header_params["Authorization"]


@pytest.mark.parametrize("req", REQUESTS)
def test_canonical_request_is_the_sdks(req):
    """Same comparison one step earlier, so a mismatch shows which line differs."""
    sdk_request = SdkRequest(method=req.method, schema="https", host=HOST, resource_path=req.path,
                             query_params=list(req.query), header_params=req.headers(), body=req.body)
    signer = Signer(BasicCredentials(AK, SK, PROJECT_ID))
    names = signer._process_signed_headers(sdk_request)
    expected = signer._process_canonical_request(sdk_request, names)
    ours = signing.canonical_request(req.method, req.path, req.query, req.headers(),
                                     signing.signed_header_names(req.headers()), req.body)
    assert ours.split("\n") == expected.split("\n")


@pytest.mark.parametrize("req", [p for p in REQUESTS if p.values[0].query])
def test_canonical_query_is_the_sdks_wire_query(req):
    uri = sdk_sign(req).uri
    assert uri.startswith(req.path + "?")
    assert signing.canonical_query(req.query) == uri.partition("?")[2]


def test_canonical_query_of_no_pairs_is_empty():
    assert signing.canonical_query([]) == ""
    assert sdk_sign(Request("GET", INSTANCES)).uri == INSTANCES


@pytest.mark.parametrize("pairs, expected", [
    pytest.param([("de_type", "Notebook"), ("limit", "10")], "de_type=Notebook&limit=10", id="plain"),
    pytest.param([("b", "1"), ("a", "2")], "a=2&b=1", id="sorted by name"),
    pytest.param([("k", "b"), ("k", "a")], "k=a&k=b", id="repeated key sorted by value"),
    pytest.param([("q", "a b")], "q=a%20b", id="space is %20"),
    pytest.param([("q", "a/b:c")], "q=a%2Fb%3Ac", id="/ and : encoded"),
    pytest.param([("q", "-_.~")], "q=-_.~", id="unreserved kept"),
    pytest.param([("q", "")], "q=", id="empty value keeps ="),
    pytest.param([("q", "é")], "q=%C3%A9", id="UTF-8 percent-encoding"),
])
def test_canonical_query_examples(pairs, expected):
    assert signing.canonical_query(pairs) == expected


@pytest.mark.parametrize("path, expected", [
    pytest.param(INSTANCES, INSTANCES + "/", id="trailing / added"),
    pytest.param(INSTANCES + "/", INSTANCES + "/", id="trailing / kept"),
    pytest.param("/v1/p/urn:fss:1", "/v1/p/urn%3Afss%3A1/", id=": encoded in segments"),
    pytest.param("/v1/p/a%3Ab", "/v1/p/a%3Ab/", id="encoded once, not twice"),
])
def test_canonical_uri_examples(path, expected):
    assert signing.canonical_uri(path) == expected


def test_canonical_request_matches_the_reference_example():
    # the canonical request the official SDK produced for a list call (user agent shortened)
    headers = {"Content-Type": "application/json", "Host": "127.0.0.1:8765", "User-Agent": "ua",
               "X-Project-Id": "proj1", "X-Sdk-Date": "20261127T093743Z"}
    canonical = signing.canonical_request(
        "GET", "/v1/proj1/demanager/instances", [("de_type", "Notebook"), ("limit", "10")],
        headers, signing.signed_header_names(headers), b"")
    assert canonical == (
        "GET\n"
        "/v1/proj1/demanager/instances/\n"
        "de_type=Notebook&limit=10\n"
        "content-type:application/json\n"
        "host:127.0.0.1:8765\n"
        "user-agent:ua\n"
        "x-project-id:proj1\n"
        "x-sdk-date:20261127T093743Z\n"
        "\n"
        "content-type;host;user-agent;x-project-id;x-sdk-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_sign_needs_x_sdk_date():
    with pytest.raises(ValueError):
        signing.sign("GET", INSTANCES, [], {"Host": HOST}, b"", AK, SK)


@pytest.mark.parametrize("moment, expected", [
    pytest.param(datetime(2019, 11, 15, 3, 36, 55, tzinfo=timezone.utc), "20191115T033655Z", id="UTC"),
    pytest.param(datetime(2019, 11, 15, 11, 36, 55, tzinfo=timezone(timedelta(hours=8))), "20191115T033655Z",
                 id="UTC+8 converted to UTC"),
])
def test_sdk_date(moment, expected):
    assert signing.sdk_date(moment) == expected


def test_sdk_date_defaults_to_now():
    parsed = datetime.strptime(signing.sdk_date(), signing.DATE_FORMAT).replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - parsed).total_seconds()) < 5


# --- verify ---------------------------------------------------------------------------------------

SECRETS = {AK: SK}


@dataclass
class Wire:
    """A request as the server receives it."""

    method: str
    path: str
    query: list
    headers: dict
    body: bytes


def signed_wire(req: Request) -> Wire:
    headers = req.headers()
    headers["Authorization"] = our_sign(req)
    return Wire(req.method, req.path, list(req.query), headers, req.body)


def verify(wire: Wire, now: datetime = SIGNED_AT, **kw) -> str:
    return signing.verify(wire.method, wire.path, wire.query, wire.headers, wire.body,
                          SECRETS.get, now, **kw)


CREATE = Request("POST", INSTANCES, [("x", "1")], body=SEED_BODY)
LIST = Request("GET", INSTANCES, [("de_type", "Notebook"), ("limit", "10")])


@pytest.mark.parametrize("req", [pytest.param(CREATE, id="POST create"), pytest.param(LIST, id="GET list")])
def test_verify_accepts_our_signature(req):
    assert verify(signed_wire(req)) == AK


def _verify_sdk_signed(req: Request) -> str:
    sdk_request = sdk_sign(req)
    wire_query = parse_qsl(urlsplit(sdk_request.uri).query, keep_blank_values=True)
    headers = {k: v for k, v in sdk_request.header_params.items()}
    body = sdk_request.body or b""
    return signing.verify(req.method, req.path, wire_query, headers, body, SECRETS.get, SIGNED_AT)


@pytest.mark.parametrize("req", [p for p in REQUESTS if not (p.values[0].body and "X-Sdk-Content-Sha256"
                                                             in p.values[0].extra_headers)])
def test_verify_accepts_the_sdks_signature(req):
    """What the official SDK sends (wire query from request.uri) passes our verification."""
    assert _verify_sdk_signed(req) == AK


def test_verify_refuses_a_body_the_signature_does_not_cover():
    """The SDK marks non-JSON bodies UNSIGNED-PAYLOAD: valid for the gateway, but then the
    signature does not cover the body, and every body of this API is JSON."""
    with pytest.raises(SignatureError, match="UNSIGNED-PAYLOAD"):
        _verify_sdk_signed(Request("POST", INSTANCES, body=b"hello", extra_headers=UNSIGNED))


def test_an_unsigned_content_hash_header_does_not_replace_the_body_hash():
    """Regression: a captured signature plus an unsigned X-Sdk-Content-Sha256 naming the
    original body's hash carried any body for 15 minutes."""
    wire = signed_wire(CREATE)
    original_hash = hashlib.sha256(wire.body).hexdigest()
    wire.body = SEED_BODY.replace(b"3600", b"7200")
    wire.headers["X-Sdk-Content-Sha256"] = original_hash  # not in SignedHeaders
    with pytest.raises(SignatureError, match="canonicalRequest"):
        verify(wire)


def test_a_signed_content_hash_must_be_the_bodys_hash():
    """A signed hash of the original body, sent with another body, is refused."""
    req = Request("POST", INSTANCES, body=SEED_BODY,
                  extra_headers={"X-Sdk-Content-Sha256": hashlib.sha256(SEED_BODY).hexdigest()})
    wire = signed_wire(req)
    assert verify(wire) == AK
    wire.body = SEED_BODY.replace(b"3600", b"7200")
    with pytest.raises(SignatureError, match="not the body's hash"):
        verify(wire)


def test_verify_accepts_lower_case_header_names_and_reordered_query():
    wire = signed_wire(LIST)
    wire.headers = {name.lower(): value for name, value in wire.headers.items()}
    wire.query = list(reversed(wire.query))
    assert verify(wire) == AK


def _tamper(**changes):
    def apply(wire: Wire) -> Wire:
        for name, value in changes.items():
            if name == "header":
                wire.headers.update(value)
            else:
                setattr(wire, name, value)
        return wire
    return apply


TAMPERED = [
    pytest.param(_tamper(body=SEED_BODY.replace(b"3600", b"7200")), "canonicalRequest", id="body changed"),
    pytest.param(_tamper(body=b""), "canonicalRequest", id="body removed"),
    pytest.param(_tamper(path=INSTANCES + "/other"), "canonicalRequest", id="path changed"),
    pytest.param(_tamper(method="PUT"), "canonicalRequest", id="method changed"),
    pytest.param(_tamper(query=[("x", "2")]), "canonicalRequest", id="query value changed"),
    pytest.param(_tamper(query=[("x", "1"), ("y", "1")]), "canonicalRequest", id="query parameter added"),
    pytest.param(_tamper(query=[]), "canonicalRequest", id="query parameter removed"),
    pytest.param(_tamper(header={"Host": "evil.example.com"}), "canonicalRequest", id="signed header changed"),
    pytest.param(_tamper(header={"X-Project-Id": "other"}), "canonicalRequest", id="project header changed"),
]


@pytest.mark.parametrize("tamper, reason", TAMPERED)
def test_verify_rejects_a_tampered_request(tamper, reason):
    wire = tamper(signed_wire(CREATE))
    with pytest.raises(SignatureError) as caught:
        verify(wire)
    assert reason in caught.value.reason
    assert "verify aksk signature fail" in caught.value.reason
    assert caught.value.access_key == AK


def test_verify_ignores_an_unsigned_header():
    wire = signed_wire(CREATE)
    wire.headers["X_Trace_Id"] = "anything"
    assert verify(wire) == AK


def test_verify_rejects_an_unknown_access_key():
    req = Request("GET", INSTANCES)
    wire = Wire("GET", INSTANCES, [], req.headers(), b"")
    wire.headers["Authorization"] = signing.sign("GET", INSTANCES, [], req.headers(), b"", "UNKNOWNAK", SK)
    with pytest.raises(SignatureError) as caught:
        verify(wire)
    assert caught.value.reason == "ak UNKNOWNAK not exist"
    assert caught.value.access_key == "UNKNOWNAK"


def test_verify_rejects_a_wrong_secret_key():
    req = Request("GET", INSTANCES)
    wire = Wire("GET", INSTANCES, [], req.headers(), b"")
    wire.headers["Authorization"] = signing.sign("GET", INSTANCES, [], req.headers(), b"", AK, "wrong-sk")
    with pytest.raises(SignatureError, match="verify aksk signature fail"):
        verify(wire)


def test_verify_rejects_a_missing_x_sdk_date():
    wire = signed_wire(LIST)
    del wire.headers["X-Sdk-Date"]
    with pytest.raises(SignatureError, match="X-Sdk-Date"):
        verify(wire)


def test_verify_rejects_an_unsigned_x_sdk_date():
    req = Request("GET", INSTANCES)
    headers = req.headers()
    # signed without x-sdk-date in SignedHeaders: Authorization lists only host
    canonical = signing.canonical_request("GET", INSTANCES, [], headers, ["host"], b"")
    signature = signing._signature(SK, DATE, canonical)
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host, Signature={signature}"
    with pytest.raises(SignatureError, match="x-sdk-date must be signed"):
        verify(Wire("GET", INSTANCES, [], headers, b""))


@pytest.mark.parametrize("bad_date", ["2024-01-15T09:30:00Z", "20240115T093000", "", "yesterday"])
def test_verify_rejects_a_malformed_x_sdk_date(bad_date):
    wire = signed_wire(LIST)
    wire.headers["X-Sdk-Date"] = bad_date
    with pytest.raises(SignatureError, match="invalid X-Sdk-Date"):
        verify(wire)


def test_verify_rejects_a_missing_authorization():
    wire = signed_wire(LIST)
    del wire.headers["Authorization"]
    with pytest.raises(SignatureError, match="Authorization header format incorrect"):
        verify(wire)


# the gateway allows +-15 minutes between X-Sdk-Date and its own clock
SKEW = [
    pytest.param(timedelta(0), True, id="same second"),
    pytest.param(timedelta(minutes=14, seconds=59), True, id="signed 14m59s ago"),
    pytest.param(-timedelta(minutes=14, seconds=59), True, id="signed 14m59s in the future"),
    pytest.param(timedelta(minutes=15), True, id="signed exactly 15m ago (boundary accepted)"),
    pytest.param(-timedelta(minutes=15), True, id="signed exactly 15m in the future (boundary accepted)"),
    pytest.param(timedelta(minutes=15, seconds=1), False, id="signed 15m01s ago"),
    pytest.param(-timedelta(minutes=15, seconds=1), False, id="signed 15m01s in the future"),
    pytest.param(timedelta(hours=2), False, id="signed 2h ago"),
    pytest.param(-timedelta(days=1), False, id="signed 1 day in the future"),
]


@pytest.mark.parametrize("age, accepted", SKEW)
def test_verify_clock_skew_window(age, accepted):
    wire = signed_wire(LIST)
    now = SIGNED_AT + age
    if accepted:
        assert verify(wire, now=now) == AK
    else:
        with pytest.raises(SignatureError) as caught:
            verify(wire, now=now)
        assert "signature expired" in caught.value.reason
        assert f"signature time:{DATE}" in caught.value.reason
        assert f"server time:{signing.sdk_date(now)}" in caught.value.reason


def test_verify_skew_window_is_configurable():
    wire = signed_wire(LIST)
    with pytest.raises(SignatureError, match="signature expired"):
        verify(wire, now=SIGNED_AT + timedelta(seconds=61), max_skew_seconds=60)
    assert verify(wire, now=SIGNED_AT + timedelta(seconds=60), max_skew_seconds=60) == AK


def test_verify_checks_the_clock_before_the_access_key():
    """An expired request from an unknown key says 'expired', as the gateway does."""
    req = Request("GET", INSTANCES)
    wire = Wire("GET", INSTANCES, [], req.headers(), b"")
    wire.headers["Authorization"] = signing.sign("GET", INSTANCES, [], req.headers(), b"", "NOPE", SK)
    with pytest.raises(SignatureError, match="signature expired"):
        verify(wire, now=SIGNED_AT + timedelta(hours=1))


# --- parse_authorization --------------------------------------------------------------------------

def test_parse_authorization():
    parsed = signing.parse_authorization(
        "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=ABCDEF0123")
    assert parsed.access_key == "AK1"
    assert parsed.signed_headers == ("host", "x-sdk-date")
    assert parsed.signature == "abcdef0123"


def test_parse_authorization_accepts_the_sdks_header():
    value = sdk_sign(LIST).header_params["Authorization"]
    parsed = signing.parse_authorization(value)
    assert parsed.access_key == AK
    assert "x-sdk-date" in parsed.signed_headers


@pytest.mark.parametrize("value", [
    pytest.param("", id="empty"),
    pytest.param("garbage", id="garbage"),
    pytest.param("Bearer abc", id="other scheme"),
    pytest.param("AWS4-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab", id="other algorithm"),
    pytest.param("SDK-HMAC-SHA256 Credential=AK/20150907//ec2/sdk_request, SignedHeaders=host, Signature=ab",
                 id="Credential= instead of Access="),
    pytest.param("SDK-HMAC-SHA256 SignedHeaders=host, Signature=ab", id="no Access"),
    pytest.param("SDK-HMAC-SHA256 Access=AK, Signature=ab", id="no SignedHeaders"),
    pytest.param("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host", id="no Signature"),
    pytest.param("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=", id="empty Signature"),
    pytest.param("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=xyz", id="non-hex Signature"),
    pytest.param("SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=ab", id="empty Access"),
    pytest.param("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab, Extra=1", id="trailing part"),
    pytest.param("SDK-HMAC-SHA256,Access=AK, SignedHeaders=host, Signature=ab", id="comma after algorithm"),
])
def test_parse_authorization_rejects_malformed_headers(value):
    with pytest.raises(SignatureError, match="Authorization header format incorrect"):
        signing.parse_authorization(value)
