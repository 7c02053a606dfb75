"""Kiosk fan-out benchmark: one real ``floorcast serve`` on embedded defaults and
N real WebSocket kiosks in a separate client process (``kiosk_clients.py``).

Measures, and prints:
- delivery latency of a publication, per kiosk, from just before
  ``POST /api/v1/channels/<ch>/publications`` to receipt of its ``publish``
  (p50/p90/p99/max over every kiosk and every publication), for each N;
- the same latency against ``bare_broadcast.py`` (the same stack doing nothing but
  a broadcast loop), so the result reads as a ratio on any machine;
- server memory per connection (RSS after connecting N minus before, / N);
- restart: with R kiosks connected the server gets SIGTERM (kiosks hear 1012) and
  starts again; the kiosks come back with the kiosk reconnect policy; time until
  all are back and a histogram of reconnections per second;
- heartbeat stall: ping -> pong round trips of a few kiosks while idle and while a
  large DXF is uploaded and converted.

    .venv/bin/python benchmarks/kiosk_fanout.py --kiosks 100,1000,5000

Needs the dev install (or the ``bench`` extra: requests, py-spy for profiling).
Raises its open-file soft limit to the hard limit; the server inherits it.
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.big_dxf import grid_plan  # noqa: E402
from tests.dxf_factory import building_plan  # noqa: E402
from tests.serverproc import ServerProcess  # noqa: E402

CHANNEL = "bench"


class Clients:
    """The kiosk client process, one JSON command and answer per line."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("kiosk_clients.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lock = threading.Lock()

    def call(self, cmd: str, **args) -> dict:
        with self._lock:
            self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"kiosk client process died (exit {self.proc.poll()})")
        return json.loads(line)

    def quit(self) -> None:
        self.proc.stdin.write('{"cmd": "quit"}\n')
        self.proc.stdin.flush()
        self.proc.wait(timeout=60)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summary_ms(values: list[float]) -> str:
    if not values:
        return "no samples"
    ms = [v * 1000 for v in values]
    return f"p50 {pct(ms, 50):7.1f}  p90 {pct(ms, 90):7.1f}  p99 {pct(ms, 99):7.1f}  max {max(ms):7.1f} ms"


def provision(server: ServerProcess, count: int) -> list[str]:
    """``count`` kiosks in bulk, the way ``POST /api/v1/kiosks`` makes each one, in
    one transaction on the server's database (one API call per kiosk takes minutes
    for thousands: a SQLite commit each)."""
    from core.appliance import create_appliance
    from core.config import load_settings
    from core.kiosks.fleet import provision as provision_kiosk

    box = create_appliance(load_settings(server.config, env={}), with_queue=False)
    with box.db.atomic():
        tokens = [provision_kiosk(f"bench-{i}", CHANNEL)[1] for i in range(count)]
    box.db.close()
    return tokens


