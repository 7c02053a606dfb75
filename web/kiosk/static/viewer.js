// The 3D view: a full-screen three.js scene showing one floor plan model.
//
// A new model is parsed, coloured, labelled and its shaders compiled while the old
// one stays on screen; the two are then exchanged between two frames, so the kiosk
// never shows a blank frame. A model loaded as tiles is parsed tile by tile into
// one group off screen and exchanged the same way once every tile is in.

import * as THREE from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { CSS2DObject, CSS2DRenderer } from "three/addons/renderers/CSS2DRenderer.js";
import { CATEGORIES, ROOM_TINTS, categoryOf } from "./categories.js";

const BACKGROUND = 0xf3f4f6;
const FRAME_MS = 1000 / 30; // a slow orbit needs no more; the kiosk's CPU stays cool
const IDLE_RESUME_MS = 30000; // auto-rotation resumes this long after the last touch
const AUTO_ROTATE_SPEED = 0.5; // turns per minute
const ELEVATION = THREE.MathUtils.degToRad(55); // look down at the plan from here
const AZIMUTH = THREE.MathUtils.degToRad(-20);
const MARGIN = 1.08;
const MAX_LABELS = 150; // the largest rooms get labels; more would only cover the plan
const RECENT_FRAMES = 600;

/** The node carrying ``extras.floorcast`` for ``object`` (itself or an ancestor). */
function floorcastNode(object) {
  for (let node = object; node; node = node.parent) {
    if (node.userData?.floorcast) return node;
  }
  return null;
}

/** Free a model taken out of the scene. Its labels' elements must go by hand:
 * CSS2DObject removes its element only when it is itself taken off its parent. */
function dispose(model) {
  model.root.traverse((object) => {
    object.geometry?.dispose();
    if (object.isCSS2DObject) object.element.remove();
  });
  for (const material of model.materials) material.dispose();
}

export class Viewer {
  constructor(container) {
    this.container = container;
    this.renderer = new THREE.WebGLRenderer({ antialias: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    container.append(this.renderer.domElement);
    this.labels = new CSS2DRenderer();
    this.labels.domElement.className = "labels";
    container.append(this.labels.domElement);

    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(BACKGROUND);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x9aa3ad, 2.2));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(0.5, 1, 0.3);
    this.scene.add(sun);
    this.camera = new THREE.PerspectiveCamera(40, 1, 0.1, 2000);
    this.camera.position.set(0, 20, 20);

    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = true;
    this.controls.maxPolarAngle = THREE.MathUtils.degToRad(80); // never under the floor
    this.controls.autoRotateSpeed = AUTO_ROTATE_SPEED;
    this.controls.enabled = false;
    this.controls.addEventListener("start", () => this.touched(false));
    this.controls.addEventListener("end", () => this.touched(true));

    this.model = null;
    this.expectModel = false;
    // For the console and tests: every rendered frame, and frames drawn without a
    // model although one had been shown (must stay 0).
    this.frames = { rendered: 0, blank: 0, recent: [] };
    this.lastFrame = 0;
    this.dirty = true;
    this.resize();
    new ResizeObserver(() => this.resize()).observe(container);
    this.render();
    this.renderer.setAnimationLoop((now) => this.tick(now));
  }

  /** Parse the GLB ``bytes`` and show it in place of the current model. */
  async show(bytes, sha256) {
    return this.showParts([await this.parse(bytes)], sha256);
  }

  /** Show ``parts`` (what ``parse`` made of each tile of one model) together in
   * place of the current model. */
  async showParts(parts, sha256, tiles = 0) {
    const model = this.build(parts);
    model.sha256 = sha256;
    model.tiles = tiles;
    try {
      // Compile the new materials now, not during the first frame that shows them.
      await this.renderer.compileAsync(model.root, this.camera, this.scene);
    } catch (error) {
      console.debug("floorcast: shaders compile on first frame", error);
    }
    const previous = this.model;
    this.scene.add(model.root);
    if (previous) {
      this.scene.remove(previous.root);
      dispose(previous);
    }
    this.model = model;
    this.expectModel = true;
    this.controls.enabled = true;
    this.controls.autoRotate = true;
    this.fit(model.box);
    this.render(); // within the same task: no frame goes out between the two models
    return model;
  }

