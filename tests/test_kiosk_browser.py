"""The kiosk page (``/kiosk``) in real headless Chromium against a real ``floorcast serve``.

Models are real conversions of generated DXF plans (each GLB checked by the
Khronos glTF-Validator). Page screenshots are saved under ``tests/_artifacts/``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from pathlib import Path

import ezdxf
import pytest
import requests
from flask import Flask

from tests.dxf_factory import building_plan
from tests.gltf_validator import validate
from tests.test_kiosk_ws import KIOSK_ENV, kiosk_row, provision, publish, start_server
from web.kiosk.page import create_blueprint

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
VIEWPORT = {"width": 960, "height": 540}
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts" / "kiosk_browser"
BACKGROUND = (243, 244, 246)  # the viewer's clear colour (#f3f4f6)
WAIT_MS = 60_000  # generous: a shared 2-core box renders with SwiftShader

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() or sync_playwright is None,
    reason="real-Chromium tests need /usr/bin/chromium and Playwright (./installer/install.sh --dev installs both)",
)


# -- plans and models ------------------------------------------------------------------


def wing_plan(path: Path) -> None:
    """A 30 x 10 m wing in metres: three rooms in a row, centre-line walls with door gaps."""
    doc = ezdxf.new("R2010", setup=True)
    doc.header["$INSUNITS"] = 6
    for name in ("A-WALL", "RM$", "A-IDEN-NUMR"):
        doc.layers.add(name)
    msp = doc.modelspace()
    wall = {"layer": "A-WALL"}
    msp.add_lwpolyline([(0, 0), (30, 0), (30, 10), (0, 10)], close=True, dxfattribs=wall)
    msp.add_lwpolyline([(0.3, 0.3), (29.7, 0.3), (29.7, 9.7), (0.3, 9.7)], close=True, dxfattribs=wall)
    for x in (10, 20):
        msp.add_line((x, 0.3), (x, 4), dxfattribs=wall)
        msp.add_line((x, 5), (x, 9.7), dxfattribs=wall)
    for name, (x0, x1) in {"Cafe": (0.3, 9.9), "Shop": (10.1, 19.9), "Gallery": (20.1, 29.7)}.items():
        msp.add_lwpolyline([(x0, 0.3), (x1, 0.3), (x1, 9.7), (x0, 9.7)], close=True, dxfattribs={"layer": "RM$"})
        msp.add_text(name, height=0.4, dxfattribs={"layer": "A-IDEN-NUMR"}).set_placement(((x0 + x1) / 2, 5))
    doc.saveas(path)


def convert(server, path: Path, tmp: Path, **form) -> dict:
    """Upload ``path`` (publishing to ``form["channel"]`` if given) and wait for its job;
    the resulting GLB goes through the glTF-Validator. Returns the job."""
    upload = server.upload(path, **form)
    assert upload.status_code == 202, upload.text
    job = server.wait_job(upload.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    glb = server.get(job["asset"]["url"])
    assert glb.status_code == 200 and hashlib.sha256(glb.content).hexdigest() == job["asset"]["sha256"]
    out = tmp / f"{job['asset']['sha256'][:12]}.glb"
    out.write_bytes(glb.content)
    validate(out)
    return job


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = start_server(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def models(srv, tmp_path_factory) -> dict[str, dict]:
    """Two converted plans on ``srv`` (not published): ``building`` and ``wing`` assets."""
    tmp = tmp_path_factory.mktemp("kiosk-models")
    building_plan(tmp / "building.dxf")
    wing_plan(tmp / "wing.dxf")
    return {name: convert(srv, tmp / f"{name}.dxf", tmp)["asset"] for name in ("building", "wing")}


# -- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def playwright():
    if not CHROMIUM.exists() or sync_playwright is None:
        pytest.skip("real-Chromium tests need /usr/bin/chromium and Playwright (./installer/install.sh --dev)")
    with sync_playwright() as pw:
        yield pw


def launch_options() -> dict:
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def browser(playwright):
    browser = playwright.chromium.launch(**launch_options())
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=VIEWPORT)
    yield context
    context.close()


@pytest.fixture(scope="module")
def analyser(browser):
    """A blank page whose image decoder reads the PNGs under test."""
    page = browser.new_page()
    yield page
    page.close()


class PageErrors(list):
    """Uncaught exceptions of a page: none is expected."""

    def watch(self, page):
        page.on("pageerror", lambda error: self.append(str(error)))
        page.on("console", lambda msg: print(f"[kiosk console {msg.type}] {msg.text}"))
        page.on("response", lambda r: r.status >= 400 and print(f"[kiosk HTTP {r.status}] {r.url}"))
        return page


@pytest.fixture
def page_errors():
    errors = PageErrors()
    yield errors
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def open_kiosk(context, server, errors: PageErrors, token: str | None = None):
    page = errors.watch(context.new_page())
    if token:
        page.goto(server.url + "/healthz")  # same origin: put the token where the page keeps it
        page.evaluate("token => localStorage.setItem('floorcast.kiosk.token', token)", token)
    page.goto(server.url + "/kiosk")
    return page


def kiosk_value(page, name: str):
    return page.evaluate(f"window.floorcastKiosk && window.floorcastKiosk.{name}")


def wait_kiosk(page, name: str, value, timeout: float = WAIT_MS) -> None:
    """Wait until ``window.floorcastKiosk[name] === value``."""
    page.wait_for_function(
        "([name, value]) => window.floorcastKiosk && window.floorcastKiosk[name] === value",
        arg=[name, value],
        timeout=timeout,
    )


def eventually(check, timeout: float = 30, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def save_artifact(name: str, data: bytes) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(data)
    print(f"kiosk screenshot: {path}")
    return path


PICTURE_STATS = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0);
  const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const counts = new Map();
  let background = 0;
  const [br, bg, bb] = BACKGROUND;
  for (let i = 0; i < data.length; i += 4) {
    const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    counts.set(key, (counts.get(key) || 0) + 1);
    if (Math.abs(data[i] - br) <= 3 && Math.abs(data[i + 1] - bg) <= 3 && Math.abs(data[i + 2] - bb) <= 3) {
      background += 1;
    }
  }
  const pixels = data.length / 4;
  const significant = [...counts.values()].filter((n) => n >= pixels * 0.002).length;
  const { width, height } = bitmap;
  return { width, height, colours: counts.size, significant, background: background / pixels };
}""".replace("BACKGROUND", json.dumps(BACKGROUND))