def first_asset(server: ServerProcess, work: Path) -> str:
    """A real converted model (the test suite's building plan) to publish."""
    plan = work / "plan.dxf"
    building_plan(plan)
    r = server.upload(plan)
    r.raise_for_status()
    job = server.wait_job(r.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    return job["asset"]["id"]


def publish(server: ServerProcess, asset: str) -> tuple[float, int]:
    start = time.monotonic()
    r = server.post(f"/api/v1/channels/{CHANNEL}/publications", json={"asset": asset})
    r.raise_for_status()
    return start, r.json()["version"]


def restart(server: ServerProcess) -> None:
    server.stop()
    server.start()
    time.sleep(1)  # let start-up work settle before measuring memory


def rss(server: ServerProcess) -> int:
    return psutil.Process(server.proc.pid).memory_info().rss


def fanout(server: ServerProcess, clients: Clients, tokens: list[str], asset: str, publications: int) -> dict:
    restart(server)
    before = rss(server)
    connected = clients.call("connect", url=server.url.replace("http", "ws", 1) + "/kiosk/ws", tokens=tokens)
    time.sleep(2)
    after = rss(server)
    latencies, per_pub_p99, missing = [], [], 0
    cpu = {"server": 0.0, "clients": 0.0}
    procs = {"server": psutil.Process(server.proc.pid), "clients": psutil.Process(clients.proc.pid)}
    for _ in range(publications):
        time.sleep(1)
        before_cpu = {name: sum(p.cpu_times()[:2]) for name, p in procs.items()}
        start, version = publish(server, asset)
        times = clients.call("await_publish", version=version)["times"]
        for name, p in procs.items():
            cpu[name] += sum(p.cpu_times()[:2]) - before_cpu[name]
        missing += len(tokens) - len(times)
        lat = [t - start for t in times]
        latencies += lat
        per_pub_p99.append(pct(lat, 99) * 1000 if lat else float("nan"))
    clients.call("disconnect")
    return {
        "kiosks": len(tokens),
        "connected": connected["connected"],
        "connect_seconds": round(connected["seconds"], 1),
        "rss_before_mb": round(before / 2**20, 1),
        "rss_after_mb": round(after / 2**20, 1),
        "kb_per_connection": round((after - before) / len(tokens) / 1024, 1),
        "min_ms": round(min(latencies) * 1000, 1) if latencies else None,
        "p50_ms": round(pct(latencies, 50) * 1000, 1) if latencies else None,
        "p90_ms": round(pct(latencies, 90) * 1000, 1) if latencies else None,
        "p99_ms": round(pct(latencies, 99) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "p99_per_publication_ms": [round(v, 1) for v in per_pub_p99],
        "missing": missing,
        "server_cpu_ms_per_publication": round(cpu["server"] / publications * 1000),
        "clients_cpu_ms_per_publication": round(cpu["clients"] / publications * 1000),
    }


class BareServer:
    """``bare_broadcast.py`` in a subprocess on a free port."""

    def __init__(self):
        from tests.serverproc import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        script = Path(__file__).with_name("bare_broadcast.py")
        self.proc = subprocess.Popen([sys.executable, str(script), str(self.port)])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/readyz", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("bare broadcast server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def bare_fanout(clients: Clients, count: int, publications: int) -> dict:
    """The same kiosks and measurements against the bare broadcast loop."""
    bare = BareServer()
    try:
        clients.call("connect", url=bare.url.replace("http", "ws", 1) + "/kiosk/ws", tokens=["-"] * count)
        time.sleep(2)
        latencies, per_pub_p99 = [], []
        for version in range(1, publications + 1):
            time.sleep(1)
            start = time.monotonic()
            requests.post(f"{bare.url}/publish", params={"version": version}, timeout=60).raise_for_status()
            times = clients.call("await_publish", version=version)["times"]
            lat = [t - start for t in times]
            latencies += lat
            per_pub_p99.append(pct(lat, 99) * 1000 if lat else float("nan"))
        clients.call("disconnect")
    finally:
        bare.stop()
    return {
        "kiosks": count,
        "p50_ms": round(pct(latencies, 50) * 1000, 1) if latencies else None,
        "p99_ms": round(pct(latencies, 99) * 1000, 1) if latencies else None,
        "p99_per_publication_ms": [round(v, 1) for v in per_pub_p99],
    }


def restart_scenario(server: ServerProcess, clients: Clients, tokens: list[str]) -> dict:
    restart(server)
    clients.call("connect", url=server.url.replace("http", "ws", 1) + "/kiosk/ws", tokens=tokens)
    sigterm = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=30)
    down = time.monotonic()
    server.start()
    up = time.monotonic()
    back = clients.call("await_reconnect", since=sigterm, timeout=120)
    times = sorted(t - sigterm for t in back["times"])
    histogram = Counter(int(t) for t in times)
    return {
        "kiosks": len(tokens),
        "back": len(times),
        "server_down_s": round(down - sigterm, 2),
        "server_up_s": round(up - sigterm, 2),
        "all_back_s": round(times[-1], 2) if times else None,
        "median_back_s": round(statistics.median(times), 2) if times else None,
        "per_second": {s: histogram[s] for s in range(int(times[-1]) + 1)} if times else {},
        "close_codes": back["close_codes"],
        "connection_attempts_failed": back["attempts"],
    }


def heartbeat_scenario(server: ServerProcess, clients: Clients, work: Path, probes: int, grid: int) -> dict:
    idle = clients.call("ping_probe", count=probes, interval=0.1, seconds=5)
    plan = grid_plan(work / "grid.dxf", grid, grid)
    outcome: dict = {}

    def convert():
        start = time.monotonic()
        r = server.upload(plan)
        r.raise_for_status()
        outcome["job"] = server.wait_job(r.json()["job"]["id"], timeout=600)
        outcome["seconds"] = time.monotonic() - start

    worker = threading.Thread(target=convert)
    worker.start()
    busy, lost = [], 0
    while worker.is_alive():
        answer = clients.call("ping_probe", count=probes, interval=0.1, seconds=1)
        busy += answer["rtts"]
        lost += answer["lost"]
    worker.join()
    return {
        "plan_mb": round(plan.stat().st_size / 2**20, 1),
        "job": outcome["job"]["status"],
        "job_seconds": round(outcome["seconds"], 1),
        "idle": summary_ms(idle["rtts"]),
        "idle_p99_ms": round(pct(idle["rtts"], 99) * 1000, 1),
        "during_conversion": summary_ms(busy),
        "during_conversion_p99_ms": round(pct(busy, 99) * 1000, 1) if busy else None,
        "samples": len(busy),
        "lost": lost + idle["lost"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiosks", default="100,1000,5000", help="comma-separated fleet sizes")
    parser.add_argument("--publications", type=int, default=5, help="publications per fleet size")
    parser.add_argument("--restart-kiosks", type=int, default=1000, help="kiosks in the restart scenario (0: skip)")
    parser.add_argument("--probes", type=int, default=10, help="kiosks measuring ping round trips (0: skip)")
    parser.add_argument("--grid", type=int, default=80, help="rooms per side of the generated DXF")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--no-baseline", dest="baseline", action="store_false", help="skip the bare flask-sock broadcast baseline"
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.kiosks.split(",") if n.strip()]

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the server
    need = max(sizes + [args.restart_kiosks]) + 200
    if hard < need:
        sys.exit(f"open-file limit {hard} is too low for {need - 200} kiosks (ulimit -n)")

    results: dict = {"machine": {"cpus": psutil.cpu_count(), "nofile": hard}}
    with tempfile.TemporaryDirectory(prefix="floorcast-bench-") as tmp:
        work = Path(tmp)
        server = ServerProcess(work)
        server.start()
        clients = Clients()
        try:
            start = time.monotonic()
            tokens = provision(server, need - 200)
            print(f"provisioned {len(tokens)} kiosks in {time.monotonic() - start:.1f} s", flush=True)
            asset = first_asset(server, work)
            publish(server, asset)  # kiosks connect to a channel that has a model

            results["fanout"] = []
            print("\nfan-out of one publication (latency from just before the POST to receipt):")
            for n in sizes:
                row = fanout(server, clients, tokens[:n], asset, args.publications)
                results["fanout"].append(row)
                print(
                    f"  {n:>5} kiosks: first {row['min_ms']} ms, p50 {row['p50_ms']} ms, p90 {row['p90_ms']} ms, "
                    f"p99 {row['p99_ms']} ms, max {row['max_ms']} ms, missing {row['missing']}\n"
                    f"         p99 per publication {row['p99_per_publication_ms']} ms\n"
                    f"         CPU per publication: server {row['server_cpu_ms_per_publication']} ms, "
                    f"clients {row['clients_cpu_ms_per_publication']} ms\n"
                    f"         {row['kb_per_connection']} KiB per connection (server RSS {row['rss_before_mb']} -> "
                    f"{row['rss_after_mb']} MiB), connected in {row['connect_seconds']} s",
                    flush=True,
                )
                if args.baseline:
                    bare = bare_fanout(clients, n, args.publications)
                    row["bare"] = bare
                    ratio = row["p99_ms"] / bare["p99_ms"] if row["p99_ms"] and bare["p99_ms"] else float("nan")
                    print(
                        f"         bare flask-sock broadcast: p50 {bare['p50_ms']} ms, p99 {bare['p99_ms']} ms "
                        f"{bare['p99_per_publication_ms']}; Floorcast p99 / bare p99 = {ratio:.2f}",
                        flush=True,
                    )

            if args.restart_kiosks:
                row = restart_scenario(server, clients, tokens[: args.restart_kiosks])
                results["restart"] = row
                print(
                    f"\nrestart with {row['kiosks']} kiosks: server down {row['server_down_s']} s, "
                    f"up again {row['server_up_s']} s after SIGTERM; {row['back']} back, all within "
                    f"{row['all_back_s']} s (median {row['median_back_s']} s); closes {row['close_codes']}",
                    flush=True,
                )
                print("  reconnections per second after SIGTERM:")
                peak = max(row["per_second"].values() or [1])
                for second, count in row["per_second"].items():
                    print(f"  {second:>3}s {count:>5} {'#' * round(40 * count / peak)}")

            if args.probes:
                if not args.restart_kiosks:
                    restart(server)
                    clients.call("connect", url=server.url.replace("http", "ws", 1) + "/kiosk/ws", tokens=tokens[:100])
                row = heartbeat_scenario(server, clients, work, args.probes, args.grid)
                results["heartbeat"] = row
                print(
                    f"\nping -> pong of {args.probes} kiosks: idle {row['idle']}\n"
                    f"  while a {row['plan_mb']} MiB DXF is uploaded and converted ({row['job']}, "
                    f"{row['job_seconds']} s): {row['during_conversion']} ({row['samples']} samples, "
                    f"{row['lost']} lost)",
                    flush=True,
                )
        finally:
            try:
                clients.quit()
            finally:
                server.stop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
