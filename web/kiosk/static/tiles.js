// Big models as tiles. A publication of a model over the box's tile size carries
// ``tiles``: the URL of its manifest (signed for this kiosk like ``url``), which
// lists every tile with its own ``url``, ``sha256`` and ``size``. Each tile is a
// complete GLB; loaded side by side they make the whole model.

import { DownloadError, downloadModel, httpError, withRetries } from "./download.js";
import * as modelCache from "./model_cache.js";

const SHA256 = /^[0-9a-f]{64}$/;

function checked(manifest) {
  const tiles = manifest?.tiles;
  const good =
    manifest?.type === "floorcast.tiles" &&
    Array.isArray(tiles) &&
    tiles.length > 0 &&
    tiles.every((t) => typeof t.url === "string" && SHA256.test(t.sha256) && Number.isInteger(t.size));
  if (!good) throw Object.assign(new DownloadError("tile manifest: not a floorcast.tiles manifest"), { retry: false });
  return manifest;
}

/** The manifest at ``url``; retries network failures a few times with back-off. */
export function fetchManifest(url) {
  return withRetries(async () => {
    const response = await fetch(url, { credentials: "omit" });
    if (!response.ok) throw httpError("tile manifest", response);
    return checked(await response.json());
  });
}

/** Every tile of ``manifest`` in order as ``{tile, bytes}``, one at a time: from
 * Cache Storage when a tile is there already, else downloaded, checked and kept
 * there (next to the model on screen, which stays cached until the caller lets
 * it go with ``modelCache.keepOnly``). */
export async function* tileBytes(manifest) {
  for (const tile of manifest.tiles) {
    let bytes = await modelCache.loadChecked(tile.sha256);
    if (!bytes) {
      bytes = await downloadModel(tile);
      try {
        await modelCache.put(tile.sha256, bytes);
      } catch (error) {
        console.warn("floorcast: could not keep a tile for offline use", error);
      }
    }
    yield { tile, bytes };
  }
}
