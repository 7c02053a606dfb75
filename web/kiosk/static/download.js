// Downloading a published model and checking it is the one announced.

import { sha256Hex } from "./sha256.js";

const ATTEMPTS = 4;

export class DownloadError extends Error {}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchOnce(url, size, sha256) {
  // The URL is signed for this kiosk and needs no header; the browser's HTTP cache
  // may answer it (the box marks models immutable).
  const response = await fetch(url, { credentials: "omit" });
  if (!response.ok) throw httpError("model download", response);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length !== size) {
    throw Object.assign(new DownloadError(`model download: ${bytes.length} bytes, expected ${size}`), { retry: true });
  }
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) {
    throw Object.assign(new DownloadError(`model download: sha256 ${actual}, expected ${sha256}`), { retry: true });
  }
  return bytes;
}

/** What ``tryOnce()`` resolves to, calling it again with back-off (2 s, 4 s, 8 s)
 * up to four times in all while it fails with a network error or a
 * ``DownloadError`` whose ``retry`` is set (HTTP 5xx or 429, a truncated or
 * corrupted transfer); any other failure, or the last one, is thrown. */
export async function withRetries(tryOnce) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await tryOnce();
    } catch (error) {
      const retry = !(error instanceof DownloadError) || error.retry;
      if (!retry || attempt >= ATTEMPTS) throw error;
      await sleep(1000 * 2 ** attempt);
    }
  }
}

/** A ``DownloadError`` for a response that is not ok, to retry when the status
 * says the server may answer later (5xx, 429). */
export function httpError(what, response) {
  const retry = response.status >= 500 || response.status === 429;
  return Object.assign(new DownloadError(`${what}: HTTP ${response.status}`), { retry });
}

/** The model's bytes (a Uint8Array) once their size and sha256 match; retries
 * network failures and truncated transfers a few times with back-off. */
export function downloadModel({ url, size, sha256 }) {
  return withRetries(() => fetchOnce(url, size, sha256));
}
