"""Run the Khronos glTF-Validator (npm ``gltf-validator``) on a GLB."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "tools" / "validate_gltf.mjs"


def validate(path: str | Path) -> dict:
    """Return the validator's report; fails the calling test on any error."""
    node = shutil.which("node")
    assert node, "node is required to run the glTF-Validator (installer --dev installs it)"
    assert (ROOT / "node_modules" / "gltf-validator").is_dir(), "run installer/install.sh --dev"
    proc = subprocess.run([node, str(SCRIPT), str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, f"validator printed no report: {proc.stderr}"
    report = json.loads(lines[-1])
    errors = [m for m in report["messages"] if m.get("severity") == 0]
    assert report["numErrors"] == 0, f"glTF-Validator errors in {path}: {errors}"
    return report
