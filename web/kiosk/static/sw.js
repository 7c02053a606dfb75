// The kiosk page's service worker (scope /kiosk). The box puts two constants in
// front of this file: SHELL_VERSION and SHELL_FILES (every URL the page needs).
//
// - install: cache the whole shell under the shell version;
// - activate: delete the caches of older shell versions;
// - /kiosk: network first (a new release shows up at the next load), the cached
//   copy when the box is unreachable or answers with a server error;
// - /kiosk/static/<version>/... and /kiosk/vendor/...: cache first (immutable).
// The model itself is kept by the page (model_cache.js), not here.
/* global SHELL_VERSION, SHELL_FILES */

const SHELL_PREFIX = "floorcast-kiosk-shell-";
const SHELL_CACHE = SHELL_PREFIX + SHELL_VERSION;
const PAGE = "/kiosk";
const PAGE_TIMEOUT_MS = 8000; // an unreachable box must not keep the screen waiting

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) {
    event.respondWith(pageNetworkFirst(request));
  } else if (url.pathname.startsWith("/kiosk/static/") || url.pathname.startsWith("/kiosk/vendor/")) {
    event.respondWith(cacheFirst(request));
  }
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out")), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

async function pageNetworkFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  let response;
  try {
    response = await withTimeout(fetch(request), PAGE_TIMEOUT_MS);
  } catch {
    response = null;
  }
  if (response?.ok) {
    if (response.headers.get("X-Floorcast-Shell") === SHELL_VERSION) {
      await cache.put(PAGE, response.clone());
    } else {
      self.registration.update(); // a newer release: fetch its worker and shell
    }
    return response;
  }
  // The box is down (or a proxy in front of it answers 502): the last page, never an error.
  const cached = await cache.match(PAGE, { ignoreSearch: true });
  if (cached && (!response || response.status >= 500)) return cached;
  return response || Response.error();
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}
