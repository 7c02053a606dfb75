"""The built-in kiosk transport: a WebSocket at ``/kiosk/ws`` (flask-sock).

Registered through the plugin manager like any third-party transport. It only
moves bytes; :mod:`core.kiosks.hub` decides what is said. Per connection, the
request's greenlet waits on the hub (bus messages, heartbeat ticks) and a second
greenlet (``threading.Thread`` under gevent's monkey patching) waits on the
socket, so neither direction polls.

Close codes: 4401 bad or revoked token, 4400 first message not a hello, 4408 no
hello within ``hello_seconds``, 1003 malformed JSON or a binary frame, 1009 a
message over 64 KiB, 1008 missed pongs, 1012 server restarting.

Heartbeats: simple-websocket pings every ``ping_seconds`` and, when the pong to
its previous ping has not come by the time the next one is due, closes with 1008
and drops the socket. A kiosk that went silent is therefore gone at most two ping
intervals after its last pong: it never survives missing two pings.
"""

from __future__ import annotations

import json
import logging
import socket
import threading

from flask import request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from core.plugin_api import Close, KioskHub, KioskSession, TransportSpec, hookimpl

log = logging.getLogger("floorcast.kiosks.ws")

MAX_MESSAGE = 64 * 1024
CLOSE_WAIT = 1.0  # seconds the kiosk gets to answer our close frame before we hang up


def parse(raw: object) -> dict | Close:
    """A kiosk message, or why the socket must close."""
    if not isinstance(raw, str):
        return Close(1003, "text frames only")
    if len(raw) > MAX_MESSAGE:
        return Close(1009, "message too big")
    try:
        message = json.loads(raw)
    except ValueError:
        return Close(1003, "malformed JSON")
    if not isinstance(message, dict):
        return Close(1003, "a message is a JSON object")
    return message


class KioskSocket:
    """One kiosk WebSocket connection (``ws``: a simple_websocket Server)."""

    def __init__(self, ws, hub: KioskHub, user_agent: str | None):
        self.ws, self.hub, self.user_agent = ws, hub, user_agent
        self._send_lock = threading.Lock()  # two greenlets send: keep frames whole

    def run(self) -> None:
        try:
            first = self.ws.receive(timeout=self.hub.hello_seconds)
            hello = Close(4408, "hello expected") if first is None else parse(first)
            session = hello if isinstance(hello, Close) else self.hub.hello(hello, self.user_agent)
            if isinstance(session, Close):
                self.close(session)
                return
            try:
                self._serve(session)
            finally:
                session.close()
        except (ConnectionClosed, OSError):
            pass  # the kiosk went away
        except Exception:  # answering a hijacked socket with an HTTP 500 page makes no sense
            log.exception("kiosk socket failed")
            self.close(Close(1011, "internal error"))
        finally:
            self.hub.release_db()

    def _serve(self, session: KioskSession) -> None:
        for message in session.start():
            self.send(message)
        reader = threading.Thread(target=self._read, args=(session,), name=f"kiosk-ws-{session.kiosk_id}", daemon=True)
        reader.start()
        while (out := session.next()) is not None:
            if isinstance(out, Close):
                self.close(out)
                break
            self.send(out)
        reader.join(timeout=CLOSE_WAIT)

    def _read(self, session: KioskSession) -> None:
        try:
            while True:
                message = parse(self.ws.receive())
                if isinstance(message, Close):
                    self.close(message)
                    return
                for reply in session.receive(message):
                    self.send(reply)
        except (ConnectionClosed, OSError):
            pass
        except Exception:  # a bug here must still end this socket, not leave it half-served
            log.exception("kiosk %s: reading failed", session.kiosk_id)
            self.close(Close(1011, "internal error"))
        finally:
            session.interrupt()
            self.hub.release_db()

    def send(self, message: dict) -> None:
        with self._send_lock:
            self.ws.send(self.hub.encode(message))

    def close(self, close: Close) -> None:
        """Send the close frame and give the kiosk a moment to answer it."""
        with self._send_lock:
            try:
                self.ws.close(reason=close.code, message=close.reason)
            except ConnectionClosed:
                pass
            except OSError as exc:  # the peer vanished while we wrote
                log.debug("close %s failed: %s", close.code, exc)
                self.ws.connected = False
        self.ws.thread.join(timeout=CLOSE_WAIT)

    def hang_up(self, raw_socket) -> None:
        """End the TCP connection ourselves. Without this the server's socket outlives
        the WebSocket: gevent's pywsgi would wait on it for a next HTTP request, and a
        kiosk that ignores our close frame (or died) would keep it open."""
        if self.ws.connected:
            self.close(Close(1011, "internal error"))
        for sock in (raw_socket, self.ws.sock):  # simple-websocket reads from a dup()
            try:
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


def _raw_socket(environ: dict):
    """The connection's socket as the WSGI server holds it (as simple-websocket finds it)."""
    if "werkzeug.socket" in environ:
        return environ["werkzeug.socket"]
    stream = environ.get("wsgi.input")
    if not hasattr(stream, "raw") and hasattr(stream, "rfile"):
        stream = stream.rfile
    return getattr(getattr(stream, "raw", None), "_sock", None)


def attach(app, hub: KioskHub) -> None:
    """Add ``/kiosk/ws`` to ``app``."""
    app.config["SOCK_SERVER_OPTIONS"] = {
        "ping_interval": hub.settings["kiosk"]["ping_seconds"],
        "max_message_size": MAX_MESSAGE,
    }
    sock = Sock(app)

    @app.before_request
    def no_compression():
        if request.path == "/kiosk/ws":
            # Kiosk messages are a few hundred bytes of JSON: permessage-deflate would
            # cost a zlib context per connection (~300 KiB) and a deflate per kiosk per
            # publication. Without the offer, simple-websocket accepts no extension.
            request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)

    @sock.route("/kiosk/ws")
    def kiosk_ws(ws):
        connection = KioskSocket(ws, hub, request.headers.get("User-Agent"))
        try:
            connection.run()
        finally:
            connection.hang_up(_raw_socket(request.environ))


@hookimpl
def floorcast_register_kiosk_transports():
    return [TransportSpec("websocket", attach, "WebSocket at /kiosk/ws (built in)")]
