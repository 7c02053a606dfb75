"""Users, passwords (argon2) and bearer tokens (random, stored as sha256)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.db import utcnow
from core.models import ApiToken, User

_hasher = PasswordHasher()


def hash_secret(token: str) -> str:
    """Tokens carry 256 random bits, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(email: str, password: str, role: str = "staff") -> User:
    if role not in ("admin", "staff"):
        raise ValueError(f"role must be admin or staff, not {role!r}")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    return User.create(email=email.strip().lower(), password_hash=hash_password(password), role=role)


def create_api_token(user: User, name: str = "") -> str:
    """A new token for ``user``; the plain token is returned once and never stored."""
    token = new_token("fct")
    ApiToken.create(user=user, name=name, token_hash=hash_secret(token))
    return token


def user_for_token(token: str) -> User | None:
    row = (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_null(), User.is_active == True)  # noqa: E712
        .first()
    )
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.update(last_used_at=now).where(ApiToken.id == row.id).execute()
    return row.user
