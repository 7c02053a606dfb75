// The kiosk list: live status and version, and commands (identify, reload, screenshot).
import { api, connectFeed, formatWhen, statusBadge, t } from "./console.js";

function update(kiosk) {
  const tr = document.querySelector(`tr[data-kiosk="${kiosk.id}"]`);
  if (!tr) return;
  const status = tr.querySelector('[data-field="status"]');
  const state = kiosk.revoked ? "revoked" : kiosk.online ? "online" : "offline";
  if (kiosk.paired || kiosk.revoked) {
    status.replaceChildren(document.createElement("span"));
    statusBadge(status.firstChild, state);
  }
  const live = Number(tr.dataset.liveVersion) || null;
  const version = tr.querySelector('[data-field="version"]');
  version.textContent = kiosk.shown_version ? `v${kiosk.shown_version}` : "–";
  if (live && kiosk.shown_version && kiosk.shown_version < live) {
    const behind = document.createElement("span");
    behind.className = "status status-failed";
    behind.textContent = "↓";
    version.append(" ", behind);
  }
  if (kiosk.shown_version && kiosk.shown_version > (live || 0)) tr.dataset.liveVersion = kiosk.shown_version;
  const seen = tr.querySelector('[data-field="last_seen"]');
  seen.textContent = formatWhen(kiosk.last_seen);
}

connectFeed({ "kiosk.status": update }, { stateElement: document.getElementById("feed-state") });

async function waitForScreenshot(kioskId, since, img, out) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const response = await fetch(`/api/v1/kiosks/${kioskId}/screenshot`, { credentials: "same-origin" });
    const modified = response.ok ? Date.parse(response.headers.get("Last-Modified")) : 0;
    if (response.ok && modified >= since - 1000) {
      img.src = URL.createObjectURL(await response.blob());
      img.hidden = false;
      out.textContent = "";
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  out.textContent = t("No screenshot arrived.");
}

for (const button of document.querySelectorAll("button[data-command]")) {
  button.addEventListener("click", async () => {
    const details = button.closest("details");
    const out = details.querySelector("[data-command-status]");
    const kioskId = button.dataset.kioskId;
    const since = Date.now();
    try {
      const result = await api("POST", `/api/v1/kiosks/${kioskId}/commands`, { command: button.dataset.command });
      if (!result.delivered) {
        out.textContent = t("The kiosk is offline.");
        return;
      }
      out.textContent = t("Sent");
      if (button.dataset.command === "screenshot") {
        out.textContent = t("Waiting for the screenshot");
        await waitForScreenshot(kioskId, since, details.querySelector("img[data-screenshot]"), out);
      }
    } catch (error) {
      out.textContent = `${t("The request failed")}: ${error.message}`;
    }
  });
}
