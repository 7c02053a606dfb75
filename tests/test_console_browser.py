"""The console in real headless Chromium against a real ``floorcast serve``: sign in,
upload a DXF through the file input, watch the job succeed, look at the 3D preview,
publish, and see a real WebSocket kiosk's version change on the kiosks page.

Screenshots of every page go to tests/_artifacts/console/ (git-ignored) for review.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.dxf_factory import building_plan
from tests.gltf_validator import validate
from tests.serverproc import ADMIN_EMAIL, ADMIN_PASSWORD, ServerProcess
from tests.test_kiosk_ws import hello, provision, recv

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts" / "console"
WAIT_MS = 60_000  # generous: a shared 2-core box renders with SwiftShader
JOB_MS = 240_000

# Decodes a PNG in the page and counts its colours (4 bits per channel).
COUNT_COLOURS = """async (b64) => {
  const image = new Image();
  image.src = "data:image/png;base64," + b64;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  const seen = new Set();
  for (let i = 0; i < data.length; i += 4) seen.add((data[i] >> 4) << 8 | (data[i + 1] >> 4) << 4 | data[i + 2] >> 4);
  return seen.size;
}"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists() or sync_playwright is None:
        pytest.skip("real-Chromium tests need /usr/bin/chromium and Playwright (./installer/install.sh --dev)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("console-browser"))
    srv.start()
    yield srv
    srv.stop()


class Pages:
    """Opens pages, records their uncaught errors and saves screenshots."""

    def __init__(self, context, name: str):
        self.context, self.name = context, name
        self.errors: list[str] = []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def new(self):
        page = self.context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda msg: msg.type == "error" and print(f"[console {msg.type}] {msg.text}"))
        return page

    def shot(self, page, name: str) -> None:
        path = ARTIFACTS / f"{self.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")


def sign_in(page, server, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, labels=("Email", "Password", "Sign in")):
    page.goto(server.url + "/console/")
    page.wait_for_url(re.compile(r".*/console/login\?next=.*"))
    page.get_by_label(labels[0]).fill(email)
    page.get_by_label(labels[1], exact=True).fill(password)
    page.get_by_role("button", name=labels[2]).click()
    page.wait_for_url(server.url + "/console/")


def colours(page, png: bytes) -> int:
    import base64

    return page.evaluate(COUNT_COLOURS, base64.b64encode(png).decode())


