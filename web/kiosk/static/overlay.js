// Everything drawn over the 3D view: the pairing code, a message line, the legend,
// the connection badge and the identify flash. ``document.body.dataset`` carries
// the page state ("pairing", "waiting", "showing", "offline") and the connection
// state for styles and for whoever watches the page.

import { CATEGORIES } from "./categories.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

const CONNECTION_TEXT = {
  connecting: t("connecting…"),
  connected: t("connected"),
  reconnecting: t("reconnecting…"),
  offline: t("offline"),
};

export function setState(state) {
  document.body.dataset.state = state;
  $("pairing").hidden = state !== "pairing";
}

export function setConnection(state) {
  document.body.dataset.connection = state;
  $("status").dataset.connection = state;
  $("status-text").textContent = CONNECTION_TEXT[state] ?? state;
}

/** The code to approve; null while a new one is being asked for. */
export function showPairingCode(display) {
  $("pairing-code").textContent = display || "\u00a0";
  $("pairing-hint").textContent = display
    ? t("Enter this code in the Floorcast console, under Kiosks.")
    : t("Asking the Floorcast box for a pairing code…");
}

/** A line under the pairing code, or over the view; null hides it. */
export function setMessage(text) {
  const message = $("message");
  message.hidden = !text;
  message.textContent = text || "";
}

export function setPairingTrouble(text) {
  $("pairing-trouble").textContent = text || "";
}

/** The categories the model holds, in the order of CATEGORIES. */
export function setLegend(categories) {
  const legend = $("legend");
  legend.replaceChildren();
  for (const [name, look] of Object.entries(CATEGORIES)) {
    if (!categories.has(name) || name === "other") continue;
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = `#${look.color.toString(16).padStart(6, "0")}`;
    item.append(swatch, look.label);
    legend.append(item);
  }
  legend.hidden = legend.childElementCount === 0;
}

let identifyTimer = null;

/** Flash the screen and show the kiosk's name for ``seconds``. */
export function identify(name, seconds) {
  const panel = $("identify");
  $("identify-name").textContent = name || t("Floorcast kiosk");
  panel.hidden = false;
  panel.classList.remove("flash");
  void panel.offsetWidth; // restart the animation
  panel.classList.add("flash");
  clearTimeout(identifyTimer);
  identifyTimer = setTimeout(() => {
    panel.hidden = true;
    panel.classList.remove("flash");
  }, seconds * 1000);
}
