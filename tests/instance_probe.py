"""Is an instance usable? Its JupyterLab loads with the token, and its python3 kernel runs code.

    python tests/instance_probe.py --url URL --token TOKEN

``URL`` is the instance's JupyterLab (``spec.annotations.url``). Exit status 0 with a one-line
summary, or 1 with what failed. ``.ci/run`` runs it with the Python of a plain install, so it
uses only the standard library and what ``pip install nb_devenv`` brings (httpx, tornado):
no pytest, no nbclient. The tests import its functions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import httpx
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

__all__ = ["ProbeError", "open_jupyterlab", "check_jupyterlab", "server_root", "kernelspec_names", "start_kernel", "execute",
           "delete_kernel", "probe", "main"]

TIMEOUT = 60.0

# JupyterLab's page carries its settings as JSON in this element; a login page has none
_PAGE_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)


class ProbeError(Exception):
    """What makes the instance unusable, in one line (never with the token in it)."""


def server_root(url: str) -> str:
    """The Jupyter server's base URL, from its JupyterLab URL (``…/lab`` → ``…/``)."""
    return urljoin(url, "./")


def _without_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query=""))


async def open_jupyterlab(link: str) -> str:
    """GET ``link`` (a URL carrying the token, as ``nb-devenv open`` prints it) following
    redirects, as a browser does; the final page must be JupyterLab, logged in (not a login
    page). Returns the final URL without its query."""
    url = _without_query(link)
    async with httpx.AsyncClient(follow_redirects=True, timeout=TIMEOUT) as http:
        try:
            response = await http.get(link)
        except httpx.HTTPError as error:
            raise ProbeError(f"cannot reach {url}: {type(error).__name__}: {error}") from None
    final = _without_query(str(response.url))
    if response.status_code != 200:
        raise ProbeError(f"{url} ended at {final} with HTTP {response.status_code}, not JupyterLab")
    found = _PAGE_CONFIG.search(response.text)
    if not found:
        what = "a login page" if "/login" in final else "not JupyterLab"
        raise ProbeError(f"{url} ended at {final}: {what} (no JupyterLab page configuration)")
    config = json.loads(found.group(1))
    if config.get("appName") != "JupyterLab":
        raise ProbeError(f"{url} ended at {final}: appName is {config.get('appName')!r}, not 'JupyterLab'")
    return final


async def check_jupyterlab(url: str, token: str) -> str:
    """:func:`open_jupyterlab` on ``{url}?token=…``."""
    return await open_jupyterlab(f"{url}?token={quote(token, safe='')}")


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


async def _api(method: str, root: str, path: str, token: str, expect: int) -> httpx.Response:
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        try:
            response = await http.request(method, urljoin(root, path), headers=_headers(token))
        except httpx.HTTPError as error:
            raise ProbeError(f"{method} {path}: {type(error).__name__}: {error}") from None
    if response.status_code != expect:
        raise ProbeError(f"{method} {path}: HTTP {response.status_code} (expected {expect}): {response.text[:200]}")
    return response


async def kernelspec_names(root: str, token: str) -> list[str]:
    """The kernelspecs the instance offers (``GET /api/kernelspecs``)."""
    response = await _api("GET", root, "api/kernelspecs", token, 200)
    return sorted(response.json().get("kernelspecs") or {})


async def start_kernel(root: str, token: str, name: str = "python3") -> str:
    """Start a kernel through the REST API (``POST /api/kernels``); returns its id."""
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        response = await http.post(urljoin(root, "api/kernels"), headers=_headers(token), json={"name": name})
    if response.status_code != 201:
        raise ProbeError(f"starting a {name} kernel: HTTP {response.status_code}: {response.text[:300]}")
    return response.json()["id"]


async def delete_kernel(root: str, token: str, kernel_id: str) -> None:
    await _api("DELETE", root, f"api/kernels/{kernel_id}", token, 204)


def _execute_request(code: str, session: str) -> dict:
    return {
        "channel": "shell",
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "session": session,
                   "username": "nb-devenv-probe", "version": "5.3",
                   "date": datetime.now(timezone.utc).isoformat()},
        "parent_header": {},
        "metadata": {},
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
        "buffers": [],
    }


async def execute(root: str, token: str, kernel_id: str, code: str, timeout: float = TIMEOUT) -> str:
    """Run ``code`` in the kernel over its websocket (Jupyter messaging protocol, JSON frames:
    ``execute_request`` on shell, ``stream`` output on iopub) and return its stdout.

    Finished when the kernel reports itself idle for our request on iopub, as a notebook does.
    """
    ws_root = "ws" + root[len("http"):] if root.startswith("http") else root
    session = uuid.uuid4().hex
    request = HTTPRequest(urljoin(ws_root, f"api/kernels/{kernel_id}/channels?session_id={session}"),
                          headers=_headers(token), connect_timeout=timeout, request_timeout=timeout)
    try:
        connection = await websocket_connect(request)
    except Exception as error:  # noqa: BLE001 - any failure to connect is the probe's answer
        raise ProbeError(f"cannot open the kernel's websocket: {type(error).__name__}: {error}") from None
    message = _execute_request(code, session)
    msg_id = message["header"]["msg_id"]
    stdout: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        await connection.write_message(json.dumps(message))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProbeError(f"the kernel did not finish {code!r} within {timeout:g} s")
            try:
                frame = await asyncio.wait_for(connection.read_message(), left)
            except asyncio.TimeoutError:
                continue
            if frame is None:
                raise ProbeError("the kernel's websocket closed before the code finished")
            if isinstance(frame, bytes):
                continue  # binary frames carry buffers, never stream output
            reply = json.loads(frame)
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = reply["header"]["msg_type"], reply["content"]
            if kind == "stream" and content.get("name") == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                raise ProbeError(f"{code!r} raised {content.get('ename')}: {content.get('evalue')}")
            elif kind == "status" and content.get("execution_state") == "idle":
                return "".join(stdout)
    finally:
        connection.close()


async def probe(url: str, token: str, code: str = "print(6*7)", expect: str = "42",
                timeout: float = TIMEOUT) -> str:
    """All the checks; returns the one-line summary. Raises :class:`ProbeError`."""
    started = time.monotonic()
    await check_jupyterlab(url, token)
    root = server_root(url)
    names = await kernelspec_names(root, token)
    if "python3" not in names:
        raise ProbeError(f"no python3 kernelspec at {root}api/kernelspecs (found: {names or 'none'})")
    kernel_id = await start_kernel(root, token)
    try:
        output = await execute(root, token, kernel_id, code, timeout)
    finally:
        await delete_kernel(root, token, kernel_id)
    if output.strip() != expect:
        raise ProbeError(f"{code!r} printed {output.strip()!r}, expected {expect!r}")
    return (f"ok: {url} is JupyterLab, logged in with the token; the python3 kernel ran {code} -> {expect} "
            f"({time.monotonic() - started:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that an instance's JupyterLab loads and its python3 "
                                                 "kernel runs code.")
    parser.add_argument("--url", required=True, help="the instance's JupyterLab URL (spec.annotations.url)")
    parser.add_argument("--token", required=True, help="the instance's Jupyter token")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds for each step (default: 60)")
    args = parser.parse_args(argv)
    try:
        print(asyncio.run(probe(args.url, args.token, timeout=args.timeout)))
    except ProbeError as error:
        print(f"instance probe failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
