/* Hark widget loader. Draws the launcher at once; the panel (wasm) loads only when the
   shopper reaches for it or the merchant's code asks. No globals but window.Hark. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || (window.Hark && window.Hark.version)) return;
  var base = new URL(script.src).origin;
  var data = function (name) { return script.getAttribute("data-" + name); };
  var site = data("site");
  var locale = data("locale") || navigator.language || "en";
  var pending = (window.Hark && window.Hark.q) || [];
  var root, launcher, loading, widget;

  function load() {
    if (!loading) {
      loading = import(base + "/pkg/__WIDGET_JS__").then(function (m) {
        return m.default({ module_or_path: base + "/pkg/__WIDGET_WASM__" }).then(function () {
          m.mount(root, site, base, locale);
          widget = m;
          return m;
        });
      });
    }
    return loading;
  }

  function open() {
    load().then(function (m) {
      launcher.setAttribute("aria-expanded", "true");
      m.open();
    });
  }

  var api = {
    version: 1,
    open: open,
    close: function () { if (widget) widget.close(); },
    csat: function () { open(); },
    identify: function () {}
  };

  function setup() {
    var host = document.createElement("div");
    host.setAttribute("data-hark", "");
    root = host.attachShadow({ mode: "open" });
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = base + "/pkg/__WIDGET_CSS__";
    root.appendChild(css);
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher " + (data("position") === "bottom-left" ? "left" : "right");
    launcher.textContent = "Feedback";
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");
    launcher.addEventListener("click", open);
    launcher.addEventListener("pointerenter", load);
    launcher.addEventListener("focus", load);
    root.appendChild(launcher);
    document.body.appendChild(host);
    pending.forEach(function (call) { api[call[0]] && api[call[0]].apply(null, call[1] || []); });
  }

  window.Hark = api;
  if (document.body) setup(); else document.addEventListener("DOMContentLoaded", setup);
})();
