// What this kiosk remembers across reloads and reboots (localStorage): its token and
// the model it shows (event id, sha256, version, and the sha256 of each tile when it
// was loaded as tiles). The model's bytes live in Cache Storage (model_cache.js).

const TOKEN = "floorcast.kiosk.token";
const SHOWN = "floorcast.kiosk.shown";

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: the kiosk pairs again after each load
  }
}

function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch (error) {
    console.warn("floorcast: cannot write localStorage", error);
  }
}

export function token() {
  return read(TOKEN);
}

export function saveToken(value) {
  write(TOKEN, value);
}

/** The model shown last: ``{eventId, sha256, version, channel, tiles?}`` or null. */
export function shown() {
  try {
    const record = JSON.parse(read(SHOWN));
    return record && typeof record.sha256 === "string" ? record : null;
  } catch {
    return null;
  }
}

export function saveShown(record) {
  write(SHOWN, record ? JSON.stringify(record) : null);
}

/** Forget everything: a revoked kiosk starts over with pairing. */
export function forget() {
  write(TOKEN, null);
  write(SHOWN, null);
}
