// The page's words in the kiosk's language: the box puts them, translated from its
// gettext catalogues, in #fc-messages (the console's console.js reads them the same way).

const messages = JSON.parse(document.getElementById("fc-messages")?.textContent || "{}");

/** The text for an English message; ``%(name)s`` takes ``values[name]`` (gettext's placeholders). */
export function t(message, values = {}) {
  const text = messages[message] ?? message;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
