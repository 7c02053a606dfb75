// The last good model, kept in Cache Storage so a kiosk that reboots while the box
// is unreachable still shows it: one entry keyed by the model's sha256, or for a
// model loaded as tiles one entry per tile, keyed by the tile's sha256. The service
// worker's shell caches are separate and never touch it.
//
// Cache Storage exists only in secure contexts (HTTPS, localhost): elsewhere the
// kiosk works the same but starts blank when the box is away.

import { sha256Hex } from "./sha256.js";

const CACHE = "floorcast-kiosk-model";

function key(sha256) {
  return new URL(`/kiosk/models/${sha256}.glb`, location.origin).href;
}

function available() {
  return "caches" in globalThis;
}

/** Keep ``bytes`` (a Uint8Array) under ``sha256``, next to what is there already. */
export async function put(sha256, bytes) {
  if (!available()) return false;
  const cache = await caches.open(CACHE);
  const headers = { "Content-Type": "model/gltf-binary", "Content-Length": String(bytes.length) };
  await cache.put(key(sha256), new Response(bytes, { headers }));
  return true;
}

/** Drop every entry but those of ``sha256s`` (the model now shown, or its tiles). */
export async function keepOnly(sha256s) {
  if (!available()) return;
  const keep = new Set(sha256s.map(key));
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    if (!keep.has(request.url)) await cache.delete(request);
  }
}

/** Keep ``bytes`` (a Uint8Array) as the last good model; drop the one before it. */
export async function save(sha256, bytes) {
  if (!(await put(sha256, bytes))) return false;
  await keepOnly([sha256]);
  return true;
}

/** The cached bytes of the model or tile ``sha256`` (a Uint8Array), or null. */
export async function load(sha256) {
  if (!available() || !sha256) return null;
  const cache = await caches.open(CACHE);
  const response = await cache.match(key(sha256));
  return response ? new Uint8Array(await response.arrayBuffer()) : null;
}

/** The cached bytes of ``sha256`` when they are there and intact (their sha256
 * matches), else null; never throws. */
export async function loadChecked(sha256) {
  try {
    const bytes = await load(sha256);
    return bytes && (await sha256Hex(bytes)) === sha256 ? bytes : null;
  } catch {
    return null;
  }
}

export async function clear() {
  if (available()) await caches.delete(CACHE);
}
