"""The audit log: who did what, from the console, the API or the CLI."""

from __future__ import annotations

from core.data.models import AuditEntry, User


def actor(user: User | None) -> str:
    return f"user:{user.email}" if user is not None else "cli"


def record(user: User | None, action: str, target: str = "", **data) -> None:
    """Write one entry: ``action`` is dotted (``user.create``, ``channel.publish``...)."""
    AuditEntry.create(actor=actor(user), action=action, target=str(target or ""), data=data)


def recent(limit: int = 200, offset: int = 0, action_prefix: str = "") -> list[AuditEntry]:
    query = AuditEntry.select().order_by(AuditEntry.created_at.desc())
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix))
    return list(query.offset(offset).limit(limit))
