"""Bad uploads get a clear error (HTTP status or job error code), nothing of them
is kept where it should not be, and the appliance keeps serving."""

from __future__ import annotations

import os

import requests

from tests.conftest import slowplan

MINIMAL_DXF = b"0\nSECTION\n2\nENTITIES\n0\nLINE\n8\nA-WALL\n10\n0\n20\n0\n11\n5000\n21\n0\n0\nENDSEC\n0\nEOF\n"


def _blob_count(server) -> int:
    return sum(len(files) for _d, _s, files in os.walk(server.data_dir / "blobs") if "tmp" not in _d)


def test_bad_files_fail_clearly_and_the_appliance_stays_up(server_factory, plugin_env):
    server = server_factory(env=dict(plugin_env, FLOORCAST_UPLOADS__MAX_BYTES="200000"))

    empty = server.upload("empty.dxf", data=b"")
    assert empty.status_code == 400
    assert empty.headers["Content-Type"].startswith("application/problem+json")
    assert empty.json()["code"] == "empty_file"

    random_job = server.upload("random.dxf", data=os.urandom(50_000)).json()["job"]["id"]
    job = server.wait_job(random_job)
    assert job["status"] == "failed"
    assert job["error"]["code"] == "unsupported_format"
    assert job["error"]["stage"] == "sniff"
    assert ".dxf" in job["error"]["message"]

    truncated = MINIMAL_DXF[: len(MINIMAL_DXF) // 2]
    job = server.wait_job(server.upload("truncated.dxf", data=truncated).json()["job"]["id"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "corrupt_file", job["error"]
    assert job["error"]["stage"] == "parse"

    before = _blob_count(server)
    too_big = server.upload("big.dxf", data=b"0\nSECTION\n" + b"9" * 300_000)
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "too_large"

    # Without a Content-Length (chunked), the limit still holds while streaming.
    def chunks():
        for _ in range(40):
            yield b"x" * 10_000

    chunked = requests.post(
        server.url + "/api/v1/plans",
        headers=dict(server.auth, **{"Content-Type": "multipart/form-data; boundary=XyZ"}),
        data=_multipart_stream(chunks()),
        timeout=30,
    )
    assert chunked.status_code == 413
    assert _blob_count(server) == before, "a refused upload must not be stored"
    assert not list((server.data_dir / "blobs" / "tmp").iterdir())

    bad_options = server.upload("plan.dxf", data=MINIMAL_DXF, options="{not json")
    assert bad_options.status_code == 400 and bad_options.json()["code"] == "invalid_options"
    unknown = server.upload("plan.dxf", data=MINIMAL_DXF, options='{"colour": "red"}')
    assert unknown.status_code == 400 and "colour" in unknown.json()["detail"]

    no_auth = requests.post(server.url + "/api/v1/plans", files={"file": ("a.dxf", MINIMAL_DXF)}, timeout=10)
    assert no_auth.status_code == 401

    assert server.alive()
    assert server.get("/readyz").status_code == 200
    ok = server.wait_job(server.upload("fine.slow", data=slowplan(0.1)).json()["job"]["id"])
    assert ok["status"] == "succeeded"


def _multipart_stream(body_chunks):
    yield b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.dxf"\r\n\r\n'
    yield from body_chunks
    yield b"\r\n--XyZ--\r\n"