  /** What the model on screen holds, for monitoring and tests: its sha256, the
   * tiles it was loaded from (0: one whole GLB), meshes, and the nodes carrying
   * ``extras.floorcast`` per category. */
  describe() {
    if (!this.model) return null;
    const nodes = {};
    this.model.root.traverse((object) => {
      const category = object.userData?.floorcast?.category;
      if (category) nodes[category] = (nodes[category] || 0) + 1;
    });
    const { sha256, tiles, meshes } = this.model;
    return { sha256, tiles, meshes, nodes };
  }

  /** Show nothing (the kiosk was revoked). */
  clear() {
    if (!this.model) return;
    this.scene.remove(this.model.root);
    dispose(this.model);
    this.model = null;
    this.expectModel = false;
    this.controls.enabled = false;
    this.controls.autoRotate = false;
    this.render();
  }

  /** One GLB (a whole model or a tile) as a three.js scene, not yet shown. */
  async parse(bytes) {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const gltf = await new GLTFLoader().parseAsync(buffer, "");
    return gltf.scene;
  }

  /** One model from its parsed parts: coloured, labelled, measured. */
  build(parts) {
    const root = parts.length === 1 ? parts[0] : new THREE.Group();
    if (parts.length > 1) root.add(...parts);
    root.updateMatrixWorld(true);
    // The GLB's own materials and (absent) normals are not meant for display: each
    // category gets a material here, flat-shaded from the triangles themselves.
    const materials = new Map();
    const materialFor = (key, color, opacity = 1) => {
      if (!materials.has(key)) {
        materials.set(
          key,
          new THREE.MeshStandardMaterial({
            color,
            roughness: 0.85,
            metalness: 0,
            flatShading: true,
            side: THREE.DoubleSide, // flat shading lights both sides, whatever the winding
            transparent: opacity < 1,
            opacity,
          }),
        );
      }
      return materials.get(key);
    };
    const categories = new Set();
    const rooms = new Set();
    let meshes = 0;
    root.traverse((object) => {
      if (!object.isMesh) return;
      const node = floorcastNode(object);
      const category = categoryOf(node?.userData.floorcast.category);
      for (const old of [object.material].flat()) old?.dispose();
      if (category === "room") {
        rooms.add(node);
        const tint = ROOM_TINTS[(rooms.size - 1) % ROOM_TINTS.length];
        object.material = materialFor(`room ${tint}`, tint);
      } else {
        const look = CATEGORIES[category];
        object.material = materialFor(category, look.color, look.opacity);
      }
      categories.add(category);
      meshes += 1;
    });
    if (meshes === 0) throw new Error("the model holds no geometry");
    const box = new THREE.Box3().setFromObject(root);
    this.label(root, rooms);
    return { root, box, categories, meshes, materials: [...materials.values()], sha256: null, tiles: 0 };
  }

  /** Name each room (``extras.floorcast.label``) above its middle. */
  label(root, rooms) {
    const placed = [];
    for (const node of rooms) {
      const info = node.userData.floorcast;
      const text = (info.label || node.name || "").trim();
      if (!text) continue;
      const box = new THREE.Box3().setFromObject(node);
      const size = box.getSize(new THREE.Vector3());
      const area = Number(info.properties?.area_m2) || size.x * size.z;
      const at = box.getCenter(new THREE.Vector3());
      at.y = box.max.y + 0.05;
      placed.push({ text, area, at });
    }
    placed.sort((a, b) => b.area - a.area);
    for (const { text, at } of placed.slice(0, MAX_LABELS)) {
      const element = document.createElement("div");
      element.className = "room-label";
      element.textContent = text;
      const label = new CSS2DObject(element);
      label.position.copy(root.worldToLocal(at));
      root.add(label);
    }
  }