def test_upload_convert_preview_publish_and_see_the_kiosk_follow(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US", accept_downloads=True)
    pages = Pages(context, "en")
    page = pages.new()
    try:
        page.goto(server.url + "/console/upload")
        page.wait_for_url(re.compile(r".*/console/login.*"))
        pages.shot(page, "01-login")
        sign_in(page, server)
        pages.shot(page, "02-dashboard-first")
        page.get_by_role("link", name="Upload", exact=True).click()

        plan = tmp_path / "building.dxf"
        building_plan(plan)
        page.set_input_files("#file", str(plan))
        page.get_by_label("Drawing units").select_option("mm")
        pages.shot(page, "03-upload")
        page.get_by_role("button", name="Upload", exact=True).click()
        page.wait_for_url(re.compile(r".*/console/jobs/[0-9a-f-]+$"))
        job_id = page.url.rsplit("/", 1)[1]
        expect(page.locator("#job [data-status]")).to_have_class(re.compile("status-succeeded"), timeout=JOB_MS)
        expect(page.locator("#job-progress")).to_have_attribute("value", "1")
        expect(page.get_by_role("heading", name="Layers and their classification")).to_be_visible()
        expect(page.locator("table").filter(has_text="A-WALL")).to_contain_text("wall")
        pages.shot(page, "04-job")

        page.get_by_role("link", name="Open the 3D preview").click()
        page.wait_for_selector('#viewer[data-loaded="true"]', timeout=WAIT_MS)
        page.wait_for_timeout(500)  # let a few frames render before looking at them
        canvas = page.locator("#viewer canvas")
        before = canvas.screenshot()
        full = colours(page, before)
        assert full >= 5, f"the preview looks blank ({full} colours)"
        expect(page.locator(".room-label").first).to_be_attached()
        pages.shot(page, "05-model")
        page.get_by_label(re.compile(r"^wall \(\d+\)$")).uncheck()
        page.get_by_label("Room labels").uncheck()
        page.wait_for_timeout(300)
        pages.shot(page, "06-model-without-walls")
        assert canvas.screenshot() != before  # the toggles change what is drawn

        with page.expect_download() as download:
            page.get_by_role("link", name="Download GLB").click()
        glb = tmp_path / "download.glb"
        download.value.save_as(glb)
        assert glb.read_bytes()[:4] == b"glTF"
        validate(glb)

        # A kiosk on channel lobby, connected and shown on the kiosks page (another tab).
        kiosk_id, token = provision(server, "lobby", "Lobby screen")
        ws, _welcome = hello(server, token)
        kiosks = pages.new()
        kiosks.goto(server.url + "/console/kiosks")
        row = kiosks.locator(f'tr[data-kiosk="{kiosk_id}"]')
        expect(row.locator('[data-field="version"]')).to_have_text("–")
        expect(row.locator('[data-field="status"]')).to_contain_text("online")

        page.get_by_label("Channel").fill("lobby")
        page.get_by_role("button", name="Publish", exact=True).click()
        expect(page.locator("#publish-status")).to_contain_text("v1")
        message = recv(ws, timeout=30)
        assert message["type"] == "publish" and message["data"]["version"] == 1, message
        ws.send(json.dumps({"type": "ack", "data": {"version": 1}}))
        expect(row.locator('[data-field="version"]')).to_have_text("v1", timeout=WAIT_MS)  # live, no reload
        pages.shot(kiosks, "07-kiosks")
        ws.close()

        for name, path in (
            ("08-dashboard", "/console/"),
            ("09-jobs", "/console/jobs"),
            ("10-channels", "/console/channels"),
            ("11-plugins", "/console/plugins"),
            ("12-settings", "/console/settings"),
            ("13-audit", "/console/audit"),
            ("14-users", "/console/users"),
            ("15-tokens", "/console/tokens"),
            ("16-account", "/console/account"),
        ):
            page.goto(server.url + path)
            pages.shot(page, name)
        page.goto(server.url + "/console/channels")
        expect(page.locator("#channel-lobby")).to_contain_text("v1")
        page.goto(server.url + "/console/audit")
        expect(page.locator("table")).to_contain_text("channel.publish")
        expect(page.locator("table")).to_contain_text("plan.upload")
        page.goto(server.url + f"/console/jobs/{job_id}")
        expect(page.locator("#job [data-status]")).to_have_text("succeeded")
    except Exception:
        pages.shot(page, "failure")
        raise
    finally:
        context.close()
    assert not pages.errors, pages.errors


def test_korean_console_and_keyboard_sign_in(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="ko-KR")
    pages = Pages(context, "ko")
    page = pages.new()
    try:
        page.goto(server.url + "/console/")
        expect(page.get_by_role("heading", name="로그인")).to_be_visible()
        pages.shot(page, "01-login")
        # keyboard only: the email field has focus, Tab moves on, Enter submits
        page.keyboard.type(ADMIN_EMAIL)
        page.keyboard.press("Tab")
        page.keyboard.type(ADMIN_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(server.url + "/console/")
        expect(page.get_by_role("heading", name="대시보드", level=1)).to_be_visible()
        pages.shot(page, "02-dashboard")
        page.goto(server.url + "/console/upload")
        expect(page.get_by_label("도면 단위")).to_be_visible()
        pages.shot(page, "03-upload")
    finally:
        context.close()
    assert not pages.errors, pages.errors


# Drops a file on the upload zone the way a browser does for a dragged file.
DROP_FILE = """([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "application/dxf" }));
  const zone = document.getElementById("dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


def test_pair_a_kiosk_page_drop_a_plan_and_take_a_screenshot(server, browser, tmp_path):
    """Staff pair a real kiosk page by typing its code, drop a plan on the upload
    zone, publish it to the kiosk's channel, and ask the kiosk for a screenshot."""
    import base64

    kiosk_context = browser.new_context(viewport={"width": 800, "height": 450})
    console_context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    pages = Pages(console_context, "en-kiosk")
    page = pages.new()
    kiosk = kiosk_context.new_page()
    kiosk.set_default_timeout(WAIT_MS)
    try:
        kiosk.goto(server.url + "/kiosk")
        kiosk.wait_for_function("/^[A-Z0-9]{3}-[A-Z0-9]{3}$/.test(document.getElementById('pairing-code').textContent)")
        code = kiosk.locator("#pairing-code").text_content()

        sign_in(page, server)
        page.goto(server.url + "/console/kiosks")
        page.get_by_label("Code on the kiosk's screen").fill(code)
        pairing = page.locator("form").filter(has=page.get_by_label("Code on the kiosk's screen"))
        pairing.get_by_label("Channel", exact=True).fill("hall")
        pairing.get_by_label("Name (optional)").fill("Hall screen")
        pairing.get_by_role("button", name="Pair", exact=True).click()
        kiosk.wait_for_function("document.body.dataset.state === 'waiting'")

        page.goto(server.url + "/console/upload")
        plan = tmp_path / "dropped.dxf"
        building_plan(plan)
        page.evaluate(DROP_FILE, [plan.name, base64.b64encode(plan.read_bytes()).decode()])
        assert page.evaluate("document.getElementById('file').files[0].name") == "dropped.dxf"
        page.get_by_label("Drawing units").select_option("mm")
        page.get_by_role("button", name="Upload", exact=True).click()
        page.wait_for_url(re.compile(r".*/console/jobs/[0-9a-f-]+$"))
        expect(page.locator("#job [data-status]")).to_have_class(re.compile("status-succeeded"), timeout=JOB_MS)
        page.get_by_role("link", name="Open the 3D preview").click()
        page.get_by_label("Channel").fill("hall")
        page.get_by_role("button", name="Publish", exact=True).click()
        # Said by the page's script, or by the page the form posted to when the
        # click came before the script (three.js) had loaded.
        expect(page.get_by_role("status").filter(has_text="Published v1 to hall")).to_be_visible()
        kiosk.wait_for_function("window.floorcastKiosk && window.floorcastKiosk.shownVersion === 1")

        page.goto(server.url + "/console/kiosks")
        row = page.locator("tr").filter(has_text="Hall screen")
        expect(row.locator('[data-field="version"]')).to_have_text("v1", timeout=WAIT_MS)
        row.get_by_text("Manage").click()
        row.get_by_role("button", name="Screenshot").click()
        shot = row.locator("img[data-screenshot]")
        expect(shot).to_be_visible(timeout=WAIT_MS)
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=shot.element_handle())
        pages.shot(page, "kiosk-screenshot")
    except Exception:
        pages.shot(page, "kiosk-failure")
        raise
    finally:
        console_context.close()
        kiosk_context.close()
    assert not pages.errors, pages.errors
