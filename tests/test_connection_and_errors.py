"""Where requests go, which credentials they carry, and how error answers are read.

These need no server: they check resolution rules and the parsing of answers that the real
ModelArts sends but our server never does (``error_message`` bodies, nested errors).
"""

from __future__ import annotations

import json

import httpx
import pytest

from nb_devenv import (
    AkSkAuth,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    TokenAuth,
)
from nb_devenv.client._connection import region_endpoint, resolve_connection
from nb_devenv.client._http_errors import error_from_response
from nb_devenv.client._retry import RetryPolicy, retry_after_seconds

AK, SK, PROJECT = "AKEXAMPLE0123456789A", "sk" + "x" * 38, "0" * 32


@pytest.mark.parametrize("region, endpoint", [
    ("cn-north-4", "https://modelarts.cn-north-4.myhuaweicloud.com"),
    ("cn-east-3", "https://modelarts.cn-east-3.myhuaweicloud.com"),
    ("ap-southeast-1", "https://modelarts.ap-southeast-1.myhuaweicloud.cn"),
])
def test_region_gives_the_modelarts_endpoint(region, endpoint):
    assert region_endpoint(region) == endpoint


@pytest.mark.parametrize("region", ["", "north", "cn north 4", "https://x"])
def test_a_bad_region_name_is_a_configuration_error(region):
    with pytest.raises(ConfigurationError, match="region"):
        region_endpoint(region)


async def test_env_ak_sk_for_a_region(tmp_path):
    env = {"NB_DEVENV_REGION": "cn-north-4", "HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK,
           "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT}
    connection = await resolve_connection(env=env, data_dir=tmp_path)
    assert connection.endpoint == "https://modelarts.cn-north-4.myhuaweicloud.com"
    assert isinstance(connection.auth, AkSkAuth) and connection.project_id == PROJECT
    shown = json.dumps(connection.describe())
    assert SK not in shown and AK not in shown and "AKEX" in shown


async def test_explicit_endpoint_overrides_the_region(tmp_path):
    env = {"NB_DEVENV_REGION": "cn-north-4", "NB_DEVENV_TOKEN": "t" * 40, "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT}
    connection = await resolve_connection(endpoint="https://modelarts.example.test/", env=env, data_dir=tmp_path)
    assert connection.endpoint == "https://modelarts.example.test"
    assert isinstance(connection.auth, TokenAuth) and connection.auth_mode == "token"


async def test_token_from_a_file(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("secret-token-value\n")
    env = {"NB_DEVENV_ENDPOINT": "https://modelarts.example.test", "NB_DEVENV_TOKEN_FILE": str(token_file),
           "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT}
    connection = await resolve_connection(env=env, data_dir=tmp_path)
    assert connection.secrets == ("secret-token-value",)
    assert "secret-token-value" not in json.dumps(connection.describe())


@pytest.mark.parametrize("env, message", [
    ({"NB_DEVENV_ENDPOINT": "https://m.example.test", "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT}, "no credentials"),
    ({"NB_DEVENV_ENDPOINT": "https://m.example.test", "HUAWEICLOUD_SDK_AK": AK}, "no project id"),
    ({"NB_DEVENV_ENDPOINT": "https://m.example.test", "HUAWEICLOUD_SDK_AK": AK,
      "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT}, "needs both"),
    ({"NB_DEVENV_ENDPOINT": "modelarts.cn-north-4.myhuaweicloud.com"}, "needs a scheme"),
    ({"NB_DEVENV_ENDPOINT": "https://m.example.test", "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
      "NB_DEVENV_TOKEN_FILE": "/nonexistent/token"}, "cannot read the token file"),
])
async def test_missing_settings_say_what_to_set(tmp_path, env, message):
    with pytest.raises(ConfigurationError, match=message):
        await resolve_connection(env=env, data_dir=tmp_path)


# -- error bodies ------------------------------------------------------------------------------

def _answer(status: int, body: dict | str, headers: dict | None = None) -> httpx.Response:
    content = body if isinstance(body, str) else json.dumps(body)
    return httpx.Response(status, content=content, headers=headers or {},
                          request=httpx.Request("GET", "https://m.example.test/v1/p/demanager/instances"))


@pytest.mark.parametrize("key", ["error_msg", "error_message"])
def test_both_documented_error_body_keys_are_read(key):
    error = error_from_response(_answer(400, {"error_code": "ModelArts.6318", key: "The param path needs to end with /."},
                                        {"X-Request-Id": "req-1"}))
    assert (error.error_code, error.error_msg, error.request_id) == (
        "ModelArts.6318", "The param path needs to end with /.", "req-1")
    assert "ModelArts.6318" in str(error) and "req-1" in str(error)


@pytest.mark.parametrize("status, code, cls", [
    (400, "ModelArts.6309", NotFoundError),
    (404, None, NotFoundError),
    (400, "ModelArts.6301", ConflictError),
    (400, "ModelArts.6304", ConflictError),
    (400, "ModelArts.6302", QuotaExceededError),
    (400, "ModelArts.6328", PermissionDeniedError),
    (401, "APIGW.0301", AuthenticationError),
    (429, "ModelArts.6101", RateLimitError),
    (503, None, ServerError),
])
def test_error_classes_by_code_then_status(status, code, cls):
    body = {"error_code": code, "error_msg": "x"} if code else "<html>gateway</html>"
    assert type(error_from_response(_answer(status, body))) is cls


def test_secrets_are_masked_in_error_messages():
    error = error_from_response(_answer(401, {"error_code": "APIGW.0301", "error_msg": f"ak {AK} not exist"}),
                                secrets=(AK, SK))
    assert AK not in str(error) and "AKEX" in str(error)


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("soon") is None
    policy = RetryPolicy(initial=1, cap=4)
    assert policy.delay(0, "2") == 2.0
    assert all(0 <= policy.delay(attempt) <= 4 for attempt in range(10))


def test_the_public_surface_loads_lazily_and_matches_its_all():
    """``import nb_devenv`` loads no client (httpx); every name of ``__all__`` resolves."""
    import subprocess
    import sys

    probe = ("import sys, nb_devenv; assert 'httpx' not in sys.modules, 'eager client'; "
             "missing = [n for n in nb_devenv.__all__ if getattr(nb_devenv, n, None) is None]; "
             "import nb_devenv.notebook as nb; missing += [n for n in nb.__all__ if getattr(nb, n, None) is None]; "
             "print(missing)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr
