"""Rate limits of the unauthenticated pairing endpoints, against a real server."""

from __future__ import annotations

import pytest
import requests

from tests.test_kiosk_ws import start_server


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    env = {"FLOORCAST_KIOSK__PAIRING_RATE": "3/minute", "FLOORCAST_KIOSK__CLAIM_RATE": "4/minute"}
    server = start_server(tmp_path_factory, env)
    yield server
    server.stop()


def start_pairing(server) -> requests.Response:
    return requests.post(server.url + "/api/v1/kiosk/pairings", timeout=10)


def claim(server, pairing: dict, secret: str) -> requests.Response:
    url = f"{server.url}/api/v1/kiosk/pairings/{pairing['pairing']}/claim"
    return requests.post(url, json={"secret": secret}, timeout=10)


def assert_limited(r: requests.Response) -> None:
    assert r.status_code == 429, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 429 and body["code"] == "too_many_requests" and body["detail"]
    assert 0 < int(r.headers["Retry-After"]) <= 60


def test_pairing_and_claim_limits(srv):
    pairings = [start_pairing(srv) for _ in range(3)]
    assert [r.status_code for r in pairings] == [201, 201, 201]
    assert_limited(start_pairing(srv))
    assert requests.get(srv.url + "/healthz", timeout=10).status_code == 200  # nothing else is limited

    # Guessing a pairing's secret stops after a few tries, right secret or not.
    target = pairings[0].json()
    assert [claim(srv, target, f"guess-{i}").status_code for i in range(4)] == [403] * 4
    assert_limited(claim(srv, target, target["secret"]))
    # The limit is per pairing: a kiosk polling its own claim is not hurt by the guesser.
    other = pairings[1].json()
    assert claim(srv, other, other["secret"]).status_code == 409  # not approved yet, but answered
