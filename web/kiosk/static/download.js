// Downloading a published model and checking it is the one announced.

import { sha256Hex } from "./sha256.js";

const ATTEMPTS = 4;

export class DownloadError extends Error {}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchOnce(url, size, sha256) {
  // The URL is signed for this kiosk and needs no header; the browser's HTTP cache
  // may answer it (the box marks models immutable).
  const response = await fetch(url, { credentials: "omit" });
  if (!response.ok) {
    const retry = response.status >= 500 || response.status === 429;
    throw Object.assign(new DownloadError(`model download: HTTP ${response.status}`), { retry });
  }
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

/** The model's bytes (a Uint8Array) once their size and sha256 match; retries
 * network failures and truncated transfers a few times with back-off. */
export async function downloadModel({ url, size, sha256 }) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(url, size, sha256);
    } catch (error) {
      const retry = !(error instanceof DownloadError) || error.retry;
      if (!retry || attempt >= ATTEMPTS) throw error;
      await sleep(1000 * 2 ** attempt);
    }
  }
}
