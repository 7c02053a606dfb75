"""``floorcast jobs`` and ``floorcast worker``."""

from __future__ import annotations

import click

from core.cli.main import pass_ctx


@click.group()
def jobs():
    """Conversion jobs."""


@jobs.command("list")
@click.option("--limit", default=20, show_default=True)
@pass_ctx
def jobs_list(ctx, limit):
    """Recent jobs, newest first."""
    from core.data.models import Job

    ctx.appliance(with_queue=False)
    for job in Job.select().order_by(Job.created_at.desc()).limit(limit):
        error = f" {job.error_code}: {job.error_message}" if job.error_code else ""
        click.echo(f"{job.id}  {job.status:<9} {job.stage:<8} {job.progress * 100:5.1f}%  {job.plan.filename}{error}")


@click.command()
@pass_ctx
def worker(ctx):
    """Run only the job consumer (extra boxes sharing PostgreSQL, Redis, S3)."""
    import signal

    import gevent
    import gevent.event

    from core.jobs.consumer import start_consumer, start_watchdog

    appliance = ctx.appliance()
    appliance.plugins.notify("floorcast_startup", settings=appliance.settings.as_dict())
    consumer = start_consumer(appliance)
    watchdog = start_watchdog(appliance)
    stop = gevent.event.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(sig, stop.set)
    click.echo("floorcast worker running", err=True)
    stop.wait()
    watchdog.kill()
    consumer.stop(graceful=False)
