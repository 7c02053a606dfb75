// The model page: a three.js preview with per-category toggles and room labels,
// and "publish to channel". A big model (``data-tiles``: its tile manifest) is
// loaded tile by tile, each drawn as it arrives, framed from the manifest's bounds.
import * as THREE from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { CSS2DObject, CSS2DRenderer } from "three/addons/renderers/CSS2DRenderer.js";
import { api, t } from "./console.js";

const COLOURS = {
  wall: 0x4b5563,
  door: 0xb45309,
  window: 0x0284c7,
  floor: 0xe5e7eb,
  room: 0x86efac,
  stair: 0xa855f7,
  elevator: 0xdb2777,
  column: 0x374151,
  furniture: 0xf59e0b,
  annotation: 0x9ca3af,
  other: 0x94a3b8,
};

const container = document.getElementById("viewer");
const statusLine = document.getElementById("viewer-status");

const renderer = new THREE.WebGLRenderer({ antialias: true });
renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
container.append(renderer.domElement);
const labels = new CSS2DRenderer();
labels.domElement.className = "labels";
container.append(labels.domElement);

const scene = new THREE.Scene();
scene.background = new THREE.Color(0xf8fafc);
scene.add(new THREE.HemisphereLight(0xffffff, 0x94a3b8, 2.2));
const sun = new THREE.DirectionalLight(0xffffff, 1.5);
sun.position.set(30, 60, 20);
scene.add(sun);
const camera = new THREE.PerspectiveCamera(45, 1, 0.1, 10000);
const controls = new OrbitControls(camera, renderer.domElement);
controls.enableDamping = true;
controls.listenToKeyEvents(container); // arrow keys pan while the viewer has focus

const byCategory = new Map();
const labelObjects = [];
/** The category toggles by category, and the labels' switch: looked up once. */
const toggles = new Map(
  [...document.querySelectorAll("#toggles input[data-category]")].map((box) => [box.dataset.category, box]),
);
const showLabels = document.getElementById("show-labels");

function resize() {
  const width = container.clientWidth;
  const height = container.clientHeight;
  renderer.setSize(width, height);
  labels.setSize(width, height);
  camera.aspect = width / Math.max(height, 1);
  camera.updateProjectionMatrix();
}
new ResizeObserver(resize).observe(container);
resize();

/** Put the camera where ``box`` (the model's, or every tile's) is in view. */
function frame(box) {
  const size = box.getSize(new THREE.Vector3());
  const centre = box.getCenter(new THREE.Vector3());
  const radius = Math.max(size.x, size.z, 1);
  camera.position.set(centre.x + radius * 0.4, centre.y + radius * 0.9, centre.z + radius * 0.8);
  camera.near = radius / 1000;
  camera.far = radius * 20;
  camera.updateProjectionMatrix();
  controls.target.copy(centre);
  controls.update();
}

function showExtras(extras) {
  const list = document.getElementById("model-extras");
  const rows = [
    ["units", extras.units && `${extras.units} (${extras.units_source})`],
    ["origin", extras.origin && extras.origin.map((v) => v.toFixed(2)).join(", ")],
  ];
  for (const [key, value] of rows) {
    if (!value) continue;
    const dt = document.createElement("dt");
    dt.textContent = key;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
}

/** Colour, label and index by category the nodes of one loaded GLB (a model or a tile). */
function prepare(model) {
  model.traverse((object) => {
    const info = object.userData?.floorcast;
    if (!info) return;
    const category = info.category || "other";
    if (!byCategory.has(category)) byCategory.set(category, []);
    byCategory.get(category).push(object);
    const toggle = toggles.get(category);
    if (toggle && !toggle.checked) object.visible = false;
    object.traverse((child) => {
      if (child.isMesh) {
        child.material = new THREE.MeshStandardMaterial({
          color: COLOURS[category] ?? COLOURS.other,
          transparent: category === "room" || category === "floor",
          opacity: category === "room" ? 0.55 : 1,
          side: THREE.DoubleSide,
        });
      }
    });
    if (info.label) {
      const box = new THREE.Box3().setFromObject(object);
      const tag = document.createElement("span");
      tag.className = "room-label";
      tag.textContent = info.label;
      const label = new CSS2DObject(tag);
      label.position.copy(box.getCenter(new THREE.Vector3()));
      label.position.y = box.max.y + 0.2;
      label.visible = showLabels.checked;
      scene.add(label);
      labelObjects.push(label);
    }
  });
}

function loaded() {
  statusLine.textContent = "";
  container.dataset.loaded = "true";
}

function failed(error) {
  statusLine.textContent = `${t("The model could not be loaded")}: ${error.message || error}`;
}

async function loadWhole() {
  const gltf = await new GLTFLoader().loadAsync(container.dataset.url);
  const model = gltf.scene;
  model.updateMatrixWorld(true);
  prepare(model);
  scene.add(model);
  frame(new THREE.Box3().setFromObject(model));
  showExtras(gltf.parser.json.asset?.extras?.floorcast ?? {});
  loaded();
}

/** The tiles of a big model one after the other, each shown as soon as it is in. */
async function loadTiles() {
  const response = await fetch(container.dataset.tiles, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const manifest = await response.json();
  const box = new THREE.Box3();
  for (const tile of manifest.tiles) {
    box.expandByPoint(new THREE.Vector3(...tile.bounds.min)).expandByPoint(new THREE.Vector3(...tile.bounds.max));
  }
  frame(box);
  const group = new THREE.Group();
  scene.add(group);
  let count = 0;
  for (const tile of manifest.tiles) {
    statusLine.textContent = `${t("Loading the model")} ${count + 1}/${manifest.tiles.length}`;
    const gltf = await new GLTFLoader().loadAsync(tile.url);
    gltf.scene.updateMatrixWorld(true);
    prepare(gltf.scene);
    group.add(gltf.scene);
    count += 1;
    container.dataset.tilesLoaded = String(count);
    if (count === 1) showExtras(gltf.parser.json.asset?.extras?.floorcast ?? {});
  }
  loaded();
}

statusLine.textContent = t("Loading the model");
(container.dataset.tiles ? loadTiles() : loadWhole()).catch(failed);

for (const [category, box] of toggles) {
  box.addEventListener("change", () => {
    for (const object of byCategory.get(category) ?? []) object.visible = box.checked;
  });
}
showLabels.addEventListener("change", (event) => {
  for (const label of labelObjects) label.visible = event.target.checked;
});

renderer.setAnimationLoop(() => {
  controls.update();
  renderer.render(scene, camera);
  labels.render(scene, camera);
});

const publishForm = document.getElementById("publish-form");
publishForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = document.getElementById("publish-status");
  const channel = publishForm.elements.channel.value.trim();
  if (!channel) {
    out.textContent = t("Write the name of a channel.");
    return;
  }
  try {
    const pub = await api("POST", `/api/v1/channels/${encodeURIComponent(channel)}/publications`, {
      asset: publishForm.dataset.asset,
    });
    out.textContent = `${t("Published")} v${pub.version} ${t("to")} ${pub.channel}`;
  } catch (error) {
    out.textContent = `${t("Could not publish")}: ${error.message}`;
  }
});
