"""A real ``floorcast serve`` in a subprocess, on a free port, with its own data dir."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
FLOORCAST = str(Path(sys.executable).parent / "floorcast")
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    def __init__(self, root: Path, env: dict[str, str] | None = None):
        self.root = root
        self.data_dir = root / "data"
        self.config = root / "appliance.toml"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = root / "server.log"
        self.env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self.env.pop("FLOORCAST_CONFIG", None)
        self.proc: subprocess.Popen | None = None
        self._admin_token: str | None = None
        pw = root / "admin-password"
        pw.write_text(ADMIN_PASSWORD)
        last = (
            self.cli(
                "init", "--data-dir", str(self.data_dir), "--admin-email", ADMIN_EMAIL, "--admin-password-file", str(pw)
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        assert Path(last) == self.config.resolve(), last

    def cli(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [FLOORCAST, "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
            cwd=self.root,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"floorcast {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    @property
    def admin_token(self) -> str:
        if self._admin_token is None:
            self._admin_token = self.cli("token", "create", "--user", ADMIN_EMAIL, "--name", "tests").stdout.strip()
        return self._admin_token

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def start(self, timeout: float = 30) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [FLOORCAST, "--config", str(self.config), "serve", "--bind", f"127.0.0.1:{self.port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=self.root,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not start in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- API helpers ---------------------------------------------------------------
    def get(self, path: str, **kw) -> requests.Response:
        kw.setdefault("headers", self.auth)
        return requests.get(self.url + path, timeout=30, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        kw.setdefault("headers", self.auth)
        return requests.post(self.url + path, timeout=60, **kw)

    def upload(
        self, path: Path | str, *, data: bytes | None = None, filename: str | None = None, **form
    ) -> requests.Response:
        content = data if data is not None else Path(path).read_bytes()
        return self.post("/api/v1/plans", files={"file": (filename or Path(path).name, content)}, data=form)

    def wait_job(self, job_id: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/api/v1/jobs/{job_id}").json()
            if job["status"] in ("succeeded", "failed", "cancelled"):
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} not final after {timeout}s: {job}\n{self.log()[-3000:]}")
