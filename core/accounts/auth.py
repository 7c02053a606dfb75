"""Passwords (argon2), signing in, and bearer tokens (random, stored as sha256).

The accounts themselves and their rules are :mod:`core.accounts.users`."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.accounts import audit
from core.data.db import utcnow
from core.data.models import ApiToken, User

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


def create_api_token(user: User, name: str = "", *, by: User | None = None) -> str:
    """A new token for ``user``; the plain token is returned once and never stored.

    Audited with the acting user ``by`` (None: the CLI)."""
    token = new_token("fct")
    with ApiToken._meta.database.atomic():
        ApiToken.create(user=user, name=name, token_hash=hash_secret(token))
        audit.record(by, "token.create", name)
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


# A hash to verify against when the email is unknown, so a wrong email takes as
# long as a wrong password and does not tell which accounts exist.
_DUMMY_HASH = _hasher.hash("floorcast: no such user")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = User.get_or_none(User.email == (email or "").strip().lower())
    if user is None:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        return None
    if not check_password(user, password or "") or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return user


def revoke_api_token(user: User, token_id: str, *, by: User | None = None) -> bool:
    """Revoke one of ``user``'s tokens; False when it is not theirs, already revoked
    or not a token id at all. Audited with the acting user ``by``."""
    try:
        revoked = bool(
            ApiToken.update(revoked_at=utcnow())
            .where(ApiToken.id == token_id, ApiToken.user == user, ApiToken.revoked_at.is_null())
            .execute()
        )
    except ValueError:  # not a UUID
        return False
    if revoked:
        audit.record(by, "token.revoke", token_id)
    return revoked
