// Shared by the console's pages: messages, the CSRF token, API calls, the live feed.

const messages = JSON.parse(document.getElementById("fc-messages")?.textContent || "{}");

/** The page's text for an English message; ``%(name)s`` takes ``values[name]`` (gettext's placeholders). */
export function t(message, values = {}) {
  const text = messages[message] ?? message;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

const dateTimeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
  timeZone: "UTC",
});

/** An ISO timestamp as the page's language writes it, in UTC like the server-rendered ones. */
export function formatWhen(iso) {
  return iso ? `${dateTimeFormat.format(new Date(iso))} UTC` : "–";
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

/** Call the JSON API with the session cookie and the CSRF token; throws with the problem's detail. */
export async function api(method, path, body) {
  const headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(data?.detail || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.problem = data;
    throw error;
  }
  return data;
}

/**
 * The live feed at /console/ws: typed messages {type, data} go to handlers[type];
 * unknown types are ignored. Reconnects with back-off; onOpen runs after each
 * (re)connection so a page can catch up on what it missed.
 */
export function connectFeed(handlers, { onOpen, stateElement } = {}) {
  let delay = 1000;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/console/ws`;
  const show = (text) => {
    if (stateElement) stateElement.textContent = text;
  };
  function open() {
    const ws = new WebSocket(url);
    ws.addEventListener("open", () => {
      delay = 1000;
      show("");
      onOpen?.();
    });
    ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      handlers[message.type]?.(message.data);
    });
    ws.addEventListener("close", (event) => {
      if (event.code === 4401) {
        location.reload(); // the session ended: the page sends us to sign in
        return;
      }
      show(t("Live updates paused; reconnecting"));
      setTimeout(open, delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 30000);
    });
  }
  open();
}

export function statusBadge(element, status) {
  element.className = `status status-${status}`;
  element.textContent = t(status);
}

// Forms that ask before they act (revoke...).
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!confirm(form.dataset.confirm)) event.preventDefault();
  });
}
