"""Instanced and quantized GLBs in real Chromium: three.js's GLTFLoader (through the
kiosk's own viewer module) draws every copy, where the writer put it."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from flask import Flask, Response
from shapely.geometry import box
from werkzeug.serving import make_server

from core.convert import geometry
from core.convert.scene import Node, Scene
from core.gltf.glb import write_glb
from tests.dxf_factory import read_glb
from tests.gltf_validator import validate
from tests.test_glb_size import chair, gltf_json, seating
from tests.test_kiosk_browser import (  # noqa: F401  (fixtures)
    VIEWPORT,
    analyser,
    assert_model_drawn,
    browser,
    picture,
    playwright,
    save_artifact,
)
from web.kiosk.page import create_blueprint, load_shell

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script type="importmap">IMPORT_MAP</script>
<style>html, body { margin: 0; } #viewer { width: 960px; height: 540px; position: relative; }</style>
</head><body><div id="viewer"></div>
<script type="module">
import * as THREE from "three";
import { Viewer } from "STATIC/viewer.js";
try {
  const viewer = new Viewer(document.getElementById("viewer"));
  const bytes = new Uint8Array(await (await fetch("/model.glb")).arrayBuffer());
  const model = await viewer.show(bytes, "test");
  const instanced = [];
  const m = new THREE.Matrix4();
  model.root.traverse((object) => {
    if (!object.isInstancedMesh) return;
    let mirrored = 0;
    for (let i = 0; i < object.count; i++) {
      object.getMatrixAt(i, m);
      if (m.clone().premultiply(object.matrixWorld).determinant() <= 0) mirrored += 1;
    }
    const info = object.userData.floorcast || {};
    instanced.push({ name: object.name, count: object.count, mirrored, category: info.category,
                     mirroredMesh: Boolean(info.mirrored) });
  });
  window.result = { instanced, meshes: model.meshes,
                    box: { min: model.box.min.toArray(), max: model.box.max.toArray() } };
} catch (error) {
  window.result = { error: String(error && error.stack || error) };
}
</script></body></html>"""


def instanced_scene() -> Scene:
    walls = geometry.extrude(box(0, 0, 80, 40).difference(box(0.3, 0.3, 79.7, 39.7)), 0, 3)
    rooms = [
        Node(f"r{i}", "room", "RM$", geometry.extrude(box(i * 20 + 1, 1, i * 20 + 19, 12), 0, 0.02), label=f"Hall {i}")
        for i in range(4)
    ]
    return Scene(
        nodes=[
            Node("walls", "wall", "A-WALL", walls),
            Node("floor", "floor", "", geometry.extrude(box(0, 0, 80, 40), -0.1, 0)),
            *rooms,
            Node("chairs", "furniture", "A-FURN", chair(), instances=seating(1500, mirrored_every=3)),
            Node(
                "desks",
                "furniture",
                "A-FURN",
                geometry.extrude(box(0, 0, 1.6, 0.8), 0, 0.75),
                instances=Node.plan_transforms(np.arange(30) * 2.5 + 2, 30.0, 0, [1, -1] * 15),
            ),
        ]
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("glb-browser") / "instanced.glb"
    write_glb(instanced_scene(), out, source_sha256="ab" * 32, format_name="test", converter_version="1")
    validate(out)
    shell = load_shell(NODE_MODULES)
    app = Flask(__name__)
    app.register_blueprint(create_blueprint(NODE_MODULES))
    html = PAGE.replace("IMPORT_MAP", json.dumps(shell.import_map())).replace("STATIC/", shell.static_prefix)
    app.add_url_rule("/", "page", lambda: Response(html, mimetype="text/html"))
    data = out.read_bytes()
    app.add_url_rule("/model.glb", "model", lambda: Response(data, mimetype="model/gltf-binary"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", out
    server.shutdown()


def test_instanced_quantized_model_renders_every_copy(browser, analyser, served):  # noqa: F811
    url, glb = served
    doc = gltf_json(glb)
    assert {"EXT_mesh_gpu_instancing", "KHR_mesh_quantization"} <= set(doc["extensionsRequired"])
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("window.result !== undefined", timeout=60_000)
    result = page.evaluate("window.result")
    assert "error" not in result, result
    assert not errors
    assert sum(i["count"] for i in result["instanced"] if i["name"].startswith("chairs")) == 1500
    assert sum(i["count"] for i in result["instanced"] if i["name"].startswith("desks")) == 30
    assert [i["count"] for i in result["instanced"] if i["name"].startswith("chairs") and i["mirroredMesh"]] == [500]
    # three.js picks the front face per object, not per copy: no copy may mirror
    assert all(i["mirrored"] == 0 for i in result["instanced"])
    assert all(i["category"] == "furniture" for i in result["instanced"])
    # the box three.js sees is the one the GLB says, and the one its triangles make
    asset, nodes = read_glb(glb)
    points = np.concatenate([n.positions for n in nodes])
    assert result["box"]["min"] == pytest.approx(points.min(axis=0).tolist(), abs=0.01)
    assert result["box"]["max"] == pytest.approx(points.max(axis=0).tolist(), abs=0.01)
    png = page.locator("#viewer canvas").first.screenshot()
    save_artifact("instanced-quantized.png", png)
    assert_model_drawn(picture(analyser, png))
    page.close()
