// Commands from the console: reload, identify, screenshot.

import * as overlay from "./overlay.js";

const MAX_PNG_BYTES = 5 * 1024 * 1024; // the box refuses larger screenshots
const IDENTIFY_SECONDS = 10;

function toPng(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("no PNG from the canvas"))), "image/png");
  });
}

function halved(canvas) {
  const smaller = document.createElement("canvas");
  smaller.width = Math.max(1, Math.floor(canvas.width / 2));
  smaller.height = Math.max(1, Math.floor(canvas.height / 2));
  smaller.getContext("2d").drawImage(canvas, 0, 0, smaller.width, smaller.height);
  return smaller;
}

/** Render one frame and POST it as a PNG to ``upload`` with the kiosk token. */
async function screenshot({ upload }, { viewer, token }) {
  let canvas = viewer.snapshot();
  let png = await toPng(canvas);
  while (png.size > MAX_PNG_BYTES && canvas.width > 64) {
    canvas = halved(canvas);
    png = await toPng(canvas);
  }
  const response = await fetch(upload, {
    method: "POST",
    headers: { Authorization: `Bearer ${token()}`, "Content-Type": "image/png" },
    body: png,
    credentials: "omit",
  });
  if (!response.ok) console.warn(`floorcast: screenshot upload answered ${response.status}`);
}

/** Run ``message`` if it is a command; false when it is not one. */
export function runCommand(message, context) {
  const data = message.data || {};
  switch (message.type) {
    case "reload":
      location.reload();
      return true;
    case "identify":
      overlay.identify(context.name(), Number(data.seconds) > 0 ? Number(data.seconds) : IDENTIFY_SECONDS);
      return true;
    case "screenshot":
      if (typeof data.upload === "string") {
        screenshot(data, context).catch((error) => console.warn("floorcast: screenshot failed", error));
      }
      return true;
    default:
      return false;
  }
}
