"""What connected kiosks are told, independent of how (WebSocket today, SSE later).

A transport does only I/O: it hands the kiosk's first message to
:meth:`KioskHub.hello`, sends what the returned :class:`KioskSession` gives it
(``start()``, then ``next()`` in a loop), passes each message the kiosk sends to
``receive()`` and sends the replies, and closes the connection when told to with a
:class:`Close`. Message shapes are the contract of DESIGN.md section 9.

Who is connected, the heartbeat and offline notices live in
:mod:`core.kiosks.presence`; events other processes write reach this process's bus
through :mod:`core.kiosks.relay`.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass

from core.accounts.auth import hash_secret
from core.channels.publishing import latest_publication, publication_message
from core.data.db import iso, utcnow
from core.data.models import Asset, Channel, Kiosk, Publication
from core.kiosks.presence import Presence
from core.kiosks.relay import EventRelay
from core.kiosks.signing import signed_query
from core.kiosks.status import screen_size

log = logging.getLogger("floorcast.kiosks")

SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # one encoder, not one per message
#: the per-kiosk fields of a ``publish``: marked while the rest is serialised once
_MARKS = {"url": "\u0000url\u0000", "tiles": "\u0000tiles\u0000"}
TOUCH_SECONDS = 5  # at most one last_seen write per kiosk this often from pings


@dataclass(frozen=True)
class Close:
    """Tell the transport to end the connection with this code (WebSocket close codes;
    4401 = bad or revoked token, 4400 = first message was not a hello, 4408 = no hello
    in time, 1012 = server restarting)."""

    code: int
    reason: str


UNAUTHORIZED = Close(4401, "unauthorized")
_WAKE = object()  # put in a session's queue to make next() look at its stop flag
_TICK = object()  # put in a session's queue once per heartbeat: re-read the kiosk


class KioskHub:
    """Kiosk logic for every transport of one process (built by ``create_app``)."""

    def __init__(self, appliance):
        self.appliance = appliance
        self.settings = appliance.settings
        self._closing = False
        self._publish_parts: dict[tuple, tuple[str, ...]] = {}
        self.presence = Presence(self)
        self.relay = EventRelay(appliance)  # brings other processes' events (CLI, workers)
        try:
            # This process serves every kiosk socket of the box: "online" rows left
            # by a previous run (crash, kill -9) are stale.
            Kiosk.update(online=False).where(Kiosk.online == True).execute()  # noqa: E712
        except Exception as exc:  # presence is cosmetic: never block the app on it
            log.warning("could not reset kiosk presence: %s", exc)

    @property
    def heartbeat_seconds(self) -> float:
        return float(self.settings["kiosk"]["ping_seconds"])

    @property
    def hello_seconds(self) -> float:
        return float(self.settings["kiosk"]["hello_seconds"])

    def authenticate(self, token: object) -> Kiosk | None:
        """The kiosk owning ``token``, unless unknown or revoked."""
        if not isinstance(token, str) or not token:
            return None
        return (
            Kiosk.select(Kiosk, Channel)
            .join(Channel)
            .where(Kiosk.token_hash == hash_secret(token), Kiosk.revoked_at.is_null())
            .first()
        )

    def hello(self, message: object, user_agent: str | None = None) -> KioskSession | Close:
        """Answer a kiosk's first message: a session to ``start()``, or why to close."""
        data = message.get("data") if isinstance(message, dict) and message.get("type") == "hello" else None
        if not isinstance(data, dict):
            return Close(4400, "the first message must be a hello")
        kiosk = self.authenticate(data.get("token"))
        if kiosk is None or self._closing:
            return UNAUTHORIZED if kiosk is None else Close(1012, "server restarting")
        last = data.get("last_event_id")
        last = last if isinstance(last, int) and not isinstance(last, bool) else None
        sha = data.get("sha256") if isinstance(data.get("sha256"), str) and SHA256.match(data["sha256"]) else None
        session = KioskSession(self, kiosk, last, sha, (user_agent or "")[:255] or None)
        session.screen = screen_size(data)
        return session

    def publish_for(self, message: dict, kiosk_id: str) -> dict:
        """A stored ``publish`` event as one kiosk receives it, with its own signed
        URL; for a model with tiles also ``tiles``, its manifest's URL signed the
        same way (the manifest's tile URLs carry that signature on)."""
        data = message["data"]
        asset = data["asset"]
        query = signed_query(self.settings, asset, kiosk_id)
        base = (self.settings["server"]["public_url"] or "").rstrip("/")
        links = self.appliance.links
        out = {
            "channel": data["channel"],
            "version": data["version"],
            "url": f"{base}{links.content(asset)}?{query}",
            "sha256": data["sha256"],
            "size": data["size"],
        }
        if data.get("tile_count") or data.get("tiles"):  # events stored earlier named the count "tiles"
            out["tiles"] = f"{base}{links.tiles(asset)}?{query}"
        return {"type": "publish", "id": message["id"], "data": out}

    def encode(self, message: dict) -> str:
        """The JSON text of a message as transports send it. What every kiosk shares
        in a ``publish`` (all but its signed ``url`` and ``tiles``) is serialised
        once per publication, not once per kiosk."""
        data = message.get("data")
        if message.get("type") != "publish" or not isinstance(data, dict) or not isinstance(data.get("url"), str):
            return _ENCODE(message)
        fields = tuple(k for k in _MARKS if isinstance(data.get(k), str))
        key = (message["id"], fields)
        parts = self._publish_parts.get(key)
        if parts is None:
            text = _ENCODE({**message, "data": {**data, **{k: _MARKS[k] for k in fields}}})
            parts = [text]
            for k in fields:
                head, _, tail = parts.pop().partition(_ENCODE(_MARKS[k]))
                parts += [head, tail]
            if len(self._publish_parts) >= 64:
                self._publish_parts.clear()
            parts = self._publish_parts[key] = tuple(parts)
        out = [parts[0]]
        for k, part in zip(fields, parts[1:], strict=True):
            out += [_ENCODE(data[k]), part]
        return "".join(out)

    def online(self, kiosk_id: str) -> int:
        """Connections this process holds for the kiosk."""
        return self.presence.online(kiosk_id)

    def shutdown(self) -> None:
        """Close every kiosk connection with 1012: kiosks come back when we are up again."""
        self._closing = True
        self.relay.stop()
        for session in self.presence.sessions():
            session.interrupt(Close(1012, "server restarting"))

    def release_db(self) -> None:
        """Close this thread's (greenlet's) database connection when it is done.

        Sessions call it after each burst of queries: an SQLite connection held by
        every idle kiosk greenlet would cost about 100 KiB and two file descriptors."""
        db = self.appliance.db
        if not db.is_closed():
            db.close()

    # -- presence (core.kiosks.presence) -------------------------------------------

    @property
    def closing(self) -> bool:
        return self._closing

    def _register(self, session: KioskSession) -> None:
        self.presence.add(session)

    def _unregister(self, session: KioskSession) -> None:
        self.presence.remove(session)