  /** Put the camera where the whole model fits, looking down at it at an angle. */
  fit(box) {
    const center = box.getCenter(new THREE.Vector3());
    const toCamera = new THREE.Vector3(
      Math.sin(AZIMUTH) * Math.cos(ELEVATION),
      Math.sin(ELEVATION),
      Math.cos(AZIMUTH) * Math.cos(ELEVATION),
    );
    const forward = toCamera.clone().negate();
    const right = new THREE.Vector3().crossVectors(forward, this.camera.up).normalize();
    const up = new THREE.Vector3().crossVectors(right, forward);
    const tanV = Math.tan(THREE.MathUtils.degToRad(this.camera.fov) / 2);
    const tanH = tanV * this.camera.aspect;
    // The distance at which every corner of the box is inside the view.
    let distance = 1;
    for (let i = 0; i < 8; i++) {
      const corner = new THREE.Vector3(
        i & 1 ? box.max.x : box.min.x,
        i & 2 ? box.max.y : box.min.y,
        i & 4 ? box.max.z : box.min.z,
      ).sub(center);
      const need = Math.max(Math.abs(corner.dot(right)) / tanH, Math.abs(corner.dot(up)) / tanV);
      distance = Math.max(distance, need + corner.dot(toCamera));
    }
    distance *= MARGIN;
    const radius = box.getSize(new THREE.Vector3()).length() / 2;
    this.camera.position.copy(center).addScaledVector(toCamera, distance);
    this.camera.near = Math.max(0.05, distance / 500);
    this.camera.far = distance + radius * 4;
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(center);
    this.controls.minDistance = Math.max(1, radius * 0.15);
    this.controls.maxDistance = distance * 3;
    this.controls.update();
    this.dirty = true;
  }

  touched(ended) {
    clearTimeout(this.idleTimer);
    this.controls.autoRotate = false;
    if (ended) {
      this.idleTimer = setTimeout(() => {
        this.controls.autoRotate = Boolean(this.model);
      }, IDLE_RESUME_MS);
    }
  }

  resize() {
    const width = Math.max(1, this.container.clientWidth);
    const height = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(width, height);
    this.labels.setSize(width, height);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    if (this.model && this.controls.autoRotate) this.fit(this.model.box);
    this.dirty = true;
  }

  tick(now) {
    if (now - this.lastFrame < FRAME_MS - 1) return;
    const seconds = Math.min(0.1, (now - this.lastFrame) / 1000);
    this.lastFrame = now;
    const moved = this.controls.enabled && this.controls.update(seconds);
    if (moved || this.dirty) this.render();
  }

  render() {
    this.renderer.render(this.scene, this.camera);
    this.labels.render(this.scene, this.camera);
    this.dirty = false;
    const frames = this.frames;
    frames.rendered += 1;
    const meshes = this.model?.meshes ?? 0;
    if (this.expectModel && meshes === 0) frames.blank += 1;
    frames.recent.push({ frame: frames.rendered, sha256: this.model?.sha256 ?? null, meshes });
    if (frames.recent.length > RECENT_FRAMES) frames.recent.shift();
  }

  /** A frame as the kiosk shows it (3D view and room labels) on a 2D canvas. */
  snapshot() {
    this.render(); // draw now: the WebGL buffer is only valid until this task ends
    const source = this.renderer.domElement;
    const canvas = document.createElement("canvas");
    canvas.width = source.width;
    canvas.height = source.height;
    const context = canvas.getContext("2d");
    context.drawImage(source, 0, 0);
    const scale = source.width / source.clientWidth;
    const origin = source.getBoundingClientRect();
    context.font = `600 ${Math.round(14 * scale)}px system-ui, sans-serif`;
    context.textAlign = "center";
    context.textBaseline = "middle";
    for (const element of this.labels.domElement.querySelectorAll(".room-label")) {
      const box = element.getBoundingClientRect();
      if (element.style.display === "none" || box.width === 0) continue;
      const x = (box.left + box.width / 2 - origin.left) * scale;
      const y = (box.top + box.height / 2 - origin.top) * scale;
      const width = context.measureText(element.textContent).width + 12 * scale;
      context.fillStyle = "rgba(255, 255, 255, 0.85)";
      context.fillRect(x - width / 2, y - 11 * scale, width, 22 * scale);
      context.fillStyle = "#1f2933";
      context.fillText(element.textContent, x, y);
    }
    return canvas;
  }
}