def picture(analyser, png: bytes) -> dict:
    """Width, height, distinct colours, colours covering >= 0.2 % of the picture, and
    the share of background pixels, as Chromium's own PNG decoder reads them."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    return analyser.evaluate(PICTURE_STATS, base64.b64encode(png).decode())


def assert_model_drawn(stats: dict) -> None:
    """A floor plan, not an empty (or single-colour) canvas."""
    assert stats["significant"] >= 4, f"too few colours for a floor plan: {stats}"
    assert stats["background"] < 0.8, f"mostly background: {stats}"


OVERLAYS_HIDDEN = "#pairing, #message, #legend, #status, #identify, .labels { visibility: hidden !important; }"


def canvas_png(page) -> bytes:
    """The 3D view as the screen shows it, without the HTML overlays on top of it."""
    return page.locator("#viewer canvas").screenshot(style=OVERLAYS_HIDDEN)


# -- the page's HTTP routes (no browser needed) ------------------------------------------


def test_page_shell_is_served_with_versions_and_caching(srv):
    page = requests.get(srv.url + "/kiosk", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-cache"
    version = page.headers["X-Floorcast-Shell"]
    assert f'<meta name="floorcast-shell" content="{version}">' in page.text
    imports = json.loads(re.search(r'<script type="importmap">(.*?)</script>', page.text, re.S).group(1))["imports"]
    three = json.loads((Path(__file__).resolve().parent.parent / "node_modules/three/package.json").read_text())
    assert imports["three"] == f"/kiosk/vendor/three@{three['version']}/build/three.module.js"
    assert "http" not in page.text.split("<body")[0], "no CDN: everything comes from the box"

    worker = requests.get(srv.url + "/kiosk/sw.js", timeout=10)
    assert worker.status_code == 200 and "javascript" in worker.headers["Content-Type"]
    assert worker.headers["Service-Worker-Allowed"] == "/kiosk" and worker.headers["Cache-Control"] == "no-cache"
    head = worker.text.splitlines()
    assert head[0] == f"const SHELL_VERSION = {json.dumps(version)};"
    shell_files = json.loads(head[1].removeprefix("const SHELL_FILES = ").rstrip(";"))
    # The worker's install fails as a whole if any file it precaches is missing.
    assert "/kiosk" in shell_files and f"/kiosk/static/{version}/main.js" in shell_files
    for url in shell_files:
        r = requests.get(srv.url + url, timeout=10)
        assert r.status_code == 200, url
        if url != "/kiosk":
            assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
    for module in re.findall(r'from "\./([a-z_0-9]+\.js)"', requests.get(srv.url + shell_files[1], timeout=10).text):
        assert f"/kiosk/static/{version}/{module}" in shell_files

    assert requests.get(srv.url + "/kiosk/static/0123456789ab/main.js", timeout=10).status_code == 404
    vendor = f"/kiosk/vendor/three@{three['version']}/"
    assert requests.get(srv.url + vendor + "package.json", timeout=10).status_code == 404
    assert requests.get(srv.url + "/kiosk/vendor/three@0.0.1/build/three.module.js", timeout=10).status_code == 404


def test_page_without_three_says_so(tmp_path):
    app = Flask(__name__)
    app.register_blueprint(create_blueprint(tmp_path / "node_modules"))
    client = app.test_client()
    for path in ("/kiosk", "/kiosk/sw.js"):
        r = client.get(path)
        assert r.status_code == 503 and r.headers["Retry-After"] == "60"
        assert "node_modules/three is missing" in r.get_data(as_text=True)


# -- the page in Chromium ----------------------------------------------------------------


@needs_chromium
def test_sha256_without_crypto_subtle_matches_hashlib(context, srv, page_errors):
    """Kiosks on plain HTTP have no crypto.subtle: the page's own SHA-256 must agree."""
    page = open_kiosk(context, srv, page_errors)
    page.wait_for_function("document.body.dataset.state === 'pairing'", timeout=WAIT_MS)
    sizes = [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_000]
    digests = page.evaluate(
        """async (sizes) => {
          const url = new URL("sha256.js", document.querySelector("script[type=module]").src);
          const { sha256Bytes } = await import(url.href);
          const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
          return sizes.map((n) => hex(sha256Bytes(Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) % 256))));
        }""",
        sizes,
    )
    expected = [hashlib.sha256(bytes((i * 31 + 7) % 256 for i in range(n))).hexdigest() for n in sizes]
    assert digests == expected


