"""Big models as tiles end to end: the routes serving a model's tile manifest and
tiles, the manifest URL in a kiosk's ``publish``, and the kiosk page (real
Chromium) and the console preview loading a model tile by tile.

A real ``floorcast serve`` converts generated DXF plans with a tile size of a few
KB (``FLOORCAST_MODEL__TILE_MB``), so a small building comes out as several tiles;
every GLB (whole model and each tile) goes through the glTF-Validator.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.console_session import Console
from tests.dxf_factory import building_plan
from tests.gltf_validator import validate
from tests.test_kiosk_browser import (  # noqa: F401  (fixtures)
    analyser,
    assert_model_drawn,
    browser,
    canvas_png,
    context,
    convert,
    eventually,
    kiosk_value,
    needs_chromium,
    open_kiosk,
    page_errors,
    picture,
    playwright,
    save_artifact,
    wait_kiosk,
    wing_plan,
)
from tests.test_kiosk_ws import hello, kiosk_row, make_asset, provision, publish, recv, start_server

TILE_ENV = {"FLOORCAST_MODEL__TILE_MB": "0.004"}  # about 4 KB: the building plan makes several tiles
WAIT_MS = 60_000


def gltf_json(glb: bytes) -> dict:
    """The JSON chunk of a GLB."""
    length = struct.unpack_from("<I", glb, 12)[0]
    return json.loads(glb[20 : 20 + length])


def floorcast_nodes(glb: bytes) -> Counter:
    """Nodes carrying ``extras.floorcast``, per category."""
    return Counter(
        n["extras"]["floorcast"]["category"]
        for n in gltf_json(glb).get("nodes", [])
        if "floorcast" in (n.get("extras") or {})
    )


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = start_server(tmp_path_factory, TILE_ENV)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tiled(srv, tmp_path_factory) -> dict:
    """The building plan converted on ``srv``: its job's asset, with tiles."""
    tmp = tmp_path_factory.mktemp("tiled-model")
    building_plan(tmp / "building.dxf", units="m")
    asset = convert(srv, tmp / "building.dxf", tmp)["asset"]
    assert asset["tiles"] == f"/api/v1/assets/{asset['id']}/tiles"
    return asset


@pytest.fixture(scope="module")
def tiles(srv, tiled, tmp_path_factory) -> list[dict]:
    """The tiles of ``tiled`` as the manifest lists them, each with its ``bytes``
    (fetched with the admin token and validated)."""
    tmp = tmp_path_factory.mktemp("tiles")
    manifest = srv.get(tiled["tiles"]).json()
    out = []
    for tile in manifest["tiles"]:
        r = srv.get(tile["url"])
        assert r.status_code == 200, r.text
        path = tmp / tile["file"]
        path.write_bytes(r.content)
        validate(path)
        out.append(dict(tile, bytes=r.content))
    return out


# -- the routes ---------------------------------------------------------------------------


def test_manifest_and_tiles_are_served_immutable_with_their_sha256(srv, tiled):
    r = srv.get(tiled["tiles"])
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert r.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    etag = r.headers["ETag"]
    manifest = r.json()
    assert manifest["type"] == "floorcast.tiles" and manifest["version"] == 1
    assert len(manifest["tiles"]) >= 3, "the tiny tile size cuts the building in several tiles"
    assert manifest["bytes"] == sum(t["size"] for t in manifest["tiles"])
    stats = srv.get(f"/api/v1/assets/{tiled['id']}").json()["stats"]["tiles"]
    assert stats["count"] == len(manifest["tiles"]) and stats["bytes"] == manifest["bytes"]
    again = srv.get(tiled["tiles"], headers={**srv.auth, "If-None-Match": etag})
    assert again.status_code == 304

    for tile in manifest["tiles"]:
        assert tile["url"] == f"/api/v1/assets/{tiled['id']}/tiles/{tile['sha256']}"
        r = srv.get(tile["url"])
        assert r.status_code == 200 and r.headers["Content-Type"] == "model/gltf-binary"
        assert hashlib.sha256(r.content).hexdigest() == tile["sha256"] and len(r.content) == tile["size"]
        assert r.headers["ETag"] == f'"{tile["sha256"]}"'
        assert r.headers["Cache-Control"] == "private, max-age=31536000, immutable"
        assert srv.get(tile["url"], headers={**srv.auth, "If-None-Match": r.headers["ETag"]}).status_code == 304
        part = srv.get(tile["url"], headers={**srv.auth, "Range": "bytes=0-11"})
        assert part.status_code == 206 and part.content == r.content[:12]
        assert part.headers["Content-Range"] == f"bytes 0-11/{tile['size']}"


