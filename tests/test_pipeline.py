"""core.convert.pipeline.convert_file: sniffing, error mapping, atomic GLB writing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from shapely.geometry import box

from core.convert.pipeline import convert_file
from core.convert.scene import Mesh, Node, Scene
from core.errors import ConversionError, is_permanent
from core.plugins.specs import FormatSpec
from tests.gltf_validator import validate

MAGIC = b"BOXPLAN"


def _convert(source: Path, options: dict, progress) -> Scene:
    """A tiny real format: ``BOXPLAN <behaviour>``."""
    mode = source.read_bytes()[len(MAGIC) :].strip().decode()
    progress("parse", 0.5, "reading")
    if mode == "value-error":
        raise ValueError("bad number in line 3")
    if mode == "crash":
        progress("geometry", 0.1)
        raise RuntimeError("bug in converter")
    if mode == "geometry-bug":  # a converter's own fault halfway through a good file
        progress("geometry", 0.4, "walls")
        exc = ValueError("setting an array element with a sequence")
        exc.add_note("HATCH #3AC on layer A-WALL")
        raise exc
    if mode == "refuse":
        raise ConversionError("corrupt_file", "says so itself", stage="parse")
    scene = Scene(units="m", units_source="file")
    if mode != "empty":
        scene.add(Node("w", "wall", "L", Mesh.extrude(box(0, 0, 4, 0.2), 0, 3)))
    scene.report = {"mode": mode}
    return scene


BOX = FormatSpec("box", (".box",), lambda head: head.startswith(MAGIC), _convert, version="2.1")


def _run(tmp_path: Path, content: bytes, **kw):
    src = tmp_path / "plan.box"
    src.write_bytes(content)
    out = tmp_path / "out" / "plan.glb"
    events = []
    result = convert_file([BOX], src, out, options={}, progress=lambda *a: events.append(a), **kw)
    return result, out, events


def test_converts_and_reports(tmp_path):
    result, out, events = _run(tmp_path, MAGIC + b" ok")
    validate(out)
    data = out.read_bytes()
    assert result.format == "box" and result.converter_version == "2.1"
    assert result.glb_sha256 == hashlib.sha256(data).hexdigest()
    assert result.glb_size == len(data)
    assert result.source_sha256 == hashlib.sha256(MAGIC + b" ok").hexdigest()
    assert result.report == {"mode": "ok"} and result.units == "m"
    assert result.stats["counts"] == {"wall": 1}
    stages = [e[0] for e in events]
    assert stages[0] == "sniff" and stages[-1] == "write"
    assert {"sniff", "parse", "geometry", "write"} <= set(stages)
    assert [p.name for p in out.parent.iterdir()] == ["plan.glb"]  # no temp file left


def test_given_sha256_is_recorded(tmp_path):
    result, _, _ = _run(tmp_path, MAGIC + b" ok", source_sha256="f" * 64)
    assert result.source_sha256 == "f" * 64


@pytest.mark.parametrize(
    ("content", "code", "stage"),
    [
        (b"", "empty_file", "sniff"),
        (b"\x00\x01garbage" * 10, "unsupported_format", "sniff"),
        (MAGIC + b" empty", "no_geometry", "geometry"),
        (MAGIC + b" value-error", "internal_error", "parse"),
        (MAGIC + b" crash", "internal_error", "geometry"),
        (MAGIC + b" geometry-bug", "internal_error", "geometry"),
        (MAGIC + b" refuse", "corrupt_file", "parse"),
    ],
)
def test_errors(tmp_path, content, code, stage):
    with pytest.raises(ConversionError) as info:
        _run(tmp_path, content)
    assert (info.value.code, info.value.stage) == (code, stage)
    assert not (tmp_path / "out" / "plan.glb").exists()
    leftovers = list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else []
    assert leftovers == []


def test_crash_message_names_the_exception(tmp_path):
    with pytest.raises(ConversionError, match="RuntimeError: bug in converter"):
        _run(tmp_path, MAGIC + b" crash")


def test_a_converter_fault_is_not_blamed_on_the_file(tmp_path):
    """Only the plugin says a file is corrupt; its own ValueError is internal_error,
    naming the plugin, the stage, the step and what the converter noted."""
    with pytest.raises(ConversionError) as info:
        _run(tmp_path, MAGIC + b" geometry-bug")
    err = info.value
    assert (err.code, err.stage) == ("internal_error", "geometry")
    assert err.message == (
        "the box converter failed in the geometry stage (walls; HATCH #3AC on layer A-WALL):"
        " ValueError: setting an array element with a sequence"
    )
    assert not is_permanent(err.code)  # retried, unlike a bad file


def test_forced_unknown_format(tmp_path):
    with pytest.raises(ConversionError) as info:
        _run(tmp_path, MAGIC + b" ok", forced_format="pdf")
    assert info.value.code == "unsupported_format"


def test_existing_output_replaced_atomically(tmp_path):
    out = tmp_path / "out" / "plan.glb"
    out.parent.mkdir()
    out.write_bytes(b"old")
    with pytest.raises(ConversionError):
        _run(tmp_path, MAGIC + b" crash")
    assert out.read_bytes() == b"old"  # a failed run leaves the previous file alone
    _run(tmp_path, MAGIC + b" ok")
    validate(out)
