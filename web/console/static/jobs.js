// Jobs tables (dashboard, jobs page): progress and status follow the live feed.
import { connectFeed, statusBadge, t } from "./console.js";

function row(id) {
  return document.querySelector(`tr[data-job="${id}"]`);
}

connectFeed(
  {
    "job.progress": (data) => {
      const tr = row(data.id);
      if (!tr) return;
      tr.querySelector("[data-progress]").value = data.progress;
      tr.querySelector("[data-stage]").textContent = t(data.stage);
      statusBadge(tr.querySelector("[data-status]"), "running");
    },
    "job.finished": (data) => {
      const tr = row(data.id);
      if (!tr) return;
      statusBadge(tr.querySelector("[data-status]"), data.status);
      if (data.status === "succeeded") tr.querySelector("[data-progress]").value = 1;
    },
  },
  { stateElement: document.getElementById("feed-state") },
);
