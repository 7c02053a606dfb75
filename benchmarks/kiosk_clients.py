"""Simulated kiosks for ``kiosk_fanout.py``: many WebSocket clients in one asyncio
process, driven by JSON commands on stdin, one JSON answer per line on stdout.

Each kiosk speaks the protocol of DESIGN.md section 9 (hello with its last event id
and sha256, welcome, publish) and reconnects with the kiosk policy: exponential
back-off from 1 s doubling to 30 s with full jitter; after a 1012 close the first
retry waits uniform(0.5, 5) s; reset after a welcome. Receipt times are
``time.monotonic()``, the same clock the orchestrator reads (CLOCK_MONOTONIC is
system-wide on Linux). Kiosks do not download or ack: only delivery is measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import sys
import time
from urllib.parse import urlsplit

FIRST_RETRY_AFTER_RESTART = (0.5, 5.0)
BACKOFF_START, BACKOFF_CAP = 1.0, 30.0


class HandshakeFailed(Exception):
    pass


class KioskProtocol(asyncio.Protocol):
    """A minimal RFC 6455 client: the upgrade, whole unmasked frames in, masked frames
    out. A full client library spends more CPU per message than the server under test
    does; this one stamps each message the moment its bytes arrive."""

    def __init__(self, kiosk: SimulatedKiosk, host: str, path: str):
        loop = asyncio.get_running_loop()
        self.kiosk, self.host, self.path = kiosk, host, path
        self.handshake: asyncio.Future = loop.create_future()
        self.closed: asyncio.Future = loop.create_future()
        self.close_code: int | None = None
        self.buffer = bytearray()
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = "dGhlIHNhbXBsZSBub25jZQ=="  # the server does not care which nonce
        transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buf = self.buffer
        buf += data
        if not self.handshake.done():
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buf[: buf.find(b"\r\n")]:
                self.handshake.set_exception(HandshakeFailed(bytes(buf[:end]).decode(errors="replace")))
                self.transport.close()
                return
            del buf[: end + 4]
            self.handshake.set_result(True)
        while len(buf) >= 2:
            opcode, size, start = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if size == 126:
                if len(buf) < 4:
                    return
                size, start = int.from_bytes(buf[2:4], "big"), 4
            elif size == 127:
                if len(buf) < 10:
                    return
                size, start = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < start + size:
                return
            payload = bytes(buf[start : start + size])
            del buf[: start + size]
            if opcode == 0x1:
                self.kiosk.on_message(self, json.loads(payload), now)
            elif opcode == 0x9:  # ping -> pong, as a browser does
                self.send_frame(0xA, payload)
            elif opcode == 0x8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.send_frame(0x8, payload[:2])
                self.transport.close()

    def connection_lost(self, exc) -> None:
        if not self.handshake.done():
            self.handshake.set_exception(HandshakeFailed("connection lost"))
        if not self.closed.done():
            self.closed.set_result(self.close_code)

    def send_frame(self, opcode: int, payload: bytes) -> None:
        if self.transport.is_closing():
            return
        mask = os.urandom(4)
        size = len(payload)
        head = bytes([0x80 | opcode]) + (
            bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + size.to_bytes(2, "big")
        )
        key = int.from_bytes((mask * (size // 4 + 1))[:size], "big")
        masked = (int.from_bytes(payload, "big") ^ key).to_bytes(size, "big")
        self.transport.write(head + mask + masked)

    def send_text(self, text: str) -> None:
        self.send_frame(0x1, text.encode())


class SimulatedKiosk:
    def __init__(self, url: str, token: str, gate: asyncio.Semaphore):
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.token, self.gate = token, gate
        self.ws: KioskProtocol | None = None
        self.last_event_id: int | None = None
        self.sha256: str | None = None
        self.received: dict[int, float] = {}  # publish version -> receipt time
        self.welcomes: list[float] = []
        self.closes: list[tuple[float, int | None]] = []
        self.pong: asyncio.Future | None = None
        self.stopping = False
        self.delay = BACKOFF_START

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stopping:
            protocol = None
            try:
                async with self.gate:  # bound the handshakes in flight
                    _, protocol = await asyncio.wait_for(
                        loop.create_connection(
                            lambda: KioskProtocol(self, f"{self.host}:{self.port}", self.path), self.host, self.port
                        ),
                        30,
                    )
                    await asyncio.wait_for(protocol.handshake, 30)
                    protocol.send_text(self._hello())
                code = await protocol.closed
            except (OSError, TimeoutError, HandshakeFailed):
                code = protocol.close_code if protocol is not None else None
                if protocol is not None:
                    protocol.transport.close()
            self.ws = None
            self.closes.append((time.monotonic(), code))
            if self.stopping or code == 4401:
                return
            if code == 1012:
                wait = random.uniform(*FIRST_RETRY_AFTER_RESTART)
            else:
                wait = random.uniform(0, self.delay)  # full jitter
                self.delay = min(self.delay * 2, BACKOFF_CAP)
            await asyncio.sleep(wait)

    def _hello(self) -> str:
        data = {"token": self.token, "last_event_id": self.last_event_id, "sha256": self.sha256}
        return json.dumps({"type": "hello", "data": data})

    def on_message(self, protocol: KioskProtocol, message: dict, now: float) -> None:
        kind = message.get("type")
        if kind == "welcome":
            self.ws, self.delay = protocol, BACKOFF_START  # back-off resets after a welcome
            self.welcomes.append(now)
        elif kind == "publish":
            self.received.setdefault(message["data"]["version"], now)
            self.last_event_id, self.sha256 = message["id"], message["data"]["sha256"]
        elif kind == "pong" and self.pong is not None and not self.pong.done():
            self.pong.set_result(now)

    async def ping(self, timeout: float = 10) -> float | None:
        """Round trip of an application ping, in seconds (None: not connected or lost)."""
        if self.ws is None:
            return None
        self.pong = asyncio.get_running_loop().create_future()
        start = time.monotonic()
        self.ws.send_text('{"type":"ping"}')
        try:
            return await asyncio.wait_for(self.pong, timeout) - start
        except TimeoutError:
            return None

    def close(self) -> None:
        self.stopping = True
        if self.ws is not None:
            self.ws.send_frame(0x8, (1000).to_bytes(2, "big"))
            self.ws.transport.close()


class Fleet:
    def __init__(self):
        self.kiosks: list[SimulatedKiosk] = []
        self.tasks: list[asyncio.Task] = []

    async def connect(self, url: str, tokens: list[str], concurrency: int = 200, timeout: float = 300) -> dict:
        start = time.monotonic()
        gate = asyncio.Semaphore(concurrency)
        new = [SimulatedKiosk(url, token, gate) for token in tokens]
        self.kiosks += new
        self.tasks += [asyncio.create_task(k.run()) for k in new]
        while time.monotonic() - start < timeout and not all(k.welcomes for k in new):
            await asyncio.sleep(0.05)
        return {"connected": sum(1 for k in new if k.ws is not None), "seconds": time.monotonic() - start}

    async def await_publish(self, version: int, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(version in k.received for k in self.kiosks):
            await asyncio.sleep(0.02)
        return {"times": [k.received[version] for k in self.kiosks if version in k.received]}

    async def await_reconnect(self, since: float, timeout: float = 120) -> dict:
        """Wait until every kiosk had a welcome after ``since``; their first such times."""
        deadline = time.monotonic() + timeout

        def back(k):
            return next((t for t in k.welcomes if t > since), None)

        while time.monotonic() < deadline and not all(back(k) for k in self.kiosks):
            await asyncio.sleep(0.1)
        closes = [code for k in self.kiosks for t, code in k.closes if t > since]
        return {
            "times": [t for t in map(back, self.kiosks) if t is not None],
            "close_codes": {str(c): closes.count(c) for c in set(closes)},
            "attempts": len(closes),
        }

    async def ping_probe(self, count: int, interval: float, seconds: float) -> dict:
        """``count`` kiosks ping every ``interval`` s for ``seconds``: round trips."""
        probes = [k for k in self.kiosks if k.ws is not None][:count]

        async def probe(k):
            rtts, end = [], time.monotonic() + seconds
            while time.monotonic() < end:
                rtt = await k.ping()
                rtts.append(rtt)
                await asyncio.sleep(interval)
            return rtts

        results = await asyncio.gather(*(probe(k) for k in probes))
        flat = [r for rtts in results for r in rtts]
        return {"rtts": [r for r in flat if r is not None], "lost": sum(r is None for r in flat)}

    async def disconnect(self) -> dict:
        for k in self.kiosks:
            k.close()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        count = len(self.kiosks)
        self.kiosks, self.tasks = [], []
        return {"disconnected": count}


async def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    fleet = Fleet()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        name = command.pop("cmd")
        if name == "quit":
            await fleet.disconnect()
            break
        answer = await getattr(fleet, name)(**command)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
