// Pairing a kiosk that has no token: ask the box for a code, show it, and claim the
// token once staff have approved the code (console or `floorcast kiosks approve`).

import { t } from "./i18n.js";

const POLL_MS = 2000;
const RETRY_MAX_MS = 30000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterMs(response, fallback) {
  const seconds = Number(response.headers.get("Retry-After"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallback;
}

async function post(url, body) {
  const init = { method: "POST", cache: "no-store", credentials: "omit" };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  return fetch(url, init);
}

/** Start pairings until one is approved; resolves to the claim:
 * ``{token, kiosk, name, channel}``.
 *
 * ``show(display, pairing)`` puts a new code on screen; ``trouble(text | null)``
 * says why the kiosk is stuck (box unreachable, rate limited) or that it no longer is. */
export async function pair({ show, trouble }) {
  let failures = 0;
  const backOff = () => Math.min(RETRY_MAX_MS, 1000 * 2 ** failures++) * (0.5 + Math.random() / 2);
  for (;;) {
    let response;
    try {
      response = await post("/api/v1/kiosk/pairings");
    } catch {
      trouble(t("Cannot reach the Floorcast box; trying again…"));
      await sleep(backOff());
      continue;
    }
    if (response.status === 429) {
      trouble(t("Too many pairing attempts; waiting…"));
      await sleep(retryAfterMs(response, 60000));
      continue;
    }
    if (response.status !== 201) {
      trouble(t("The box answered %(status)s; trying again…", { status: response.status }));
      await sleep(backOff());
      continue;
    }
    failures = 0;
    trouble(null);
    const pairing = await response.json();
    show(pairing.display || `${pairing.code.slice(0, 3)}-${pairing.code.slice(3)}`, pairing);
    const claimed = await claim(pairing, trouble);
    if (claimed) return claimed;
  }
}

/** Poll the claim until approved (the claim) or the pairing is over (null). */
async function claim(pairing, trouble) {
  const url = `/api/v1/kiosk/pairings/${encodeURIComponent(pairing.pairing)}/claim`;
  let wait = POLL_MS;
  for (;;) {
    await sleep(wait);
    wait = POLL_MS;
    let response;
    try {
      response = await post(url, { secret: pairing.secret });
    } catch {
      trouble(t("Cannot reach the Floorcast box; trying again…"));
      wait = 5000;
      continue;
    }
    if (response.status === 200) {
      trouble(null);
      return response.json();
    }
    if (response.status === 409) {
      trouble(null); // not approved yet
    } else if (response.status === 429) {
      wait = retryAfterMs(response, 10000);
    } else if ([403, 404, 410].includes(response.status)) {
      return null; // expired, already claimed or unknown: start a new pairing
    } else {
      trouble(t("The box answered %(status)s; trying again…", { status: response.status }));
      wait = 5000;
    }
  }
}
