"""Kiosk pairing: code on screen, approval by staff (CLI and API), single-use claim."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from core.data.db import utcnow
from core.data.models import Pairing
from core.kiosks.fleet import KioskError
from core.kiosks.pairing import ALPHABET, display_code, normalize_code
from tests.test_kiosk_ws import assert_nothing_pending, bind_box, hello, kiosk_row, start_server


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = start_server(tmp_path_factory)
    yield server
    server.stop()


def start(server) -> dict:
    r = requests.post(server.url + "/api/v1/kiosk/pairings", timeout=10)  # no auth
    assert r.status_code == 201, r.text
    return r.json()


def claim(server, pairing: dict, secret: str | None = None) -> requests.Response:
    return requests.post(
        f"{server.url}/api/v1/kiosk/pairings/{pairing['pairing']}/claim",
        json={"secret": secret or pairing["secret"]},
        timeout=10,
    )


def expire(server, pairing: dict) -> None:
    bind_box(server)
    Pairing.update(expires_at=utcnow() - dt.timedelta(seconds=1)).where(Pairing.id == pairing["pairing"]).execute()


def test_code_format():
    assert not set("0O1IL") & set(ALPHABET)
    assert normalize_code("abc-234") == normalize_code("ABC234") == normalize_code(" aBc 234 ") == "ABC234"
    assert display_code("ABC234") == "ABC-234"
    for bad in ("ABC-2340", "AB-12", "ABO-234", "", "ABC_234"):
        with pytest.raises(KioskError):
            normalize_code(bad)


def test_pairing_happy_path_with_cli_approval(srv):
    p = start(srv)
    assert len(p["code"]) == 6 and set(p["code"]) <= set(ALPHABET)
    assert p["display"] == f"{p['code'][:3]}-{p['code'][3:]}"
    expires = dt.datetime.fromisoformat(p["expires_at"].replace("Z", "+00:00"))
    assert p["expires_at"].endswith("Z")
    assert 590 <= (expires - dt.datetime.now(dt.UTC)).total_seconds() <= 601
    bind_box(srv)
    row = Pairing.get_by_id(p["pairing"])
    assert p["secret"] not in (row.secret_hash, row.code)  # only its hash is stored

    r = claim(srv, p)
    assert r.status_code == 409 and r.json()["code"] == "not_approved"

    # The CLI takes the code as shown, in any case, with or without the dash.
    out = srv.cli("kiosks", "approve", p["display"].lower(), "--channel", "pair-lobby", "--name", "Entrance")
    assert p["display"] in out.stdout and "pair-lobby" in out.stdout

    assert claim(srv, p, "wrong-secret").status_code == 403
    r = claim(srv, p)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["channel"] == "pair-lobby" and got["token"].startswith("fcki_")
    assert kiosk_row(srv, got["kiosk"])["name"] == "Entrance"

    again = claim(srv, p)  # handed out once only
    assert again.status_code == 410 and again.json()["code"] == "claimed"

    ws, welcome = hello(srv, got["token"])
    assert welcome["data"]["kiosk"] == got["kiosk"] and welcome["data"]["channel"] == "pair-lobby"
    assert_nothing_pending(ws)
    ws.close()

    twice = srv.cli("kiosks", "approve", p["code"], "--channel", "pair-lobby", check=False)
    assert twice.returncode != 0 and "error: already_approved:" in twice.stderr


def test_approval_through_the_api(srv):
    p = start(srv)
    body = {"code": p["code"].lower(), "channel": "pair-api", "name": "Hall B"}
    anonymous = requests.post(srv.url + "/api/v1/kiosk/pairings/approve", json=body, timeout=10)
    assert anonymous.status_code == 401
    r = srv.post("/api/v1/kiosk/pairings/approve", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["channel"] == "pair-api" and r.json()["name"] == "Hall B" and r.json()["paired"] is False
    token = claim(srv, p).json()["token"]
    assert kiosk_row(srv, r.json()["id"])["paired"] is True
    ws, _ = hello(srv, token)
    ws.close()
    again = srv.post("/api/v1/kiosk/pairings/approve", json=body)
    assert again.status_code == 409 and again.json()["code"] == "already_approved"


def test_expired_pairing_is_refused(srv):
    p = start(srv)
    expire(srv, p)
    out = srv.cli("kiosks", "approve", p["code"], "--channel", "pair-late", check=False)
    assert out.returncode != 0 and "error: expired:" in out.stderr
    r = claim(srv, p)
    assert r.status_code == 410 and r.json()["code"] == "expired"

    # Approved in time but claimed too late: refused as well.
    p = start(srv)
    assert srv.post("/api/v1/kiosk/pairings/approve", json={"code": p["code"], "channel": "pair-late"}).ok
    expire(srv, p)
    assert claim(srv, p).status_code == 410


def test_unknown_and_malformed_codes(srv):
    unknown = srv.cli("kiosks", "approve", "ZZZ-999", "--channel", "x", check=False)
    assert unknown.returncode != 0 and "error: unknown_code:" in unknown.stderr
    malformed = srv.cli("kiosks", "approve", "0OI-1L0", "--channel", "x", check=False)
    assert malformed.returncode != 0 and "error: invalid_code:" in malformed.stderr
    r = srv.post("/api/v1/kiosk/pairings/approve", json={"code": "ZZZ999", "channel": "x"})
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("application/problem+json")
    r = requests.post(srv.url + "/api/v1/kiosk/pairings/not-a-pairing/claim", json={"secret": "x"}, timeout=10)
    assert r.status_code == 404


def test_each_pairing_gets_a_fresh_code_and_secret(srv):
    pairings = [start(srv) for _ in range(5)]
    assert len({p["code"] for p in pairings}) == 5 and len({p["secret"] for p in pairings}) == 5
    assert claim(srv, pairings[0], pairings[1]["secret"]).status_code == 403  # secrets are per pairing
