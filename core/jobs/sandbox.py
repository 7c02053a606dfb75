"""Run one conversion in a child process (:mod:`core.jobs.child`) with resource limits.

Limits: address space (memory), CPU time, output file size, and a wall-clock
timeout enforced here. The child dies with its parent (PR_SET_PDEATHSIG), so a
kill -9 of the appliance leaves no orphan converter behind.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.convert.result import ConversionResult
from core.errors import ConversionError

PR_SET_PDEATHSIG = 1
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    memory_mb: int
    cpu_seconds: int
    wall_seconds: float
    max_output_mb: int

    @classmethod
    def of(cls, settings) -> Limits:
        """The ``[jobs]`` limits of one conversion."""
        jobs = settings["jobs"]
        return cls(jobs["memory_mb"], jobs["cpu_seconds"], jobs["timeout_seconds"], jobs["max_output_mb"])


def child_request(
    settings,
    *,
    source: str,
    output: str,
    format_name: str,
    options: dict,
    safe_mode: bool,
    tiles_dir: str | None = None,
    preview: str | None = None,
    source_sha256: str | None = None,
) -> dict:
    """What :func:`run_in_child` sends the child (see :mod:`core.jobs.child`): the
    files, the format chosen, the converter's options and the plugins to load
    (``safe_mode``, ``[plugins] disabled``)."""
    return {
        "source": source,
        "output": output,
        "tiles_dir": tiles_dir,
        "preview": preview,
        "options": options,
        "format": format_name,
        "source_sha256": source_sha256,
        "safe_mode": safe_mode,
        "disabled": list(settings["plugins"]["disabled"]),
    }


def _limit_child(limits: Limits) -> Callable[[], None]:
    def apply() -> None:
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except OSError:
            pass
        os.setsid()
        mem = limits.memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        out = limits.max_output_mb * MB
        resource.setrlimit(resource.RLIMIT_FSIZE, (out, out))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_in_child(
    request: dict,
    limits: Limits,
    on_progress: Callable[[str, float, str | None], None],
    should_stop: Callable[[], bool] = lambda: False,
) -> ConversionResult:
    """Start the converter child on ``request`` (see :mod:`core.jobs.child`);
    return its result or raise :class:`ConversionError`.

    ``should_stop`` is polled between progress lines (and at least every second):
    when it returns True the child is killed and ``cancelled`` raised."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.jobs.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit_child(limits),
        env=env,
    )
    deadline = time.monotonic() + limits.wall_seconds
    stderr_tail: list[bytes] = []
    outcome: dict = {}
    stopped = {"why": None}

    def watch() -> None:
        # Kills the child on timeout or cancellation; runs beside the line reader.
        while proc.poll() is None:
            if time.monotonic() > deadline:
                stopped["why"] = "timeout"
            elif should_stop():
                stopped["why"] = "cancelled"
            if stopped["why"]:
                _kill(proc)
                return
            time.sleep(0.5)

    def drain_stderr() -> None:
        for line in proc.stderr:
            stderr_tail.append(line)
            del stderr_tail[:-20]

    import threading  # gevent-patched under serve/worker: these become greenlets

    watcher = threading.Thread(target=watch, daemon=True)
    errdrain = threading.Thread(target=drain_stderr, daemon=True)
    watcher.start()
    errdrain.start()
    try:
        proc.stdin.write((json.dumps(request) + "\n").encode())
        proc.stdin.close()
        for raw in proc.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if msg.get("type") == "progress":
                on_progress(msg.get("stage", ""), float(msg.get("fraction", 0)), msg.get("message"))
            elif msg.get("type") in ("result", "error"):
                outcome = msg
    finally:
        code = proc.wait()
        watcher.join(timeout=2)
        errdrain.join(timeout=2)
    if stopped["why"] == "timeout":
        raise ConversionError("timeout", f"the conversion took longer than {limits.wall_seconds:.0f} s and was stopped")
    if stopped["why"] == "cancelled":
        raise ConversionError("cancelled", "the job was cancelled")
    if outcome.get("type") == "result" and code == 0:
        try:
            return ConversionResult.from_dict(outcome["data"])
        except (ValueError, TypeError) as exc:
            raise ConversionError("converter_crashed", f"the converter process sent a garbled result: {exc}") from None
    if outcome.get("type") == "error":
        err = outcome["data"]
        raise ConversionError(err["code"], err["message"], stage=err.get("stage"), detail=err.get("detail"))
    raise _crash_error(code, b"".join(stderr_tail).decode("utf-8", "replace"), limits)


#: how running out of address space reads in a dead child's stderr: Python's, C++'s,
#: glibc's, the loader's when a library's mmap is refused, and OpenBLAS's when its
#: buffers are (numpy's, at import: a limit below what the converter needs to start)
OUT_OF_MEMORY_SIGNS = (
    "MemoryError",
    "bad_alloc",
    "Cannot allocate memory",
    "failed to map segment",
    "Memory allocation still failed",
)


def _crash_error(code: int, stderr: str, limits: Limits) -> ConversionError:
    """Name the limit a child hit from how it died."""
    if code == -signal.SIGXCPU:
        return ConversionError("timeout", f"the conversion used more than {limits.cpu_seconds} s of CPU time")
    if code == -signal.SIGXFSZ:
        return ConversionError("too_large", f"the conversion output exceeded {limits.max_output_mb} MB")
    if any(sign in stderr for sign in OUT_OF_MEMORY_SIGNS):
        return ConversionError("out_of_memory", f"the conversion exceeded its memory limit of {limits.memory_mb} MB")
    last = stderr.strip().splitlines()[-1:] or [""]
    how = f"signal {-code}" if code < 0 else f"exit code {code}"
    return ConversionError(
        "converter_crashed", f"the converter process ended abnormally ({how}) {last[0][:300]}".strip()
    )


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass
