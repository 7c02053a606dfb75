"""The conversion child process: ``python -m core.jobs.child`` reads one JSON
request on stdin and writes JSON lines on stdout (``progress``, then ``result`` or
``error``). It runs untrusted files through plugin code, so the parent starts it
with resource limits and treats any other ending as a failure of that job only.

The request names the format the parent chose (``format``); the child runs that
format and does not sniff again. It writes the GLB to ``output``, a big
model's tiles to ``tiles_dir`` and, when asked, the plan's PNG top view to
``preview``; ``result`` is a
:class:`core.convert.result.ConversionResult` naming every file it wrote.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path


def _emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main() -> int:
    request = json.loads(sys.stdin.readline())
    # Silence plugin prints: stdout is our protocol channel.
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = protocol

    from core.convert.formats import format_named
    from core.convert.pipeline import convert_as
    from core.errors import ConversionError
    from core.plugins.manager import Plugins

    last = [0.0]

    def progress(stage: str, fraction: float, message: str | None = None) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2 and fraction < 1.0:
            return
        last[0] = now
        _emit({"type": "progress", "stage": stage, "fraction": round(float(fraction), 4), "message": message})

    try:
        plugins = Plugins(safe_mode=request.get("safe_mode", False), disabled=tuple(request.get("disabled", ())))
        spec = format_named(plugins.formats(), request["format"])
        tiles, preview = request.get("tiles_dir"), request.get("preview")
        result = convert_as(
            spec,
            Path(request["source"]),
            Path(request["output"]),
            options=request.get("options") or {},
            progress=progress,
            source_sha256=request.get("source_sha256"),
            tile_folder=Path(tiles) if tiles else None,
            preview=Path(preview) if preview else None,
        )
        _emit({"type": "result", "data": result.to_dict()})
        return 0
    except ConversionError as exc:
        _emit({"type": "error", "data": exc.as_dict()})
        return 2
    except MemoryError:
        _emit(
            {
                "type": "error",
                "data": {
                    "code": "out_of_memory",
                    "stage": None,
                    "message": "the conversion ran out of its memory limit",
                },
            }
        )
        return 3
    except Exception as exc:  # a bug in a converter: report it as this job's failure
        traceback.print_exc(file=sys.stderr)
        _emit(
            {
                "type": "error",
                "data": {
                    "code": "converter_crashed",
                    "stage": None,
                    "message": f"the converter failed: {type(exc).__name__}: {exc}",
                },
            }
        )
        return 4


if __name__ == "__main__":
    sys.exit(main())