def test_tiles_need_a_user_or_a_kiosk_signature(srv, tiled):
    manifest = srv.get(tiled["tiles"]).json()
    tile_url = manifest["tiles"][0]["url"]
    for url in (tiled["tiles"], tile_url):
        r = requests.get(srv.url + url, timeout=10)
        assert r.status_code == 401 and r.headers["Content-Type"] == "application/problem+json"
        forged = requests.get(srv.url + url + "?k=x&e=9999999999&s=" + "0" * 32, timeout=10)
        assert forged.status_code == 401
    # The console's session cookie opens them like the whole GLB.
    console = Console(srv)
    assert console.get(tiled["tiles"]).json()["tiles"] == manifest["tiles"]
    assert console.get(tile_url).content == srv.get(tile_url).content


def test_a_model_without_tiles_and_a_tile_of_another_model_are_404(srv, tiled):
    whole = make_asset(srv)
    r = srv.get(f"/api/v1/assets/{whole}/tiles")
    assert r.status_code == 404 and r.json()["code"] == "no_tiles"
    assert srv.get(f"/api/v1/assets/{whole}").json()["stats"] in ({}, None)
    sha = srv.get(tiled["tiles"]).json()["tiles"][0]["sha256"]
    assert srv.get(f"/api/v1/assets/{whole}/tiles/{sha}").status_code == 404
    assert srv.get(f"{tiled['tiles']}/{'0' * 64}").status_code == 404
    assert srv.get(f"{tiled['tiles']}/not-a-sha").status_code == 404


# -- the kiosk protocol -------------------------------------------------------------------


def test_publish_carries_the_manifest_url_a_kiosk_can_follow(srv, tiled):
    kiosk_id, token = provision(srv, "tiles-ws", "Tiles")
    ws, _ = hello(srv, token)
    try:
        pub = publish(srv, "tiles-ws", tiled["id"])
        message = recv(ws)
        assert message["type"] == "publish"
        data = message["data"]
        assert {k: data[k] for k in ("channel", "version", "sha256", "size")} == {
            "channel": "tiles-ws",
            "version": pub["version"],
            "sha256": tiled["sha256"],
            "size": tiled["size"],
        }
        # Signed like the model's URL: the same query, no header needed.
        assert urlsplit(data["tiles"]).path == tiled["tiles"]
        assert urlsplit(data["tiles"]).query == urlsplit(data["url"]).query
        assert set(parse_qs(urlsplit(data["tiles"]).query)) == {"k", "e", "s"}
        manifest = requests.get(srv.url + data["tiles"], timeout=10)
        assert manifest.status_code == 200
        for tile in manifest.json()["tiles"]:
            assert urlsplit(tile["url"]).query == urlsplit(data["url"]).query
            r = requests.get(srv.url + tile["url"], timeout=10)
            assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == tile["sha256"]
        # The stored manifest is shared by both: a user's copy carries no kiosk's query.
        unsigned = srv.get(tiled["tiles"]).json()["tiles"]
        assert [t["url"] for t in unsigned] == [f"{tiled['tiles']}/{t['sha256']}" for t in unsigned]

        # The reconcile pull says the same.
        current = requests.get(srv.url + "/api/v1/kiosk/current", headers={"Authorization": f"Bearer {token}"})
        assert current.json()["data"]["tiles"] == data["tiles"]

        # A model without tiles: no field.
        publish(srv, "tiles-ws", make_asset(srv))
        assert "tiles" not in recv(ws)["data"]
    finally:
        ws.close()

    # A revoked kiosk's signed manifest and tile URLs stop working.
    tile_url = manifest.json()["tiles"][0]["url"]
    assert requests.delete(f"{srv.url}/api/v1/kiosks/{kiosk_id}", headers=srv.auth, timeout=10).status_code == 204
    for url in (data["tiles"], tile_url):
        r = requests.get(srv.url + url, timeout=10)
        assert r.status_code == 403 and r.json()["code"] == "kiosk_revoked"


def test_hello_of_a_kiosk_behind_gets_the_manifest_url(srv, tiled):
    _, token = provision(srv, "tiles-hello", "Tiles hello")
    publish(srv, "tiles-hello", tiled["id"])
    ws, _ = hello(srv, token)
    try:
        message = recv(ws)
        assert message["type"] == "publish" and urlsplit(message["data"]["tiles"]).path == tiled["tiles"]
    finally:
        ws.close()


# -- the kiosk page and the console preview in Chromium ---------------------------------


@needs_chromium
def test_kiosk_page_swaps_in_tiles_and_starts_from_them(context, srv, tiled, tiles, analyser, page_errors, tmp_path):  # noqa: F811
    """The old model stays until every tile is in; the tiles are cached for an offline start."""
    wing_plan(tmp_path / "wing.dxf")
    wing = convert(srv, tmp_path / "wing.dxf", tmp_path)["asset"]
    # First a model served whole: the wing's GLB as an asset without tiles.
    whole = make_asset(srv, srv.get(wing["url"]).content)
    kiosk_id, token = provision(srv, "tiles-page", "Tiles page")
    publish(srv, "tiles-page", whole)
    page = open_kiosk(context, srv, page_errors, token)
    wait_kiosk(page, "shownSha256", wing["sha256"])
    wait_kiosk(page, "connection", "connected")
    assert kiosk_value(page, "model")["tiles"] == 0
    start = kiosk_value(page, "frames")["rendered"]

    second = publish(srv, "tiles-page", tiled["id"])
    samples = []
    while kiosk_value(page, "shownSha256") != tiled["sha256"]:
        samples.append(canvas_png(page))  # the wing stays on screen while the tiles come in
        assert len(samples) < 200, "the tiled model never came"
    samples.append(canvas_png(page))
    for png in samples:
        assert_model_drawn(picture(analyser, png))
    save_artifact("tiles-showing.png", samples[-1])

    model = kiosk_value(page, "model")
    assert model["sha256"] == tiled["sha256"] and model["tiles"] == len(tiles)
    expected = sum((floorcast_nodes(t["bytes"]) for t in tiles), Counter())
    assert model["nodes"] == dict(expected), "every tile's nodes are in the scene"
    assert {"Lobby", "Office 101", "Hall", "Storage"} <= set(page.locator(".room-label").all_text_contents())
    frames = kiosk_value(page, "frames")
    assert frames["blank"] == 0
    shown = [f["sha256"] for f in frames["recent"] if f["frame"] > start]
    switch = shown.index(tiled["sha256"])
    assert set(shown[:switch]) <= {wing["sha256"]} and set(shown[switch:]) == {tiled["sha256"]}
    eventually(lambda: kiosk_row(srv, kiosk_id)["shown_version"] == second["version"], what="ack of the tiles")
    assert kiosk_row(srv, kiosk_id)["shown_sha256"] == tiled["sha256"]

    # Each tile is kept in Cache Storage by its sha256 (the whole model is not).
    kept = page.evaluate("caches.open('floorcast-kiosk-model').then((c) => c.keys()).then((r) => r.map((q) => q.url))")
    assert sorted(Path(u).stem for u in kept) == sorted(t["sha256"] for t in tiles)
    shown_record = page.evaluate("JSON.parse(localStorage.getItem('floorcast.kiosk.shown'))")
    assert shown_record["tiles"] == [t["sha256"] for t in tiles]

    # Starting with the box out of reach (its API refused, its socket silent): the
    # model comes from the cached tiles.
    page.route("**/api/**", lambda route: route.abort())
    page.route_web_socket("**/kiosk/ws", lambda ws: None)
    page.reload()
    wait_kiosk(page, "shownSha256", tiled["sha256"])
    failed = page.evaluate("(url) => fetch(url).then(() => 'fetched', () => 'failed')", tiles[0]["url"])
    assert failed == "failed" and kiosk_value(page, "connection") != "connected"
    model = kiosk_value(page, "model")
    assert model["tiles"] == len(tiles) and model["nodes"] == dict(expected)
    assert_model_drawn(picture(analyser, canvas_png(page)))


@needs_chromium
def test_console_preview_loads_the_tiles(browser, srv, tiled, tiles):  # noqa: F811
    from tests.test_console_browser import sign_in

    console = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        page = console.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, srv)
        fetched = []
        page.on("response", lambda r: fetched.append((r.url, r.status)))  # every response
        page.goto(f"{srv.url}/console/models/{tiled['id']}")
        page.wait_for_function("document.getElementById('viewer').dataset.loaded === 'true'", timeout=WAIT_MS)
        assert page.locator("#viewer").get_attribute("data-tiles-loaded") == str(len(tiles))
        assert sorted(u for u, s in fetched if s == 200 and "/tiles/" in u) == sorted(srv.url + t["url"] for t in tiles)
        assert any(u.split("?")[0].endswith(f"/assets/{tiled['id']}/tiles") for u, s in fetched if s == 200)
        assert not [u for u, _ in fetched if u.split("?")[0].endswith("/content")]
        assert {"Lobby", "Hall"} <= set(page.locator(".room-label").all_text_contents())
        assert not errors, errors
    finally:
        console.close()
