"""A job's preview: drawn by the converter child, stored with the asset, served to
users at the asset's ``preview`` URL and shown on the console's job and model
pages; against a real server."""

from __future__ import annotations

import io

import requests
from PIL import Image

from tests import dxf_factory
from tests.console_session import Console
from tests.gltf_validator import validate


def test_a_jobs_asset_carries_a_preview_users_can_see(server, tmp_path):
    plan = tmp_path / "building.dxf"
    dxf_factory.building_plan(plan)
    job = server.wait_job(server.upload(plan).json()["job"]["id"])
    assert job["status"] == "succeeded", job
    asset = job["asset"]
    assert asset["preview"] == f"/api/v1/assets/{asset['id']}/preview"
    assert server.get(f"/api/v1/assets/{asset['id']}").json()["preview"] == asset["preview"]
    glb = tmp_path / "model.glb"
    glb.write_bytes(server.get(asset["url"]).content)
    validate(glb)

    png = server.get(asset["preview"])
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG" and max(image.size) == 1600
    assert (
        server.get(asset["preview"], headers=dict(server.auth, **{"If-None-Match": png.headers["ETag"]})).status_code
        == 304
    )

    anonymous = requests.get(server.url + asset["preview"], timeout=10)
    assert anonymous.status_code in (401, 403) and anonymous.headers["Content-Type"] == "application/problem+json"
    assert server.get("/api/v1/assets/00000000-0000-0000-0000-000000000000/preview").status_code == 404

    admin = Console(server)
    for page in (f"/console/jobs/{job['id']}", f"/console/models/{asset['id']}"):
        html = admin.get(page).text
        assert f'<img src="{asset["preview"]}"' in html, page
    seen = admin.get(asset["preview"])  # the console's session opens it as the page does
    assert seen.status_code == 200 and seen.content == png.content
