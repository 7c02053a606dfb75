// Upload in chunks with a real progress bar; a dropped connection resumes from the
// offset the box reports instead of starting again (also after a page reload: the
// upload id is remembered for the same file and options).
import { api, csrfToken, t } from "./console.js";

const CHUNK = 8 * 1024 * 1024;
const MAX_FAILURES = 10;
const form = document.getElementById("upload-form");
const input = document.getElementById("file");
const bar = document.getElementById("upload-progress");
const statusLine = document.getElementById("upload-status");
const button = document.getElementById("upload-button");
const maxBytes = Number(form.dataset.maxBytes);

const say = (text) => {
  statusLine.textContent = text;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The per-format option fields of the format the file will be read as: the one
 * chosen, else the one claiming the file's extension (the box checks them again). */
function formatOptions(file, out) {
  const chosen = form.elements.format.value;
  const suffix = file.name.includes(".") ? file.name.slice(file.name.lastIndexOf(".")).toLowerCase() : "";
  for (const block of form.querySelectorAll(".format-options")) {
    const mine = chosen ? block.dataset.format === chosen : block.dataset.extensions.split(" ").includes(suffix);
    if (!mine) continue;
    for (const field of block.querySelectorAll("[data-option]")) {
      const value = field.value.trim();
      if (value) out[field.dataset.option] = value; // text: the box reads it with the option's type
    }
  }
}

function options(file) {
  const out = {};
  for (const name of ["format", "units"]) {
    const value = form.elements[name].value.trim();
    if (value) out[name] = value;
  }
  const level = form.elements.level.value.trim();
  if (level !== "") out.level = Number.parseInt(level, 10);
  const layers = {};
  for (const line of form.elements.layers.value.split("\n")) {
    const at = line.lastIndexOf("=");
    if (at > 0) layers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  if (Object.keys(layers).length) out.layers = layers;
  formatOptions(file, out);
  return out;
}

function showProgress(done, total) {
  const percent = total ? Math.floor((done / total) * 100) : 0;
  bar.value = percent;
  bar.textContent = `${percent}%`;
  say(`${t("Uploading")}: ${percent}%`);
}

/** PUT one chunk; resolves with the box's offset afterwards. */
function sendChunk(id, file, start) {
  const end = Math.min(start + CHUNK, file.size);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", `/api/v1/uploads/${id}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Content-Range", `bytes ${start}-${end - 1}/${file.size}`);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.upload.addEventListener("progress", (event) => showProgress(start + event.loaded, file.size));
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status === 200) resolve(body.offset);
      else if (xhr.status === 409 && body?.offset !== undefined) resolve(body.offset);
      else {
        const error = new Error(body?.detail || `${xhr.status}`);
        error.fatal = xhr.status >= 400 && xhr.status < 500;
        reject(error);
      }
    });
    xhr.addEventListener("error", () => reject(new Error("network")));
    xhr.addEventListener("timeout", () => reject(new Error("timeout")));
    xhr.send(file.slice(start, end));
  });
}

async function upload(file) {
  const opts = options(file);
  const channel = form.elements.channel.value.trim() || null;
  const key = `floorcast-upload:${file.name}:${file.size}:${file.lastModified}:${JSON.stringify(opts)}:${channel}`;
  let id = localStorage.getItem(key);
  let offset = 0;
  if (id) {
    try {
      offset = (await api("GET", `/api/v1/uploads/${id}`)).offset;
      say(t("Resuming after a dropped connection"));
    } catch {
      id = null;
    }
  }
  if (!id) {
    id = (await api("POST", "/api/v1/uploads", { filename: file.name, size: file.size, options: opts, channel })).id;
    localStorage.setItem(key, id);
  }
  showProgress(offset, file.size);
  let failures = 0;
  while (offset < file.size) {
    try {
      offset = await sendChunk(id, file, offset);
      failures = 0;
    } catch (error) {
      if (error.fatal || ++failures > MAX_FAILURES) throw error;
      say(t("Resuming after a dropped connection"));
      await sleep(Math.min(1000 * 2 ** failures, 30000));
      try {
        offset = (await api("GET", `/api/v1/uploads/${id}`)).offset;
      } catch {}
    }
  }
  showProgress(file.size, file.size);
  const result = await api("POST", `/api/v1/uploads/${id}/complete`);
  localStorage.removeItem(key);
  say(t("Upload finished; the conversion is queued."));
  location.assign(`/console/jobs/${result.job.id}`);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = input.files[0];
  if (!file) return say(t("Choose a file first."));
  if (file.size > maxBytes) return say(t("The file is larger than the upload limit."));
  button.disabled = true;
  try {
    await upload(file);
  } catch (error) {
    say(`${t("The upload failed")}: ${error.message}`);
    button.disabled = false;
  }
});

// Drag and drop onto the zone puts the file into the input (one source of truth).
const zone = document.getElementById("dropzone");
for (const name of ["dragenter", "dragover"]) {
  zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
}
for (const name of ["dragleave", "drop"]) {
  zone.addEventListener(name, () => zone.classList.remove("over"));
}
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  if (event.dataTransfer.files.length) input.files = event.dataTransfer.files;
});
