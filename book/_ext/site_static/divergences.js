// Divergences: small fixes of what a reader meets on the built site (issue 12).
(function () {
  "use strict";

  // A hint under tables and code blocks that are wider than the column.
  function addScrollHints() {
    const boxes = document.querySelectorAll(
      "main .pst-scrollable-table-container, main div.cell_input div.highlight pre, main div.cell_output .output"
    );
    for (const box of boxes) {
      const wide = box.scrollWidth > box.clientWidth + 2;
      if (wide && !box.divScrollHint) {
        const el = document.createElement("span");
        el.className = "div-scroll-hint";
        el.textContent = "scroll sideways for more \u2192";
        el.setAttribute("aria-hidden", "true");
        box.after(el);
        box.divScrollHint = el;
      } else if (!wide && box.divScrollHint) {
        box.divScrollHint.remove();
        box.divScrollHint = null;
      }
    }
  }

  // Multi-panel figures (wide images) get a class that keeps them legible on phones.
  function markWideFigures() {
    for (const img of document.querySelectorAll("main div.cell_output img")) {
      const mark = () => {
        if (img.naturalWidth > 1.6 * img.naturalHeight) img.classList.add("wide-figure");
      };
      if (img.complete) mark();
      else img.addEventListener("load", mark, { once: true });
    }
  }

  // "Live code" loads Thebe from a CDN: offline it used to hang on "Loading thebe
  // from CDN..." forever. Say what happened and what to do instead.
  const OFFLINE_MSG =
    "Live code needs an internet connection (it loads Thebe and a Binder kernel). " +
    "Use the Binder or Colab button, or download the notebook.";
  function thebeFailed() {
    const btns = document.querySelectorAll(".thebe-launch-button");
    for (const btn of btns) btn.innerText = OFFLINE_MSG;
    if (!btns.length && !document.querySelector(".div-thebe-offline")) {
      const note = document.createElement("div");
      note.className = "admonition warning div-thebe-offline";
      note.setAttribute("role", "status");
      note.textContent = OFFLINE_MSG;
      const main = document.querySelector("main article") || document.querySelector("main");
      if (main) main.prepend(note);
    }
  }
  window.addEventListener(
    "error",
    (ev) => {
      const t = ev.target;
      if (t && t.tagName === "SCRIPT" && /thebe/i.test(t.src || "")) thebeFailed();
    },
    true
  );
  document.addEventListener(
    "click",
    (ev) => {
      const btn = ev.target.closest && ev.target.closest(".btn-launch-thebe, .thebe-launch-button");
      if (!btn) return;
      if (!navigator.onLine) {
        setTimeout(thebeFailed, 50);
        return;
      }
      setTimeout(() => {
        if (typeof window.thebelab === "undefined") thebeFailed();
      }, 20000);
    },
    true
  );

  function ready() {
    addScrollHints();
    markWideFigures();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  window.addEventListener("load", addScrollHints);
  window.addEventListener("resize", addScrollHints);
})();
