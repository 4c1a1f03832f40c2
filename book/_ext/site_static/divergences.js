// Divergences: small fixes of what a reader meets on the built site (issues 12, 20).
(function () {
  "use strict";

  // A hint under tables and code blocks that are wider than the column.
  function addScrollHints() {
    const boxes = document.querySelectorAll(
      "main .pst-scrollable-table-container, main div.highlight pre, " +
        "main div.cell_output .output, main div.cell_output figure, main div.math, " +
        "main mjx-container[display='true'], main span.math.div-math-scroll"
    );
    for (const box of boxes) {
      // Any overflow makes a scroll box (axe counts one pixel), so any overflow is wide.
      const wide = box.scrollWidth > box.clientWidth;
      // A box that scrolls must be reachable from the keyboard (WCAG 2.1.1; axe's
      // scrollable-region-focusable): code blocks get this from the theme, formulas and
      // figure boxes from here. Formulas that fit stay out of the Tab order.
      if (wide && box.tabIndex < 0) {
        box.divTabStop = { had: box.getAttribute("tabindex") };
        box.setAttribute("tabindex", "0");
      } else if (!wide && box.divTabStop) {
        if (box.divTabStop.had === null) box.removeAttribute("tabindex");
        else box.setAttribute("tabindex", box.divTabStop.had);
        box.divTabStop = null;
      }
      if (wide && !box.divScrollHint) {
        const el = document.createElement("span");
        el.className = "div-scroll-hint";
        el.textContent = "scroll sideways for more \u2192";
        el.setAttribute("aria-hidden", "true");
        // Inline formulas: the hint follows the paragraph, not the formula.
        (box.matches("span.math") ? box.closest("p, li, dd, td") || box : box).after(el);
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

  // Inline formulas wider than their column become scroll boxes; the others stay plain
  // inline text on the baseline. Punctuation right after a formula stays with it.
  function fitInlineMath() {
    for (const span of document.querySelectorAll("main span.math")) {
      const box = span.parentElement;
      if (!box) continue;
      // The typeset formula's own width against the column (the theme caps the span).
      const formula = span.querySelector("mjx-container") || span;
      const wide = formula.getBoundingClientRect().width > box.getBoundingClientRect().width + 1;
      span.classList.toggle("div-math-scroll", wide);
      if (wide) span.setAttribute("tabindex", "0");  // a scroll box is a Tab stop
      else if (span.getAttribute("tabindex") === "0") span.removeAttribute("tabindex");
      const next = span.nextSibling;
      if (!span.divNowrap && next && next.nodeType === Node.TEXT_NODE && /^[.,;:!?)\]]/.test(next.data)) {
        const m = next.data.match(/^[.,;:!?)\]]+/)[0];
        const wrap = document.createElement("span");
        wrap.className = "div-nowrap";
        span.before(wrap);
        wrap.append(span, document.createTextNode(m));
        next.data = next.data.slice(m.length);
        span.divNowrap = wrap;
      }
    }
  }

  // Search results quote page titles and text with their TeX (\(\alpha\)-divergences):
  // typeset them as the pages do.
  function typesetSearchResults() {
    const results = document.getElementById("search-results");
    if (!results || !window.MathJax) return;
    // A snippet can cut a formula in half (\(N^{...): such TeX stays text, so its
    // markers and commands are removed.
    const plain = () => {
      const walk = document.createTreeWalker(results, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (n.parentElement.closest("mjx-container")) continue;
        const t = n.data.replace(/\\[()\[\]]/g, "").replace(/\\([a-zA-Z]+)/g, "$1");
        if (t !== n.data) n.data = t;
      }
    };
    let pending = null;
    const watch = () => observer.observe(results, { childList: true, subtree: true });
    const observer = new MutationObserver(() => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        observer.disconnect();  // our own changes must not trigger another pass
        const ready = MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : Promise.resolve();
        ready
          .then(() => (MathJax.typesetPromise ? MathJax.typesetPromise([results]) : null))
          .catch(() => null)
          .then(() => { plain(); watch(); });
      }, 100);
    });
    watch();
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

  function afterMath(fn) {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(fn);
    else fn();
  }
  function ready() {
    addScrollHints();
    markWideFigures();
    typesetSearchResults();
    afterMath(() => {
      fitInlineMath();
      addScrollHints();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  window.addEventListener("load", () => afterMath(() => { fitInlineMath(); addScrollHints(); }));
  window.addEventListener("resize", () => { fitInlineMath(); addScrollHints(); });
  // Content shown later (a solution or hidden cell opened, an image loaded) can become
  // wider than its column: look again when the article changes size or a toggle opens.
  let again = null;
  const lookAgain = () => {
    clearTimeout(again);
    again = setTimeout(() => { fitInlineMath(); addScrollHints(); }, 150);
  };
  document.addEventListener("click", lookAgain, true);
  document.addEventListener("toggle", lookAgain, true);
  const article = document.querySelector("main article") || document.querySelector("main");
  if (article && window.ResizeObserver) new ResizeObserver(lookAgain).observe(article);
  // MathJax's web fonts arrive after typesetting and change the formulas' widths.
  if (document.fonts) {
    document.fonts.ready.then(lookAgain);
    document.fonts.addEventListener("loadingdone", lookAgain);
  }
})();
