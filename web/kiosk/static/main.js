// The kiosk page: pair if needed, show the last good model at once, then follow the
// channel over the WebSocket (and a reconcile pull every few minutes). A publication
// with ``tiles`` (a big model) is loaded tile by tile from its manifest; the model
// on screen stays until every tile is in.

import { runCommand } from "./commands.js";
import { KioskConnection } from "./connection.js";
import * as device from "./device.js";
import { downloadModel } from "./download.js";
import { t } from "./i18n.js";
import * as modelCache from "./model_cache.js";
import * as overlay from "./overlay.js";
import { pair } from "./pairing.js";
import { fetchManifest, tileBytes } from "./tiles.js";
import { Viewer } from "./viewer.js";

const RECONCILE_MS = 5 * 60 * 1000;
const RETRY_AFTER_FAILURE_MS = 30000;
const STATUS_DEBOUNCE_MS = 500;

function screenSize() {
  return { width: Math.round(window.innerWidth), height: Math.round(window.innerHeight) };
}

class Kiosk {
  constructor() {
    this.viewer = new Viewer(document.getElementById("viewer"));
    this.shown = null; // {eventId, sha256, version, channel, tiles?} of the model on screen
    this.pairing = false;
    this.connection = null;
    this.welcome = null;
    this.pending = null; // the newest publish not yet handled
    this.applying = false;
    this.pushes = 0; // publish messages from the socket, to spot a stale pull
    this.session = 0; // bumped when the token is dropped: late work of the old one stops
  }

  async start() {
    registerServiceWorker();
    overlay.setConnection("connecting");
    if (device.token()) await this.restoreLastModel();
    this.updateState();
    setInterval(() => this.reconcile(), RECONCILE_MS);
    let resized = null;
    window.addEventListener("resize", () => {
      clearTimeout(resized);
      resized = setTimeout(() => this.connection?.send("status", { screen: screenSize() }), STATUS_DEBOUNCE_MS);
    });
    await this.begin();
  }

  /** Pair when there is no token, then connect. */
  async begin() {
    const session = this.session;
    if (!device.token()) {
      this.pairing = true;
      overlay.showPairingCode(null);
      this.updateState();
      const claimed = await pair({
        show: (display) => overlay.showPairingCode(display),
        trouble: (text) => {
          overlay.setPairingTrouble(text);
          overlay.setConnection(text ? "offline" : "connected");
        },
      });
      if (session !== this.session) return;
      device.saveToken(claimed.token);
      this.pairing = false;
      this.welcome = { name: claimed.name, channel: claimed.channel };
    }
    this.connect();
  }

  connect() {
    this.connection = new KioskConnection({
      hello: () => ({
        token: device.token(),
        last_event_id: this.shown?.eventId ?? null,
        sha256: this.shown?.sha256 ?? null,
        screen: screenSize(),
      }),
      onMessage: (message) => this.receive(message),
      onState: (state) => {
        overlay.setConnection(state);
        this.updateState();
      },
      onUnauthorized: () => this.unpaired(),
    });
    this.connection.start();
  }

  receive(message) {
    if (message.type === "welcome") {
      this.welcome = message.data || {};
      this.updateState();
      this.reconcile();
    } else if (message.type === "publish") {
      this.pushes += 1;
      this.offer(message);
    } else {
      runCommand(message, { viewer: this.viewer, token: () => device.token(), name: () => this.welcome?.name });
    }
  }

  /** The token was refused (revoked or unknown): forget everything and pair again. */
  async unpaired() {
    if (this.pairing) return; // the socket and a pull may both report it
    this.pairing = true;
    this.session += 1;
    this.connection?.stop();
    this.connection = null;
    this.pending = null;
    this.shown = null;
    this.welcome = null;
    device.forget();
    this.viewer.clear();
    overlay.setLegend(new Set());
    try {
      await modelCache.clear();
    } catch (error) {
      console.warn("floorcast: could not clear the model cache", error);
    }
    await this.begin();
  }

  /** Reconcile pull: the channel's current publication, in case a push was missed. */
  async reconcile() {
    const token = device.token();
    if (!token || this.pairing) return;
    const session = this.session;
    const pushes = this.pushes;
    let response;
    try {
      response = await fetch("/api/v1/kiosk/current", {
        headers: { Authorization: `Bearer ${token}` },
        cache: "no-store",
        credentials: "omit",
      });
    } catch {
      return; // the box is away; the socket's reconnection brings us back
    }
    if (session !== this.session) return;
    if (response.status === 401) {
      await this.unpaired();
    } else if (response.status === 200) {
      const message = await response.json();
      // A push that came meanwhile is newer than what this answer describes.
      if (this.pushes === pushes && message?.type === "publish") this.offer(message);
    }
  }

  /** Handle publications one at a time; of several waiting only the newest counts. */
  offer(message) {
    if (!message.data || typeof message.data.sha256 !== "string") return;
    this.pending = message;
    if (!this.applying) this.applyPending();
  }

  async applyPending() {
    this.applying = true;
    try {
      while (this.pending) {
        const message = this.pending;
        this.pending = null;
        try {
          await this.apply(message);
        } catch (error) {
          console.warn("floorcast: could not show the published model", error);
          overlay.setMessage(t("The new floor plan could not be loaded; retrying shortly."));
          setTimeout(() => this.reconcile(), RETRY_AFTER_FAILURE_MS);
        }
      }
    } finally {
      this.applying = false;
    }
  }