class KioskSession:
    """One connected kiosk: what it must be sent and what its messages mean."""

    def __init__(
        self, hub: KioskHub, kiosk: Kiosk, last_event_id: int | None, sha256: str | None, user_agent: str | None
    ):
        self.hub = hub
        self.kiosk_id = str(kiosk.id)
        self.name = kiosk.name
        self.channel = kiosk.channel.name
        self.token_hash = kiosk.token_hash
        self.seen = last_event_id  # newest event id the kiosk has or was sent
        self.revoked = False
        self._sha256, self._user_agent = sha256, user_agent
        self._acked_sha256 = kiosk.shown_sha256  # what it last said it shows
        self._sub = None
        self._stopping = False
        self._stop_with: Close | None = None
        self._closed = False
        self._last_touch = 0.0
        self.screen: str | None = None  # "WxH" from the hello, if it said

    @property
    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(self.kiosk_id)

    def start(self) -> list[dict]:
        """Subscribe and return the first messages: ``welcome``, then the current
        ``publish`` when the kiosk is behind (the latest only: no replay)."""
        # Subscribe before reading the latest publication: nothing published in
        # between is lost (a duplicate is dropped by its event id).
        self._sub = self.hub.appliance.bus.subscribe(f"channel:{self.channel}", f"kiosk:{self.kiosk_id}")
        self.hub._register(self)
        fields = {"online": True, "last_seen_at": utcnow(), "user_agent": self._user_agent}
        if self.screen:
            fields["screen"] = self.screen
        if self._sha256:
            fields.update(shown_sha256=self._sha256, shown_version=self._version_of(self._sha256))
        Kiosk.update(**fields).where(Kiosk.id == self._uuid).execute()
        welcome = {
            "type": "welcome",
            "data": {
                "kiosk": self.kiosk_id,
                "name": self.name,
                "channel": self.channel,
                "server_time": iso(utcnow()),
                "ping_seconds": self.hub.settings["kiosk"]["ping_seconds"],
            },
        }
        current = self._latest(shown_sha256=self._sha256 or self._acked_sha256)
        self.hub.release_db()
        return [welcome, current] if current else [welcome]

    def next(self) -> dict | Close | None:
        """Block until there is something for the kiosk: a message to send, a
        :class:`Close`, or None when the connection is gone (after ``interrupt()``).

        Every ``ping_seconds`` (the hub's heartbeat nudge) it re-reads the kiosk and its channel
        (revoked elsewhere, moved, a publication the bus did not bring)."""
        while not self._stopping:
            message = self._sub.get()
            if message is _WAKE:
                continue
            out = self._reconcile() if message is _TICK else self._translate(message)
            self.hub.release_db()
            if out is not None:
                return out
        return self._stop_with

    def receive(self, message: dict) -> list[dict]:
        """Handle one message from the kiosk; returns the replies to send."""
        try:
            return self._receive(message)
        finally:
            self.hub.release_db()

    def _receive(self, message: dict) -> list[dict]:
        kind = message.get("type")
        if kind == "ping":
            self._touch()
            return [{"type": "pong"}]
        if kind == "ack":
            self._ack(message.get("data"))
        elif kind == "status" and (screen := screen_size(message.get("data"))) and screen != self.screen:
            self.screen = screen
            Kiosk.update(screen=screen).where(Kiosk.id == self._uuid).execute()
        return []  # unknown types are ignored: newer kiosks may speak more

    def tick(self) -> None:
        """Heartbeat: make ``next()`` re-read the kiosk and its channel."""
        if self._sub is not None and not self._stopping:
            self._sub.offer(_TICK)

    def interrupt(self, close: Close | None = None) -> None:
        """Make ``next()`` return ``close`` (None: the connection is already gone)."""
        self._stop_with = close
        self._stopping = True
        if self._sub is not None:
            self._sub.offer(_WAKE)

    def close(self) -> None:
        """The connection ended: unsubscribe and update presence."""
        if self._closed:
            return
        self._closed = True
        if self._sub is not None:
            self._sub.close()
            self.hub._unregister(self)

    # -- inside ---------------------------------------------------------------------

    def _translate(self, message: dict) -> dict | Close | None:
        kind = message.get("type")
        if kind == "publish":
            if message.get("data", {}).get("channel") != self.channel:
                return None  # queued before a move
            return self._offer(message)
        if kind == "revoked":
            self.revoked = True
            return UNAUTHORIZED
        if kind == "moved":
            return self._reconcile()
        return message  # console commands (reload, identify, ...) go through as they are

    def _offer(self, message: dict) -> dict | None:
        event_id = message.get("id")
        if event_id is None or (self.seen is not None and event_id <= self.seen):
            return None
        self.seen = event_id
        return self.hub.publish_for(message, self.kiosk_id)

    def _latest(self, shown_sha256: str | None = None) -> dict | None:
        """The channel's current publication if the kiosk does not have it yet."""
        pub = latest_publication(self.channel)
        if pub is None or pub.event_id is None:
            return None
        if shown_sha256 is not None and shown_sha256 != pub.asset.sha256 and self._version_of(shown_sha256) is None:
            # It shows a model this channel never had: it was moved here while offline,
            # so its last event id is one of the old channel's and says nothing here.
            self.seen = None
        return self._offer(publication_message(pub))

    def _reconcile(self) -> dict | Close | None:
        kiosk = Kiosk.select(Kiosk, Channel).join(Channel).where(Kiosk.id == self._uuid).first()
        if kiosk is None or kiosk.revoked_at is not None or kiosk.token_hash != self.token_hash:
            self.revoked = True
            return UNAUTHORIZED
        self._touch(force=True)
        if kiosk.channel.name != self.channel:
            self._sub.close()
            self.channel = kiosk.channel.name
            self._sub = self.hub.appliance.bus.subscribe(f"channel:{self.channel}", f"kiosk:{self.kiosk_id}")
            if self._stopping:
                self._sub.offer(_WAKE)
            self.seen = None  # event ids of the old channel say nothing about the new one
        return self._latest()

    def _touch(self, force: bool = False) -> None:
        now = utcnow()
        if self._closed:  # a late ping must not mark a closed connection online again
            return
        if not force and (now.timestamp() - self._last_touch) < TOUCH_SECONDS:
            return
        self._last_touch = now.timestamp()
        Kiosk.update(last_seen_at=now, online=True).where(Kiosk.id == self._uuid).execute()

    def _version_of(self, sha256: str) -> int | None:
        pub = (
            Publication.select(Publication.version)
            .join(Asset)
            .switch(Publication)
            .join(Channel)
            .where(Channel.name == self.channel, Asset.sha256 == sha256)
            .order_by(Publication.version.desc())
            .first()
        )
        return pub.version if pub else None

    def _ack(self, data: object) -> None:
        version = data.get("version") if isinstance(data, dict) else None
        if not isinstance(version, int) or isinstance(version, bool) or self._closed:
            return
        pub = (
            Publication.select(Publication, Asset)
            .join(Asset)
            .switch(Publication)
            .join(Channel)
            .where(Channel.name == self.channel, Publication.version == version)
            .first()
        )
        if pub is None:
            log.debug("kiosk %s acked unknown version %s of %s", self.kiosk_id, version, self.channel)
            return
        self._last_touch = utcnow().timestamp()
        Kiosk.update(shown_version=version, shown_sha256=pub.asset.sha256, last_seen_at=utcnow(), online=True).where(
            Kiosk.id == self._uuid
        ).execute()
