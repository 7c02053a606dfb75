"""The kiosk fleet: provisioning, renaming, moving, revoking, and how a kiosk is shown.

Kiosk tokens are random (``fcki_...``) and stored as sha256 only: the plain token is
returned once, by :func:`provision` or by the pairing claim. Changes a connected
kiosk must hear about at once (revocation, a new channel) are written as events
(``revoked`` / ``moved`` with ``{"kiosk": id}``) and go out on the bus topic
``kiosk:<id>``: this process's kiosks hear it at once, and the event relay of a
serving process (:mod:`core.kiosks.relay`) brings a change made elsewhere (the CLI)
within about a second. The socket's heartbeat re-read of its row is the backstop.
"""

from __future__ import annotations

import uuid

from core.accounts.audit import record as audit  # also how pairing and commands audit
from core.accounts.auth import hash_secret, new_token
from core.channels.publishing import ensure_channel
from core.data.db import iso, utcnow
from core.data.models import Channel, Event, Kiosk, User
from core.errors import FloorcastError

TOKEN_PREFIX = "fcki"  # floorcast kiosk: tells kiosk tokens from API tokens (fct_)
MAX_NAME = 100


class KioskError(FloorcastError):
    """A refused kiosk operation; ``code`` says why (see :data:`core.errors.CATALOGUE`)."""

    def __init__(self, code: str, message: str):
        super().__init__(message, code=code)


def new_kiosk_token() -> tuple[str, str]:
    """A fresh kiosk token and the hash to store."""
    token = new_token(TOKEN_PREFIX)
    return token, hash_secret(token)


def _channel(name: str) -> Channel:
    try:
        return ensure_channel(name)
    except ValueError as exc:
        raise KioskError("invalid_channel", str(exc)) from exc


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise KioskError("invalid_name", f"a kiosk name has 1 to {MAX_NAME} characters")
    return name


def create_kiosk(name: str, channel: str, token_hash: str | None = None) -> Kiosk:
    """A kiosk row on ``channel`` (created on first use); no token yet when pairing."""
    return Kiosk.create(name=_clean_name(name), channel=_channel(channel), token_hash=token_hash)


def provision(name: str, channel: str, user: User | None = None) -> tuple[Kiosk, str]:
    """Create a kiosk for a script rolling out many; returns it and its token (shown once)."""
    token, token_hash = new_kiosk_token()
    with Kiosk._meta.database.atomic():
        kiosk = create_kiosk(name, channel, token_hash)
        audit(user, "kiosk.provision", str(kiosk.id), name=kiosk.name, channel=channel)
    return kiosk, token


def get_kiosk(kiosk_id: str) -> Kiosk:
    try:
        kiosk = Kiosk.select(Kiosk, Channel).join(Channel).where(Kiosk.id == uuid.UUID(str(kiosk_id))).first()
    except ValueError:
        kiosk = None
    if kiosk is None:
        raise KioskError("not_found", f"no kiosk {kiosk_id}")
    return kiosk


def _announce(bus, kiosk: Kiosk, kind: str, **data) -> None:
    """Write the event other processes' relays deliver, and deliver it here at once."""
    event = Event.create(type=kind, data={"kiosk": str(kiosk.id), **data})
    if bus is not None:
        bus.publish(f"kiosk:{kiosk.id}", {"type": kind, "id": event.id, "data": event.data})


def revoke(kiosk_id: str, *, bus=None, user: User | None = None) -> Kiosk:
    """Refuse the kiosk's token from now on and close its open sockets (4401).

    Revoking twice is not an error (the first revocation time is kept)."""
    kiosk = get_kiosk(kiosk_id)
    if kiosk.revoked_at is None:
        with Kiosk._meta.database.atomic():
            kiosk.revoked_at = utcnow()
            kiosk.online = False
            kiosk.save()
            audit(user, "kiosk.revoke", str(kiosk.id), name=kiosk.name)
    _announce(bus, kiosk, "revoked")
    return kiosk


def update_kiosk(
    kiosk_id: str, *, name: str | None = None, channel: str | None = None, bus=None, user: User | None = None
) -> Kiosk:
    """Rename and/or move a kiosk; a moved kiosk gets its new channel's model at once."""
    kiosk = get_kiosk(kiosk_id)
    if kiosk.revoked_at is not None:
        raise KioskError("revoked", "this kiosk was revoked")
    changes = {}
    if name is not None and name.strip() != kiosk.name:
        kiosk.name = changes["name"] = _clean_name(name)
    moved = channel is not None and channel.strip() != kiosk.channel.name
    if moved:
        kiosk.channel = _channel(channel)
        changes["channel"] = kiosk.channel.name
    if changes:
        kiosk.save()
        audit(user, "kiosk.update", str(kiosk.id), **changes)
    if moved:
        _announce(bus, kiosk, "moved", channel=kiosk.channel.name)
    return kiosk


def kiosk_view(kiosk: Kiosk) -> dict:
    """A kiosk as the API and the console show it."""
    return {
        "id": str(kiosk.id),
        "name": kiosk.name,
        "channel": kiosk.channel.name,
        "online": bool(kiosk.online) and kiosk.revoked_at is None,
        "shown_version": kiosk.shown_version,
        "shown_sha256": kiosk.shown_sha256,
        "last_seen": iso(kiosk.last_seen_at),
        "user_agent": kiosk.user_agent,
        "screen": kiosk.screen,
        "screenshot_at": iso(kiosk.screenshot_at),
        "revoked": kiosk.revoked_at is not None,
        "revoked_at": iso(kiosk.revoked_at),
        "paired": kiosk.token_hash is not None,  # False: approved, token not claimed yet
        "created_at": iso(kiosk.created_at),
    }


def list_kiosks(include_revoked: bool = True) -> list[dict]:
    query = Kiosk.select(Kiosk, Channel).join(Channel).order_by(Kiosk.name, Kiosk.created_at)
    if not include_revoked:
        query = query.where(Kiosk.revoked_at.is_null())
    return [kiosk_view(k) for k in query]