  async apply({ id, data }) {
    const session = this.session;
    const record = { eventId: id ?? null, sha256: data.sha256, version: data.version, channel: data.channel };
    if (this.shown?.sha256 !== data.sha256) {
      let model = null;
      if (typeof data.tiles === "string" && data.tiles) {
        try {
          const shown = await this.showTiles(data, session);
          if (shown) {
            model = shown.model;
            record.tiles = shown.tiles;
          }
        } catch (error) {
          if (session !== this.session) return;
          console.warn("floorcast: the model's tiles could not be loaded; loading it whole", error);
        }
        if (session !== this.session) return;
      }
      if (!model) {
        const bytes = await downloadModel(data);
        if (session !== this.session) return;
        model = await this.viewer.show(bytes, data.sha256);
        if (session !== this.session) {
          this.viewer.clear();
          return;
        }
        try {
          await modelCache.save(data.sha256, bytes);
        } catch (error) {
          console.warn("floorcast: could not keep the model for offline use", error);
        }
      }
      overlay.setLegend(model.categories);
      overlay.setMessage(null);
    }
    this.shown = record;
    device.saveShown(record);
    this.updateState();
    this.connection?.send("ack", { version: data.version });
  }

  /** Load a published model tile by tile from its manifest (each tile checked and
   * kept in Cache Storage) into one new scene and show it once all are in:
   * ``{model, tiles}`` with the tiles' sha256s in order. Null when the kiosk was
   * unpaired meanwhile. */
  async showTiles(data, session) {
    const manifest = await fetchManifest(data.tiles);
    const parts = [];
    const tiles = [];
    for await (const { tile, bytes } of tileBytes(manifest)) {
      if (session !== this.session) return null;
      parts.push(await this.viewer.parse(bytes));
      tiles.push(tile.sha256);
    }
    if (session !== this.session) return null;
    const model = await this.viewer.showParts(parts, data.sha256, tiles.length);
    if (session !== this.session) {
      this.viewer.clear();
      return null;
    }
    try {
      await modelCache.keepOnly(tiles);
    } catch (error) {
      console.warn("floorcast: could not tidy the model cache", error);
    }
    return { model, tiles };
  }

  /** Show the model shown before the reload or reboot, from Cache Storage (the
   * whole GLB, or each of its tiles). */
  async restoreLastModel() {
    const saved = device.shown();
    if (!saved) return;
    try {
      let model = null;
      if (Array.isArray(saved.tiles) && saved.tiles.length) {
        const parts = [];
        for (const sha256 of saved.tiles) {
          const bytes = await modelCache.loadChecked(sha256);
          if (!bytes) throw new Error(`tile ${sha256} is not cached`);
          parts.push(await this.viewer.parse(bytes));
        }
        model = await this.viewer.showParts(parts, saved.sha256, parts.length);
      } else {
        const bytes = await modelCache.loadChecked(saved.sha256);
        if (bytes) model = await this.viewer.show(bytes, saved.sha256);
      }
      if (model) {
        overlay.setLegend(model.categories);
        this.shown = saved;
        return;
      }
    } catch (error) {
      console.warn("floorcast: the cached model cannot be shown", error);
    }
    device.saveShown(null); // nothing on screen: the box must send the current model
  }

  updateState() {
    const connection = this.connection?.state;
    let state;
    if (this.pairing) state = "pairing";
    else if (connection === "offline") state = "offline";
    else if (this.shown) state = "showing";
    else state = "waiting";
    overlay.setState(state);
    if (state === "waiting" && connection === "connected") {
      const channel = this.welcome?.channel;
      const waiting = channel
        ? t("Waiting for a floor plan on channel “%(channel)s”…", { channel })
        : t("Waiting for a floor plan…");
      overlay.setMessage(waiting);
    } else if (state === "waiting" || state === "offline") {
      overlay.setMessage(this.shown ? null : t("Connecting to the Floorcast box…"));
    } else if (state !== "showing") {
      overlay.setMessage(null);
    }
  }
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return; // not a secure context: no offline start
  navigator.serviceWorker
    .register("/kiosk/sw.js", { scope: "/kiosk" })
    .catch((error) => console.warn("floorcast: service worker not registered", error));
}

let kiosk;
try {
  kiosk = new Kiosk();
} catch (error) {
  // No WebGL (disabled, or no usable GPU driver): say so on screen instead of staying blank.
  document.body.dataset.state = "unsupported";
  overlay.setMessage(t("This screen cannot show 3D floor plans: WebGL is not available in this browser."));
  throw error;
}
window.floorcastKiosk = {
  get state() {
    return document.body.dataset.state;
  },
  get connection() {
    return kiosk.connection?.state ?? null;
  },
  get shownSha256() {
    return kiosk.shown?.sha256 ?? null;
  },
  get shownVersion() {
    return kiosk.shown?.version ?? null;
  },
  get frames() {
    return kiosk.viewer.frames;
  },
  get model() {
    return kiosk.viewer.describe();
  },
};
kiosk.start();
