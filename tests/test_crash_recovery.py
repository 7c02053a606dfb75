"""A kill -9 of the appliance mid-conversion: after restart the job finishes
exactly once, with one asset and one publication, and no converter is orphaned."""

from __future__ import annotations

import time

import psutil

from tests.conftest import slowplan
from tests.dbcheck import job_id_db, query


def test_kill_9_during_conversion_finishes_exactly_once(server_factory, plugin_env):
    env = dict(plugin_env, FLOORCAST_JOBS__LEASE_SECONDS="5", FLOORCAST_JOBS__WATCHDOG_SECONDS="1")
    server = server_factory(env=env)
    job_id = server.upload("plan.slow", data=slowplan(3), channel="lobby").json()["job"]["id"]

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = server.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] == "running" and job["stage"] == "parse":
            break
        time.sleep(0.1)
    assert job["status"] == "running", job
    converters = [
        p
        for p in psutil.Process(server.proc.pid).children(recursive=True)
        if "core.jobs.child" in " ".join(p.cmdline())
    ]
    assert converters, "the conversion should run in a child process"

    server.kill()
    gone, alive = psutil.wait_procs(converters, timeout=10)
    assert not alive, "the converter child must die with the appliance"
    assert query(server.data_dir, "select status from job where id = ?", job_id_db(job_id)) == [("running",)]

    server.start()
    job = server.wait_job(job_id, timeout=90)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2
    assert job["asset"] is not None

    time.sleep(1.5)  # give a wrongly duplicated run or publication time to show up
    assert query(server.data_dir, "select count(*) from asset") == [(1,)]
    pubs = server.get("/api/v1/channels/lobby/publications").json()["items"]
    assert [(p["version"], p["job"]) for p in pubs] == [(1, job_id)]
    assert query(server.data_dir, "select count(*) from job where status = 'succeeded'") == [(1,)]


def test_succeeded_job_is_published_by_the_watchdog_if_publishing_was_cut_off(server_factory, plugin_env):
    """A crash between 'succeeded' and the publication: the watchdog publishes it, once."""
    env = dict(plugin_env, FLOORCAST_JOBS__WATCHDOG_SECONDS="1")
    server = server_factory(env=env)
    job_id = server.upload("plan.slow", data=slowplan(0.1)).json()["job"]["id"]
    assert server.wait_job(job_id)["status"] == "succeeded"
    server.stop()
    # The state a crash right after the job's final update leaves behind.
    import sqlite3

    con = sqlite3.connect(server.data_dir / "floorcast.db")
    with con:
        con.execute("update job set channel = 'lobby' where id = ?", (job_id_db(job_id),))
    con.close()
    server.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pubs = server.get("/api/v1/channels/lobby/publications").json()["items"]
        if pubs:
            break
        time.sleep(0.2)
    assert [(p["version"], p["job"]) for p in pubs] == [(1, job_id)]
    time.sleep(2.5)  # more watchdog passes must not publish it again
    assert len(server.get("/api/v1/channels/lobby/publications").json()["items"]) == 1
