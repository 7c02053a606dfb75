"""Hostile PDFs each fail with a clear code, in process and inside the converter
sandbox, and the appliance keeps serving; damaged but honest files still convert."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pymupdf
import pytest
import shapely
from floorcast_pdf.plugin import floorcast_register_formats

from core.convert.pipeline import convert_file
from core.errors import PERMANENT_CODES, ConversionError
from core.jobs.sandbox import Limits, run_in_child
from tests import pdf_factory
from tests.dxf_factory import footprint, read_glb
from tests.gltf_validator import validate

FORMATS = floorcast_register_formats()


def truncated(path: Path) -> None:
    pdf_factory.building_plan(path.with_suffix(".whole.pdf"))
    data = path.with_suffix(".whole.pdf").read_bytes()
    path.write_bytes(data[: int(len(data) * 0.7)])


def garbage(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)


def encrypted(path: Path) -> None:
    pdf_factory.building_plan(path.with_suffix(".plain.pdf"))
    doc = pymupdf.open(path.with_suffix(".plain.pdf"))
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="venue", owner_pw="owner")


HOSTILE = {
    "huge_page": (pdf_factory.huge_page, "page_too_large"),
    "gigapixel_scan": (pdf_factory.giant_scan, "page_too_large"),
    "image_bomb": (pdf_factory.image_bomb, "page_too_large"),
    "content_bomb": (pdf_factory.content_bomb, "too_large"),
    "form_bomb": (lambda p: pdf_factory.content_bomb(p, form=True), "too_large"),
    "hex_flate_bomb": (lambda p: pdf_factory.content_bomb(p, hex_layer=True), "too_large"),
    "thousands_of_pages": (pdf_factory.many_pages, "too_many_pages"),
    "truncated": (truncated, "corrupt_file"),
    "garbage_after_header": (garbage, "corrupt_file"),
    "password": (encrypted, "password_protected"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for name, (make, _) in HOSTILE.items():
        files[name] = folder / f"{name}.pdf"
        make(files[name])
    return files


@pytest.mark.parametrize("name", list(HOSTILE))
def test_fails_with_a_clear_code(hostile, name, tmp_path):
    out = tmp_path / "x.glb"
    with pytest.raises(ConversionError) as info:
        convert_file(FORMATS, hostile[name], out, options={}, progress=lambda *a: None, filename=f"{name}.pdf")
    err = info.value
    assert err.code == HOSTILE[name][1], err.as_dict()
    assert err.code in PERMANENT_CODES and err.stage == "parse" and err.message
    assert str(hostile[name].parent) not in err.message
    assert not out.exists()


def test_sizes_stay_small(hostile):
    """The bombs are small files: the damage is all in what they claim."""
    assert hostile["content_bomb"].stat().st_size < 2_000_000
    assert hostile["image_bomb"].stat().st_size < 10_000


def test_inside_the_sandbox(hostile, tmp_path):
    """Through the real converter child process with the appliance's kind of limits:
    every hostile file ends as its code, never a crash, a hang or a memory kill."""
    limits = Limits(memory_mb=1024, cpu_seconds=60, wall_seconds=60, max_output_mb=64)

    def run(name: str):
        request = {
            "source": str(hostile[name]),
            "output": str(tmp_path / f"{name}.glb"),
            "options": {},
            "format": "pdf",
        }
        try:
            run_in_child(request, limits, lambda *a: None)
        except ConversionError as exc:
            return exc.code
        return "converted"

    with ThreadPoolExecutor(4) as pool:
        codes = dict(zip(HOSTILE, pool.map(run, HOSTILE), strict=True))
    assert codes == {name: code for name, (_, code) in HOSTILE.items()}


def test_a_chosen_page_of_a_very_long_pdf(hostile, tmp_path):
    out = tmp_path / "one.glb"
    result = convert_file(FORMATS, hostile["thousands_of_pages"], out, options={"page": 4321}, progress=lambda *a: None)
    assert result.report["pages"][0]["page"] == 4321 and result.report["page_count"] == 5000
    validate(out)


def test_broken_xref_is_repaired_with_a_warning(tmp_path):
    src, broken = tmp_path / "plan.pdf", tmp_path / "broken.pdf"
    truth = pdf_factory.building_plan(src)
    pdf_factory.broken_xref(src, broken)
    assert pymupdf.open(broken).is_repaired  # the table really is unreadable as written
    out = tmp_path / "broken.glb"
    result = convert_file(FORMATS, broken, out, options={}, progress=lambda *a: None)
    validate(out)
    assert any("repaired" in w for w in result.warnings)
    asset, nodes = read_glb(out)
    walls = shapely.union_all(
        [footprint(n, asset["origin"]) for n in nodes if n.extras["floorcast"]["category"] == "wall"]
    )
    assert walls.intersection(truth.walls).area / walls.union(truth.walls).area >= 0.9


def test_the_appliance_keeps_serving(server_factory, tmp_path):
    """A bomb and a 5,000-page file fail their own jobs; a good plan next to them
    converts; the server stays up."""
    server = server_factory()
    good = tmp_path / "good.pdf"
    pdf_factory.building_plan(good)
    bomb, many = tmp_path / "bomb.pdf", tmp_path / "many.pdf"
    pdf_factory.content_bomb(bomb)
    pdf_factory.many_pages(many)
    jobs = {
        name: server.upload(path.name, data=path.read_bytes()).json()["job"]["id"]
        for name, path in (("bomb", bomb), ("many", many), ("good", good))
    }
    results = {name: server.wait_job(job_id, timeout=120) for name, job_id in jobs.items()}
    assert results["bomb"]["status"] == "failed" and results["bomb"]["error"]["code"] == "too_large"
    assert results["many"]["error"]["code"] == "too_many_pages"
    assert results["good"]["status"] == "succeeded", results["good"]
    assert server.alive() and server.get("/readyz").status_code == 200
