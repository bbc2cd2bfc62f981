// Each widget's module is loaded by the lesson page with its own <script type="module">
// (a versioned URL) and mounts itself on every widget of its kind here. Mounting waits for
// DOMContentLoaded, after htmx has wired the page's hx- attributes (htmx listens for the
// same event and registered first), and still finishes before the page's load event, so
// no first click can land before its demo is ready.

function mountNow(kind, mount) {
  for (const root of document.querySelectorAll(`[data-widget="${kind}"]`)) {
    try {
      root.widget = mount(root);
    } catch (error) {
      const status = root.querySelector("[data-role=status]");
      if (status) status.textContent = "This demo could not start; reload the page to try again.";
      console.error(error);
    }
  }
}

export function mountEvery(kind, mount) {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => mountNow(kind, mount), { once: true });
  } else {
    mountNow(kind, mount);
  }
}
