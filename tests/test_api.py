"""The HTTP API around jobs, assets and channels, against a real server."""

from __future__ import annotations

import requests

from tests.conftest import slowplan


def test_openapi_and_docs_are_served_by_the_box(server):
    spec = requests.get(server.url + "/api/openapi.json", timeout=10).json()
    for path in (
        "/api/v1/plans",
        "/api/v1/jobs/{job_id}",
        "/api/v1/channels/{name}/publications",
        "/api/v1/assets/{asset_id}/content",
    ):
        assert path in spec["paths"], path
    docs = requests.get(server.url + "/api/docs", timeout=10)
    assert docs.status_code == 200
    assert "/api/docs/static/swagger-ui-bundle.js" in docs.text
    assert "//cdn" not in docs.text and "unpkg" not in docs.text
    bundle = requests.get(server.url + "/api/docs/static/swagger-ui-bundle.js", timeout=10)
    assert bundle.status_code == 200 and len(bundle.content) > 100_000


def test_errors_are_problem_json(server):
    missing = server.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    body = missing.json()
    assert body["status"] == 404 and body["code"] == "not_found" and body["title"] == "Not Found"
    assert server.get("/api/v1/jobs/not-a-uuid").status_code == 404
    bad = requests.get(server.url + "/api/v1/jobs", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert bad.status_code == 401 and bad.json()["code"] == "unauthorized"
    assert requests.get(server.url + "/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(server.url + "/readyz", timeout=5).json()
    assert ready["checks"] == {"database": "ok", "storage": "ok", "queue": "ok"}


def test_jobs_list_publish_rollback_and_reuse(server_factory, plugin_env):
    server = server_factory(env=plugin_env)
    first = server.wait_job(server.upload("a.slow", data=slowplan(0.1)).json()["job"]["id"])
    second = server.wait_job(server.upload("b.slow", data=slowplan(0.2)).json()["job"]["id"])
    again = server.wait_job(server.upload("a-again.slow", data=slowplan(0.1)).json()["job"]["id"])
    assert again["asset"]["id"] == first["asset"]["id"], "same bytes + same options reuse the asset"

    items = server.get("/api/v1/jobs").json()["items"]
    assert [j["id"] for j in items[:3]] == [again["id"], second["id"], first["id"]]
    assert set(items[0]) >= {"id", "status", "stage", "progress", "error", "asset"}

    v1 = server.post("/api/v1/channels/hall/publications", json={"asset": first["asset"]["id"]})
    assert v1.status_code == 201 and v1.json()["version"] == 1
    v2 = server.post("/api/v1/channels/hall/publications", json={"asset": second["asset"]["id"]})
    assert v2.json()["version"] == 2
    back = server.post("/api/v1/channels/hall/rollback", json={"version": 1})
    assert back.status_code == 201
    assert back.json()["version"] == 3 and back.json()["asset"]["id"] == first["asset"]["id"]
    history = server.get("/api/v1/channels/hall/publications").json()["items"]
    assert [(p["version"], p["note"], p["published_by"]) for p in history] == [
        (3, "rollback to v1", "admin@example.com"),
        (2, "publish", "admin@example.com"),
        (1, "publish", "admin@example.com"),
    ]
    assert server.post("/api/v1/channels/hall/publications", json={"asset": "nope"}).status_code == 404

    asset = server.get(f"/api/v1/assets/{first['asset']['id']}").json()
    assert asset["sha256"] == first["asset"]["sha256"] and asset["stats"]
    ranged = server.get(first["asset"]["url"], headers=dict(server.auth, Range="bytes=0-3"))
    assert ranged.status_code == 206 and ranged.content == b"glTF"
