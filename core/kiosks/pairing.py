"""Pairing a kiosk that has no token yet.

1. The kiosk asks for a pairing (no auth): it gets a short ``code`` to show on screen
   plus a ``pairing`` id and a ``secret`` only it knows.
2. Staff approve the code (console, API or ``floorcast kiosks approve CODE``) and pick
   a channel: this creates the kiosk row, still without a token.
3. The kiosk polls ``claim`` with the pairing id and secret; once approved it gets
   its token, exactly once. The token is made at claim time so it never sits in the
   database in the clear, not even between approval and claim.

Codes are 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L); the
API returns them undashed (``ABC123``) and shows them as ``ABC-123``; approval
accepts either form, in any case. Only the hash of the pairing secret is stored.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import uuid

from core.accounts.auth import hash_secret
from core.data.db import iso, utcnow
from core.data.models import Kiosk, Pairing, User
from core.kiosks.fleet import KioskError, audit, create_kiosk, new_kiosk_token

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_PENDING = 500  # unauthenticated endpoint: bound the rows a flood can create
KEEP_EXPIRED = dt.timedelta(days=1)  # unapproved pairings are purged after this


class PairingError(KioskError):
    """A refused pairing step. Unlike a kiosk's, a pairing's ``revoked`` (and
    ``expired``, ``claimed``) means the pairing is over: the kiosk starts a new one."""


def normalize_code(code: str) -> str:
    """``abc-123`` / ``ABC 123`` / ``abc123`` -> ``ABC123``; PairingError if it cannot be a code."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch not in "- \t")
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        raise PairingError("invalid_code", f"{code!r} is not a pairing code (6 characters, like ABC-123)")
    return cleaned


def display_code(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


def _active(now: dt.datetime):
    return (Pairing.approved_at.is_null()) & (Pairing.expires_at > now)


def start_pairing(settings, remote_addr: str | None = None) -> dict:
    """A new pairing: ``{"code", "display", "pairing", "secret", "expires_at"}``."""
    now = utcnow()
    Pairing.delete().where(Pairing.approved_at.is_null(), Pairing.expires_at < now - KEEP_EXPIRED).execute()
    if Pairing.select().where(_active(now)).count() >= MAX_PENDING:
        raise PairingError("too_many_pairings", "too many kiosks are waiting for approval; try again later")
    for _attempt in range(20):
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if not Pairing.select().where(Pairing.code == code, _active(now)).exists():
            break
    else:  # pragma: no cover - 31**6 codes, at most MAX_PENDING taken
        raise PairingError("too_many_pairings", "could not find a free pairing code")
    secret = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(seconds=int(settings["kiosk"]["pairing_seconds"]))
    pairing = Pairing.create(code=code, secret_hash=hash_secret(secret), expires_at=expires, remote_addr=remote_addr)
    return {
        "code": code,
        "display": display_code(code),
        "pairing": str(pairing.id),
        "secret": secret,
        "expires_at": iso(expires),
    }


def approve(code: str, channel: str, name: str | None = None, user: User | None = None) -> Kiosk:
    """Approve the pairing showing ``code``: its kiosk joins ``channel`` (made on first use).

    Raises PairingError ``unknown_code``, ``expired`` or ``already_approved``.
    """
    code = normalize_code(code)
    now = utcnow()
    candidates = list(Pairing.select().where(Pairing.code == code).order_by(Pairing.created_at.desc()))
    pairing = next((p for p in candidates if p.approved_at is None and p.expires_at > now), None)
    if pairing is None:
        if not candidates:
            raise PairingError("unknown_code", f"no kiosk is showing the code {display_code(code)}")
        if candidates[0].approved_at is not None:
            raise PairingError("already_approved", f"the code {display_code(code)} was already approved")
        raise PairingError("expired", f"the code {display_code(code)} has expired: restart pairing on the kiosk")
    db = Pairing._meta.database
    with db.atomic():
        kiosk = create_kiosk(name or f"Kiosk {display_code(code)}", channel)
        # Conditional update: of two concurrent approvals only one wins.
        won = (
            Pairing.update(approved_at=now, approved_by=user, kiosk=kiosk)
            .where(Pairing.id == pairing.id, Pairing.approved_at.is_null())
            .execute()
        )
        if not won:  # raising inside atomic() rolls the kiosk back
            raise PairingError("already_approved", f"the code {display_code(code)} was already approved")
        audit(user, "kiosk.approve", str(kiosk.id), code=code, name=kiosk.name, channel=kiosk.channel.name)
    return kiosk


def claim(pairing_id: str, secret: str) -> dict:
    """The kiosk's token once its pairing is approved: ``{"token", "kiosk", "name", "channel"}``.

    Raises PairingError ``not_found``, ``forbidden`` (wrong secret), ``not_approved``
    (ask again later), or ``claimed`` / ``expired`` / ``revoked`` (the pairing is over).
    """
    try:
        pairing = Pairing.get_or_none(Pairing.id == uuid.UUID(str(pairing_id)))
    except ValueError:
        pairing = None
    if pairing is None:
        raise PairingError("not_found", f"no pairing {pairing_id}")
    if not hmac.compare_digest(hash_secret(secret or ""), pairing.secret_hash):
        raise PairingError("forbidden", "wrong pairing secret")
    if pairing.claimed_at is not None:
        raise PairingError("claimed", "this pairing's token was already handed out; pair again")
    now = utcnow()
    if pairing.expires_at <= now:
        raise PairingError("expired", "this pairing has expired; pair again")
    if pairing.approved_at is None or pairing.kiosk_id is None:
        raise PairingError("not_approved", "not approved yet; ask again in a moment")
    kiosk = pairing.kiosk
    if kiosk.revoked_at is not None:
        raise PairingError("revoked", "this kiosk was revoked before it claimed its token")
    token, token_hash = new_kiosk_token()
    db = Pairing._meta.database
    with db.atomic():
        won = Pairing.update(claimed_at=now).where(Pairing.id == pairing.id, Pairing.claimed_at.is_null()).execute()
        if not won:
            raise PairingError("claimed", "this pairing's token was already handed out; pair again")
        Kiosk.update(token_hash=token_hash).where(Kiosk.id == kiosk.id).execute()
    return {"token": token, "kiosk": str(kiosk.id), "name": kiosk.name, "channel": kiosk.channel.name}
