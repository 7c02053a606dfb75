// The last good model, kept in Cache Storage so a kiosk that reboots while the box
// is unreachable still shows it. One entry, keyed by the model's sha256; the
// service worker's shell caches are separate and never touch it.
//
// Cache Storage exists only in secure contexts (HTTPS, localhost): elsewhere the
// kiosk works the same but starts blank when the box is away.

const CACHE = "floorcast-kiosk-model";

function key(sha256) {
  return new URL(`/kiosk/models/${sha256}.glb`, location.origin).href;
}

function available() {
  return "caches" in globalThis;
}

/** Keep ``bytes`` (a Uint8Array) as the last good model; drop the one before it. */
export async function save(sha256, bytes) {
  if (!available()) return false;
  const cache = await caches.open(CACHE);
  const headers = { "Content-Type": "model/gltf-binary", "Content-Length": String(bytes.length) };
  await cache.put(key(sha256), new Response(bytes, { headers }));
  for (const request of await cache.keys()) {
    if (request.url !== key(sha256)) await cache.delete(request);
  }
  return true;
}

/** The cached bytes of the model ``sha256`` (a Uint8Array), or null. */
export async function load(sha256) {
  if (!available() || !sha256) return null;
  const cache = await caches.open(CACHE);
  const response = await cache.match(key(sha256));
  return response ? new Uint8Array(await response.arrayBuffer()) : null;
}

export async function clear() {
  if (available()) await caches.delete(CACHE);
}