@needs_chromium
def test_page_pairs_through_the_code_on_screen(context, srv, page_errors):
    page = open_kiosk(context, srv, page_errors)
    page.wait_for_function("document.body.dataset.state === 'pairing'", timeout=WAIT_MS)
    code_box = page.locator("#pairing-code")
    page.wait_for_function(
        "/^[A-Z0-9]{3}-[A-Z0-9]{3}$/.test(document.getElementById('pairing-code').textContent)", timeout=WAIT_MS
    )
    code = code_box.text_content()
    assert code_box.bounding_box()["height"] > VIEWPORT["height"] / 8, "the code is shown big"
    save_artifact("pairing.png", page.screenshot())
    assert kiosk_value(page, "state") == "pairing"
    assert not page.evaluate("localStorage.getItem('floorcast.kiosk.token')")

    srv.cli("kiosks", "approve", code, "--channel", "browser-pair", "--name", "Browser lobby")
    wait_kiosk(page, "connection", "connected")
    assert kiosk_value(page, "state") == "waiting"
    assert page.locator("#pairing").is_hidden()
    assert "browser-pair" in page.locator("#message").text_content()
    assert page.evaluate("localStorage.getItem('floorcast.kiosk.token')")

    row = eventually(
        lambda: next((k for k in srv.get("/api/v1/kiosks").json()["items"] if k["name"] == "Browser lobby"), None),
        what="the approved kiosk",
    )
    row = eventually(lambda: kiosk_row(srv, row["id"])["online"] and kiosk_row(srv, row["id"]), what="kiosk online")
    assert row["channel"] == "browser-pair" and "HeadlessChrome" in row["user_agent"]
    assert row["screen"] == f"{VIEWPORT['width']}x{VIEWPORT['height']}"
    save_artifact("paired-waiting.png", page.screenshot())

    page.set_viewport_size({"width": 800, "height": 600})  # the page reports its new size
    eventually(lambda: kiosk_row(srv, row["id"])["screen"] == "800x600", what="status {screen} after a resize")


