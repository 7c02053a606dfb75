"""Job transitions: each one a guarded UPDATE in core/jobs/states.py, and nowhere else."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from core.appliance import create_appliance
from core.config import load_settings
from core.data.models import AuditEntry, Job, Plan, User
from core.jobs import states
from core.jobs.watchdog import take_back_lost_jobs

ROOT = Path(__file__).resolve().parent.parent
STATES = ROOT / "core" / "jobs" / "states.py"
#: peewee calls that write rows (``create`` is a job's birth: it may only be queued)
WRITES = {"update", "insert", "insert_many", "insert_from", "replace", "replace_many", "delete", "create"}


def _job_writes(source: str, name: str) -> list[str]:
    """Where ``source`` writes a job's row (or a status of something named job)."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            owner = node.func.value
            if not (isinstance(owner, ast.Name) and owner.id == "Job"):
                continue
            status = next((k.value for k in node.keywords if k.arg == "status"), None)
            born_queued = status is None or ast.unparse(status) in ("states.QUEUED", "QUEUED", "'queued'")
            if node.func.attr == "create" and born_queued:
                continue
            found.append(f"{name}:{node.lineno}: Job.{node.func.attr}(...)")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and isinstance(target.value, ast.Name)
                    and "job" in target.value.id.lower()
                ):
                    found.append(f"{name}:{node.lineno}: {target.value.id}.status = ...")
    return found


def test_no_job_row_is_written_outside_states_py():
    sources = [p for folder in ("core", "web", "plugins") for p in sorted((ROOT / folder).rglob("*.py"))]
    assert STATES in sources
    offenders = [
        hit for path in sources if path != STATES for hit in _job_writes(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert not offenders, "job transitions belong in core/jobs/states.py:\n" + "\n".join(offenders)


def test_the_rule_sees_a_raw_update_a_status_assignment_and_a_job_born_running():
    sample = (
        "Job.update(status='failed').where(Job.id == 1).execute()\n"
        "job.status = 'running'\n"
        "Job.create(plan=p, status='running')\n"
        "Job.create(plan=p, status=states.QUEUED)\n"
        "self.status = 409\n"
    )
    assert sorted(_job_writes(sample, "sample.py")) == [
        "sample.py:1: Job.update(...)",
        "sample.py:2: job.status = ...",
        "sample.py:3: Job.create(...)",
    ]


@pytest.fixture
def box(settings_env):
    env = dict(settings_env, FLOORCAST_JOBS__MAX_ATTEMPTS="1")
    return create_appliance(load_settings(None, env=env), with_queue=False)


@pytest.fixture
def job(box) -> Job:
    plan = Plan.create(filename="plan.dxf", sha256="0" * 64, size=1)
    return Job.create(plan=plan, options_hash="x")


@pytest.fixture
def staff(box) -> User:
    return User.create(email="staff@example.com", password_hash="-")


def _fail(job: Job, owner: str = "box:1:test") -> None:
    assert states.claim(job.id, owner, lease_seconds=60)
    assert states.finish(
        job.id, owner, states.FAILED, error_code="corrupt_file", error_stage="parse", error_message="x"
    )


def _audit(action: str) -> list[tuple[str, str]]:
    return [(e.actor, e.target) for e in AuditEntry.select().where(AuditEntry.action == action)]


def test_retry_starts_a_failed_job_afresh_once_and_audits_it(job, staff):
    _fail(job)
    assert states.retry(job.id, user=staff)
    fresh = Job.get_by_id(job.id)
    assert (fresh.status, fresh.attempts, fresh.stage, fresh.progress) == (states.QUEUED, 0, "upload", 0)
    assert fresh.error_code is None and fresh.error_message is None and fresh.finished_at is None
    assert fresh.enqueued_at >= job.enqueued_at
    assert not states.retry(job.id, user=staff), "a queued job is not retried again"
    assert _audit("job.retry") == [("user:staff@example.com", str(job.id))]


def test_retry_refuses_running_and_succeeded_jobs(job):
    owner = "box:1:test"
    assert states.claim(job.id, owner, lease_seconds=60)
    assert not states.retry(job.id)
    assert states.finish(job.id, owner, states.SUCCEEDED)
    assert not states.retry(job.id)
    assert Job.get_by_id(job.id).status == states.SUCCEEDED
    assert _audit("job.retry") == []


def test_cancel_then_retry(job, staff):
    assert states.cancel(job.id, user=staff)
    assert not states.cancel(job.id, user=staff)
    assert _audit("job.cancel") == [("user:staff@example.com", str(job.id))]
    assert states.retry(job.id)
    assert Job.get_by_id(job.id).status == states.QUEUED
    assert _audit("job.retry") == [("cli", str(job.id))]


def test_fail_lost_needs_the_lease_holder(job):
    assert states.claim(job.id, "box:1:first", lease_seconds=60)
    assert not states.fail_lost(job.id, "box:2:other", stage="parse", attempts=1)
    assert states.fail_lost(job.id, "box:1:first", stage="parse", attempts=1)
    fresh = Job.get_by_id(job.id)
    assert (fresh.status, fresh.error_code, fresh.error_stage) == (states.FAILED, "worker_lost", "parse")
    assert fresh.error_message == "the worker running this job stopped 1 times"
    assert fresh.lease_owner is None and fresh.finished_at is not None
    assert not states.fail_lost(job.id, None, stage="parse", attempts=1), "a final state stays final"


def test_watchdog_fails_a_job_whose_worker_vanished_too_often(box, job):
    assert states.claim(job.id, "elsewhere:4242:gone", lease_seconds=-1)  # lease already expired
    assert take_back_lost_jobs(box) == 1
    fresh = Job.get_by_id(job.id)
    assert (fresh.status, fresh.error_code) == (states.FAILED, "worker_lost")
    assert take_back_lost_jobs(box) == 0


def test_mark_resent_touches_only_queued_jobs(job):
    long_ago = job.enqueued_at - dt.timedelta(hours=2)
    Job.update(enqueued_at=long_ago).where(Job.id == job.id).execute()
    assert states.mark_resent(job.id)
    assert Job.get_by_id(job.id).enqueued_at > long_ago
    assert states.claim(job.id, "box:1:test", lease_seconds=60)
    assert not states.mark_resent(job.id)
