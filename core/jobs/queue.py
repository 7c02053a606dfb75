"""The Huey instance and its one task. The queue only says "look at job X";
what to do is decided from the jobs table, so a lost or duplicated queue message
costs nothing (see :mod:`core.jobs.runner` and :mod:`core.jobs.watchdog`)."""

from __future__ import annotations

from huey import RedisHuey, SqliteHuey


def make_huey(appliance):
    settings = appliance.settings
    name = settings["queue"]["name"]
    backend = settings["queue"]["backend"]
    if backend == "sqlite":
        huey = SqliteHuey(name, filename=str(settings.data_dir / "queue.db"), results=False, timeout=10)
    elif backend == "redis":
        huey = RedisHuey(name, url=settings["queue"]["redis_url"], results=False)
    else:
        from core.errors import ConfigError

        raise ConfigError(f"queue backend must be sqlite or redis, not {backend!r}")

    @huey.task(name="run_job")
    def run_job_task(job_id: str) -> None:
        from core.jobs.runner import run_job

        run_job(appliance, job_id)

    huey.run_job_task = run_job_task
    return huey


def enqueue(appliance, job_id: str, delay: float = 0) -> None:
    task = appliance.huey.run_job_task
    if delay:
        task.schedule(args=(str(job_id),), delay=delay)
    else:
        task(str(job_id))