@needs_chromium
def test_published_plan_is_drawn_and_acked(context, srv, analyser, page_errors, tmp_path):
    kiosk_id, token = provision(srv, "browser-show", "Show")
    page = open_kiosk(context, srv, page_errors, token)
    wait_kiosk(page, "connection", "connected")
    assert kiosk_value(page, "state") == "waiting"
    assert picture(analyser, canvas_png(page))["significant"] == 1, "nothing drawn before a publication"

    plan = tmp_path / "venue.dxf"
    building_plan(plan, units="m")
    job = convert(srv, plan, tmp_path, channel="browser-show")  # published by the pipeline
    wait_kiosk(page, "shownSha256", job["asset"]["sha256"])
    assert kiosk_value(page, "state") == "showing" and kiosk_value(page, "shownVersion") == 1

    png = canvas_png(page)
    save_artifact("showing-canvas.png", png)
    save_artifact("showing-page.png", page.screenshot())
    stats = picture(analyser, png)
    assert (stats["width"], stats["height"]) == (VIEWPORT["width"], VIEWPORT["height"])
    assert_model_drawn(stats)
    labels = page.locator(".room-label").all_text_contents()
    assert {"Lobby", "Office 101", "Hall", "Storage"} <= set(labels)
    legend = page.locator("#legend li").all_text_contents()
    assert {"Walls", "Rooms", "Floor"} <= set(legend) and "Windows" not in legend
    assert page.locator("#status-text").text_content() == "connected"

    row = eventually(lambda: kiosk_row(srv, kiosk_id)["shown_version"] == 1 and kiosk_row(srv, kiosk_id), what="ack")
    assert row["shown_sha256"] == job["asset"]["sha256"] and row["online"]

    # Kept across reloads.
    page.reload()
    wait_kiosk(page, "shownSha256", job["asset"]["sha256"])
    wait_kiosk(page, "connection", "connected")
    assert page.evaluate("JSON.parse(localStorage.getItem('floorcast.kiosk.shown')).version") == 1


@needs_chromium
def test_second_publication_swaps_without_a_blank_frame(context, srv, models, analyser, page_errors):
    building, wing = models["building"], models["wing"]
    kiosk_id, token = provision(srv, "browser-swap", "Swap")
    first = publish(srv, "browser-swap", building["id"])
    page = open_kiosk(context, srv, page_errors, token)
    wait_kiosk(page, "shownSha256", building["sha256"])
    wait_kiosk(page, "connection", "connected")
    before = canvas_png(page)
    assert_model_drawn(picture(analyser, before))
    save_artifact("swap-before.png", before)
    start = kiosk_value(page, "frames")["rendered"]

    second = publish(srv, "browser-swap", wing["id"])
    samples = []
    while kiosk_value(page, "shownSha256") != wing["sha256"]:
        samples.append(canvas_png(page))
        assert len(samples) < 200, "the second model never came"
    samples.append(canvas_png(page))
    for png in samples:
        assert_model_drawn(picture(analyser, png))
    save_artifact("swap-after.png", samples[-1])
    assert kiosk_value(page, "shownVersion") == second["version"] == first["version"] + 1

    # Every frame drawn meanwhile showed a model: the old one, then the new one.
    page.wait_for_function(f"window.floorcastKiosk.frames.rendered > {start + 2}", timeout=WAIT_MS)
    frames = kiosk_value(page, "frames")
    assert frames["blank"] == 0
    recent = [f for f in frames["recent"] if f["frame"] > start]
    assert recent and all(f["meshes"] > 0 for f in recent), recent
    shown = [f["sha256"] for f in recent]
    switch = shown.index(wing["sha256"])
    assert set(shown[:switch]) <= {building["sha256"]} and set(shown[switch:]) == {wing["sha256"]}
    assert {"Cafe", "Shop", "Gallery"} == set(page.locator(".room-label").all_text_contents())
    eventually(lambda: kiosk_row(srv, kiosk_id)["shown_version"] == second["version"], what="ack of version 2")

    # A publication of the model already shown is acknowledged without a reload of it.
    rendered = kiosk_value(page, "frames")["recent"][-1]["frame"]
    third = publish(srv, "browser-swap", wing["id"])
    wait_kiosk(page, "shownVersion", third["version"])
    eventually(lambda: kiosk_row(srv, kiosk_id)["shown_version"] == third["version"], what="ack of version 3")
    after = [f for f in kiosk_value(page, "frames")["recent"] if f["frame"] > rendered]
    assert all(f["sha256"] == wing["sha256"] for f in after)


