// One job: live progress per stage, retry and cancel.
import { api, connectFeed, statusBadge, t } from "./console.js";

const root = document.getElementById("job");
const jobId = root.dataset.job;
const spans = JSON.parse(root.dataset.spans);
const stages = Object.keys(spans);
const final = ["succeeded", "failed", "cancelled"];
let status = root.dataset.status;

function render(job) {
  const overall = job.progress ?? 0;
  document.getElementById("job-progress").value = overall;
  const eta = document.getElementById("job-eta");
  eta.textContent =
    job.eta_seconds && !final.includes(job.status) ? `~${Math.ceil(job.eta_seconds)} s ${t("left")}` : "";
  const current = stages.indexOf(job.stage);
  stages.forEach((stage, index) => {
    const li = root.querySelector(`li[data-stage="${stage}"]`);
    const [start, end] = spans[stage];
    let fraction;
    if (job.status === "succeeded" || index < current) fraction = 1;
    else if (index > current) fraction = 0;
    else fraction = end > start ? Math.min(Math.max((overall - start) / (end - start), 0), 1) : 1;
    li.querySelector("progress").value = fraction;
    li.querySelector(".stage-state").textContent = fraction >= 1 ? t("done") : "";
    li.classList.toggle("active", index === current && !final.includes(job.status));
    li.classList.toggle("failed", job.status === "failed" && index === current);
  });
  statusBadge(root.querySelector("[data-status]"), job.status);
}

async function refresh() {
  const job = await api("GET", `/api/v1/jobs/${jobId}`);
  render(job);
  if (job.status !== status && final.includes(job.status)) {
    location.reload(); // the final state brings the report, the error or the model link
  }
  status = job.status;
}

render({ progress: Number(document.getElementById("job-progress").value), stage: null, status, eta_seconds: null });
refresh().catch(() => {});

connectFeed(
  {
    "job.progress": (data) => {
      if (data.id !== jobId) return;
      render({ ...data, status: "running" });
    },
    "job.finished": (data) => {
      if (data.id === jobId) refresh();
    },
  },
  { onOpen: () => refresh().catch(() => {}), stateElement: document.getElementById("feed-state") },
);

// A worker on another box does not reach this process's feed: look now and then.
setInterval(() => {
  if (!final.includes(status)) refresh().catch(() => {});
}, 10000);

for (const button of root.querySelectorAll("button[data-action]")) {
  button.addEventListener("click", async () => {
    const out = document.getElementById("action-status");
    button.disabled = true;
    try {
      await api("POST", `/api/v1/jobs/${jobId}/${button.dataset.action}`);
      location.reload();
    } catch (error) {
      out.textContent = `${t("The request failed")}: ${error.message}`;
      button.disabled = false;
    }
  });
}
