// Mounts each widget on the page with its own module, loaded only where it is used.
// Plotly and htmx load first (deferred classic scripts run before module scripts).

const modules = {
  "train-classifier": () => import("./widgets/train-classifier.js"),
  "query-model": () => import("./widgets/query-model.js"),
  "break-even": () => import("./widgets/break-even.js"),
  scaling: () => import("./widgets/scaling.js"),
  hardware: () => import("./widgets/hardware.js"),
  "world-shift": () => import("./widgets/world-shift.js"),
  "next-word": () => import("./widgets/next-word.js"),
  "serve-users": () => import("./widgets/serve-users.js"),
  "blind-spot": () => import("./widgets/blind-spot.js"),
  recap: () => import("./widgets/recap.js"),
  quiz: () => import("./widgets/quiz.js"),
};

async function mountAll() {
  for (const root of document.querySelectorAll("[data-widget]")) {
    const load = modules[root.dataset.widget];
    if (!load) continue;
    try {
      const module = await load();
      root.widget = module.mount(root);
    } catch (error) {
      const status = root.querySelector("[data-role=status]");
      if (status) status.textContent = "This demo could not start; reload the page to try again.";
      console.error(error);
    }
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", mountAll);
} else {
  mountAll();
}