@needs_chromium
def test_rebooted_kiosk_shows_its_last_model_while_the_box_is_down(
    playwright, server_factory, analyser, page_errors, tmp_path
):
    server = server_factory(env=KIOSK_ENV)
    kiosk_id, token = provision(server, "browser-offline", "Offline")
    plan = tmp_path / "venue.dxf"
    building_plan(plan)
    job = convert(server, plan, tmp_path, channel="browser-offline")
    sha = job["asset"]["sha256"]
    profile = tmp_path / "chromium-profile"  # the kiosk's disk: kept across the "reboot"

    context = playwright.chromium.launch_persistent_context(profile, viewport=VIEWPORT, **launch_options())
    try:
        page = open_kiosk(context, server, page_errors, token)
        wait_kiosk(page, "shownSha256", sha)
        # The service worker controls the page and the model is in Cache Storage.
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=WAIT_MS)

        def cached():
            names = page.evaluate("caches.keys()")
            shells = [n for n in names if n.startswith("floorcast-kiosk-shell-")]
            return "floorcast-kiosk-model" in names and shells

        assert len(eventually(cached, what="shell and model caches")) == 1
    finally:
        context.close()

    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/kiosk", timeout=5)

    context = playwright.chromium.launch_persistent_context(profile, viewport=VIEWPORT, **launch_options())
    try:
        page = page_errors.watch(context.pages[0] if context.pages else context.new_page())
        page.goto(server.url + "/kiosk")  # answered by the service worker: the box is down
        wait_kiosk(page, "shownSha256", sha)
        wait_kiosk(page, "state", "offline")
        assert page.locator("#status-text").text_content() == "offline"
        assert page.locator("#status").is_visible()
        png = canvas_png(page)
        save_artifact("offline-reboot.png", page.screenshot())
        assert_model_drawn(picture(analyser, png))
        assert not page.locator("#pairing").is_visible()

        # The box comes back: the kiosk reconnects by itself and says what it shows.
        server.start()
        wait_kiosk(page, "connection", "connected", timeout=90_000)
        assert kiosk_value(page, "state") == "showing"
        row = eventually(lambda: kiosk_row(server, kiosk_id)["online"] and kiosk_row(server, kiosk_id), what="online")
        assert row["shown_sha256"] == sha and row["shown_version"] == 1
    finally:
        context.close()


@needs_chromium
def test_identify_screenshot_and_revocation(context, srv, models, analyser, page_errors):
    building = models["building"]
    kiosk_id, token = provision(srv, "browser-commands", "Front desk")
    publish(srv, "browser-commands", building["id"])
    page = open_kiosk(context, srv, page_errors, token)
    wait_kiosk(page, "shownSha256", building["sha256"])
    wait_kiosk(page, "connection", "connected")

    r = srv.post(f"/api/v1/kiosks/{kiosk_id}/commands", json={"command": "identify"})
    assert r.status_code == 202 and r.json()["delivered"] == 1
    overlay = page.locator("#identify")
    overlay.wait_for(state="visible", timeout=WAIT_MS)
    assert page.locator("#identify-name").text_content() == "Front desk"
    save_artifact("identify.png", page.screenshot())
    overlay.wait_for(state="hidden", timeout=WAIT_MS)  # after the 10 s the command asks for

    r = srv.post(f"/api/v1/kiosks/{kiosk_id}/commands", json={"command": "screenshot"})
    assert r.status_code == 202 and r.json()["delivered"] == 1
    shot = eventually(
        lambda: (s := srv.get(f"/api/v1/kiosks/{kiosk_id}/screenshot")).status_code == 200 and s,
        what="the uploaded screenshot",
    )
    assert shot.headers["Content-Type"] == "image/png"
    save_artifact("kiosk-screenshot.png", shot.content)
    stats = picture(analyser, shot.content)
    assert (stats["width"], stats["height"]) == (VIEWPORT["width"], VIEWPORT["height"])
    assert_model_drawn(stats)
    assert kiosk_row(srv, kiosk_id)["screenshot_at"]

    # Revoked: the socket closes with 4401, the page forgets its token and model and pairs again.
    assert requests.delete(f"{srv.url}/api/v1/kiosks/{kiosk_id}", headers=srv.auth, timeout=10).status_code == 204
    wait_kiosk(page, "state", "pairing")
    page.wait_for_function(
        "/^[A-Z0-9]{3}-[A-Z0-9]{3}$/.test(document.getElementById('pairing-code').textContent)", timeout=WAIT_MS
    )
    assert page.evaluate("localStorage.getItem('floorcast.kiosk.token')") is None
    assert kiosk_value(page, "shownSha256") is None
    assert page.evaluate("caches.has('floorcast-kiosk-model')") is False
    save_artifact("revoked-pairing.png", page.screenshot())


@needs_chromium
def test_without_webgl_the_screen_says_so(playwright, srv):
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, "--disable-3d-apis"])
    try:
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(srv.url + "/kiosk")
        page.wait_for_function("document.body.dataset.state === 'unsupported'", timeout=WAIT_MS)
        assert "WebGL is not available" in page.locator("#message").text_content()
        assert page.locator("#message").is_visible()
    finally:
        browser.close()
