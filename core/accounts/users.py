"""User accounts and the rules they keep: a valid email used once, a known role, a
password of at least :data:`PASSWORD_MIN` characters, and always one active admin.

Each change is audited here with the acting user (``by``; None is the CLI), so the
console, the API and the CLI leave the same trail. A change to a user's password,
role or active flag ends every console session the user has.
"""

from __future__ import annotations

from peewee import IntegrityError, fn

from core.accounts import audit
from core.accounts.auth import hash_password
from core.data.models import User
from core.errors import FloorcastError

ROLES = ("admin", "staff")
PASSWORD_MIN = 8


class AccountError(FloorcastError, ValueError):
    """A change an account's rules refuse; ``code`` names the rule.

    Also a ValueError: most are bad values, and callers that check input that way
    (the CLI's ``user create``) keep working."""

    code = "account_error"


class LastAdminError(AccountError):
    """The change would leave the box without an active administrator."""

    code = "last_admin"


def _check_password(password: str) -> None:
    if len(password or "") < PASSWORD_MIN:
        raise AccountError(f"password must have at least {PASSWORD_MIN} characters", code="weak_password")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be admin or staff, not {role!r}", code="invalid_role")


def create_user(email: str, password: str, role: str = "staff", *, by: User | None = None) -> User:
    email = (email or "").strip().lower()
    if "@" not in email:
        raise AccountError("enter an email address", code="invalid_email")
    _check_role(role)
    _check_password(password)
    if User.select().where(User.email == email).exists():
        raise AccountError(f"a user with the email {email} already exists", code="duplicate_email")
    try:
        with User._meta.database.atomic():
            user = User.create(email=email, password_hash=hash_password(password), role=role)
            audit.record(by, "user.create", str(user.id), email=user.email, role=user.role)
    except IntegrityError as exc:  # created meanwhile by someone else
        raise AccountError(f"a user with the email {email} already exists", code="duplicate_email") from exc
    return user


def set_password(user: User, password: str, *, by: User | None = None) -> None:
    _check_password(password)
    with User._meta.database.atomic():
        User.update(password_hash=hash_password(password), session_version=User.session_version + 1).where(
            User.id == user.id
        ).execute()
        audit.record(by, "user.password", str(user.id), email=user.email)


def _other_active_admins():
    return User.select().where(User.role == "admin", User.is_active == True)  # noqa: E712


def _change(user: User, action: str, by: User | None, **changes) -> bool:
    """One guarded UPDATE: a change that takes away an active admin happens only
    while another active admin exists, so two admins demoting each other at the
    same moment cannot both win. False when nothing changes."""
    if all(getattr(user, k) == v for k, v in changes.items()):
        return False
    stays_admin = changes.get("role", user.role) == "admin" and changes.get("is_active", user.is_active)
    query = User.update(session_version=User.session_version + 1, **changes).where(User.id == user.id)
    guarded = user.role == "admin" and bool(user.is_active) and not stays_admin
    if guarded:
        query = query.where(fn.EXISTS(_other_active_admins().where(User.id != user.id)))
    with User._meta.database.atomic():
        if not query.execute():
            if guarded:
                raise LastAdminError("this is the last active administrator: make another one first")
            return False
        audit.record(by, f"user.{action}", str(user.id), email=user.email)
    for key, value in changes.items():
        setattr(user, key, value)
    return True


def set_role(user: User, role: str, *, by: User | None = None) -> bool:
    """Make ``user`` an admin or staff; raises :class:`LastAdminError` for the last admin."""
    _check_role(role)
    return _change(user, f"make_{role}", by, role=role)


def set_disabled(user: User, disabled: bool, *, by: User | None = None) -> bool:
    """Disable or enable ``user``; raises :class:`LastAdminError` for the last admin."""
    return _change(user, "disable" if disabled else "enable", by, is_active=not disabled)
