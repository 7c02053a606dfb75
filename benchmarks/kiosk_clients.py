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
import random
import resource
import sys
import time

import websockets

FIRST_RETRY_AFTER_RESTART = (0.5, 5.0)
BACKOFF_START, BACKOFF_CAP = 1.0, 30.0


class SimulatedKiosk:
    def __init__(self, url: str, token: str, gate: asyncio.Semaphore):
        self.url, self.token, self.gate = url, token, gate
        self.ws = None
        self.last_event_id: int | None = None
        self.sha256: str | None = None
        self.received: dict[int, float] = {}  # publish version -> receipt time
        self.welcomes: list[float] = []
        self.closes: list[tuple[float, int | None]] = []
        self.pong: asyncio.Future | None = None
        self.stopping = False
        self.delay = BACKOFF_START

    async def run(self) -> None:
        while not self.stopping:
            ws = None
            try:
                async with self.gate:  # bound the handshakes in flight
                    ws = await websockets.connect(self.url, ping_interval=None, open_timeout=30, close_timeout=2)
                    await ws.send(self._hello())
                async with ws:
                    async for raw in ws:
                        self._handle(ws, json.loads(raw))
            except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
                pass
            code = ws.close_code if ws is not None else None
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

    def _handle(self, ws, message: dict) -> None:
        now = time.monotonic()
        kind = message.get("type")
        if kind == "welcome":
            self.ws, self.delay = ws, BACKOFF_START  # back-off resets after a welcome
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
        try:
            await self.ws.send('{"type":"ping"}')
            return await asyncio.wait_for(self.pong, timeout) - start
        except (TimeoutError, websockets.exceptions.WebSocketException):
            return None


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
            k.stopping = True
            if k.ws is not None:
                await k.ws.close()
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
