"""Regression tests for the local server under attack, faults and bad input (issue 7).

Each test names the defect it guards against. They run against the real server over HTTP.
"""

from __future__ import annotations

import sqlite3

import pytest

from nb_devenv.server import add_project


def error_of(response) -> str:
    document = response.json()
    assert document["request_id"] == response.headers["X-Request-Id"]
    return document["error_code"]


# --- the shared test clock ---------------------------------------------------------------------

@pytest.mark.parametrize("seconds", [1e12, 2.6e11, 10**30, float("inf")])
def test_an_advance_past_representable_dates_is_refused_and_the_server_keeps_answering(local_server, seconds):
    client = local_server.client()
    before = client.request("GET", "/_emulator/clock").json()
    payload = b'{"advance_seconds": %s}' % (b"1e400" if seconds == float("inf") else repr(seconds).encode())
    refused = client.request("POST", "/_emulator/clock", raw_body=payload)
    assert refused.status_code == 400 and error_of(refused) == "ModelArts.6400"
    assert "advance_seconds" in refused.json()["error_msg"]
    after = client.request("GET", "/_emulator/clock")
    assert after.status_code == 200 and after.json()["offset_ms"] == before["offset_ms"]
    assert client.list().status_code == 200


def test_the_largest_allowed_advance_still_leaves_every_route_answering(local_server):
    client = local_server.client()
    room = client.request("POST", "/_emulator/clock", json_body={"advance_seconds": 10**13}).json()
    allowed = float(room["error_msg"].split(" from 0 to ")[1].split(":")[0])
    assert client.advance_clock(allowed - 5).status_code == 200  # the room shrinks as time passes
    assert client.list().status_code == 200
    assert client.advance_clock(60).status_code == 400  # nothing left
    local_server.restart()
    assert local_server.client().list().status_code == 200


def test_a_stored_offset_out_of_range_cannot_stop_the_server(local_server):
    local_server.stop()
    with sqlite3.connect(local_server.data_dir / "state.sqlite3") as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'clock_offset_ms'", (str(10**20),))
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('clock_offset_ms', ?)", (str(10**20),))
    local_server.start()
    client = local_server.client()
    assert client.list().status_code == 200
    assert client.request("GET", "/_emulator/clock").json()["offset_ms"] == 0


def test_only_the_servers_own_project_may_move_the_clock(local_server):
    other = local_server.client(add_project(local_server.data_dir, "tenant"))
    before = local_server.client().request("GET", "/_emulator/clock").json()["offset_ms"]
    for method, body in (("POST", {"advance_seconds": 3600}), ("GET", None)):
        refused = other.request(method, "/_emulator/clock", json_body=body)
        assert refused.status_code == 403 and error_of(refused) == "ModelArts.0108"
    assert local_server.client().request("GET", "/_emulator/clock").json()["offset_ms"] == before
