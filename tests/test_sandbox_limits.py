"""The converter sandbox: a hang, a memory hog and a crash each fail only their
own job with a clear code, and the appliance keeps serving."""

from __future__ import annotations

from tests.conftest import slowplan


def test_limits_fail_the_job_not_the_appliance(server_factory, plugin_env):
    # The timeout leaves the hog room to reach its memory limit on a busy machine
    # (the child's start-up alone can take seconds there); the hang sleeps far longer.
    env = dict(plugin_env, FLOORCAST_JOBS__TIMEOUT_SECONDS="15", FLOORCAST_JOBS__MEMORY_MB="768")
    server = server_factory(env=env)
    hang = server.upload("hang.slow", data=slowplan(60)).json()["job"]["id"]
    hog = server.upload("hog.slow", data=slowplan(0.1, "hog")).json()["job"]["id"]
    crash = server.upload("crash.slow", data=slowplan(0.1, "abort")).json()["job"]["id"]
    good = server.upload("good.slow", data=slowplan(0.2)).json()["job"]["id"]

    results = {
        name: server.wait_job(job_id, timeout=60)
        for name, job_id in (("hang", hang), ("hog", hog), ("crash", crash), ("good", good))
    }
    assert results["hang"]["status"] == "failed"
    assert results["hang"]["error"]["code"] == "timeout"
    assert results["hog"]["error"]["code"] == "out_of_memory"
    assert results["crash"]["error"]["code"] == "converter_crashed"
    assert "signal 6" in results["crash"]["error"]["message"]
    assert results["good"]["status"] == "succeeded"
    for name in ("hang", "hog", "crash"):
        assert results[name]["error"]["message"], results[name]
        assert results[name]["attempts"] == 1, "a bad file is not retried"
    assert server.alive()
    assert server.get("/readyz").status_code == 200


def test_cancel_running_job_stops_its_converter(server_factory, plugin_env):
    server = server_factory(env=plugin_env)
    job_id = server.upload("long.slow", data=slowplan(60)).json()["job"]["id"]
    import time

    deadline = time.monotonic() + 20
    while server.get(f"/api/v1/jobs/{job_id}").json()["status"] != "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    response = server.post(f"/api/v1/jobs/{job_id}/cancel")
    assert response.status_code == 200, response.text
    job = server.wait_job(job_id, timeout=20)
    assert job["status"] == "cancelled"
    assert server.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 409
    import psutil

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        children = [
            p
            for p in psutil.Process(server.proc.pid).children(recursive=True)
            if "core.jobs.child" in " ".join(p.cmdline())
        ]
        if not children:
            break
        time.sleep(0.2)
    assert not children, "the cancelled job's converter should be stopped"
