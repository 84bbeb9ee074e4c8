/* Hark widget loader. Draws the launcher at once, with no request of its own (its CSS is
   in this file); the panel (wasm, glue, CSS and the site's settings) loads only when the
   shopper reaches for the launcher, the merchant's code asks, or the page has loaded and
   the browser is idle. Styles are adopted as constructed sheets,
   which a strict style-src does not block. Where the panel cannot run, the launcher
   opens Hark's hosted plain form. No globals but window.Hark. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || (window.Hark && window.Hark.version)) return;
  var base = new URL(script.src).origin;
  var data = function (name) { return script.getAttribute("data-" + name); };
  var site = data("site");
  var locale = data("locale") || navigator.language || "en";
  var pending = (window.Hark && window.Hark.q) || [];
  var root, launcher, loading, widget, broken;
  // Kept here until the panel has loaded, then handed to it: nothing said early is lost.
  var customer = data("customer-id") ? [data("customer-id"), data("customer-tier"), data("customer-sig")] : null;
  var orderRef = "";

  function adopt(css) {
    if (root.adoptedStyleSheets) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = root.adoptedStyleSheets.concat(sheet);
    } else {
      var style = document.createElement("style");
      style.textContent = css;
      root.appendChild(style);
    }
  }

  function load() {
    if (broken) return Promise.reject(broken);
    if (!loading) {
      document.removeEventListener("pointermove", near);
      var css = fetch(base + "/pkg/__WIDGET_CSS__").then(function (r) { return r.text(); });
      // The site's kinds, categories and email rule; the panel has defaults without them.
      var config = fetch(base + "/api/v1/sites/" + encodeURIComponent(site) + "/config")
        .then(function (r) { return r.ok ? r.json() : null; }, function () { return null; });
      loading = Promise.all([import(base + "/pkg/__WIDGET_JS__"), css, config]).then(function (got) {
        var m = got[0];
        adopt(got[1]);
        // The site's colour from its settings, unless the tag names one.
        var theme = got[2] && got[2].theme;
        if (!data("color") && theme && theme.color) root.host.style.setProperty("--hark-accent", theme.color);
        return m.default({ module_or_path: base + "/pkg/__WIDGET_WASM__" }).then(function () {
          try {
            m.mount(root, site, base, locale, got[2]);
            if (customer) m.identify.apply(null, customer);
            m.order(orderRef);
          } catch (error) {
            broken = error; // a panel that failed once it ran is not tried again
            throw error;
          }
          widget = m;
          return m;
        });
      }).catch(function (error) {
        loading = null; // the next reach for the launcher tries again
        throw error;
      });
    }
    return loading;
  }

  // A pointer heading for the launcher (within 160 px of it) starts the download.
  function near(event) {
    var box = launcher.getBoundingClientRect();
    var dx = Math.max(box.left - event.clientX, 0, event.clientX - box.right);
    var dy = Math.max(box.top - event.clientY, 0, event.clientY - box.bottom);
    if (dx * dx + dy * dy < 25600) load();
  }

  // If the panel cannot run here (WebAssembly refused by the page's policy, an old
  // browser), Hark's hosted plain form opens instead, so the shopper is still heard.
  function fallback(kind) {
    window.open(base + "/f/" + encodeURIComponent(site) + "?lang=" + encodeURIComponent(locale) +
      (kind ? "&kind=" + encodeURIComponent(kind) : ""), "_blank", "noopener");
  }

  // kind: "csat", "feedback" or "complaint"; anything else (a click event, nothing): the
  // one shown last. A panel that will not load, start or open gives way to the form.
  function open(kind) {
    if (typeof kind !== "string") kind = undefined;
    load().then(function (m) {
      try {
        m.open(kind);
      } catch (error) {
        broken = error;
        throw error;
      }
      launcher.setAttribute("aria-expanded", "true");
    }).catch(function () { fallback(kind); });
  }

  var api = {
    version: 1,
    open: open,
    close: function () { if (widget) widget.close(); },
    csat: function (options) {
      orderRef = String((options && options.order_ref) || "");
      if (widget) widget.order(orderRef);
      open("csat");
    },
    identify: function (who) {
      customer = who && who.id ? [String(who.id), who.tier ? String(who.tier) : null, who.sig ? String(who.sig) : null] : null;
      if (widget) widget.identify.apply(null, customer || [""]);
    }
  };

  function setup() {
    var host = document.createElement("div");
    host.setAttribute("data-hark", "");
    root = host.attachShadow({ mode: "open" });
    // The shop's colour, if it is one (set through the CSSOM, which a strict policy allows).
    var color = data("color");
    if (color && CSS.supports("color", color)) host.style.setProperty("--hark-accent", color);
    adopt("__LAUNCHER_CSS__");
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher " + (data("position") === "bottom-left" ? "left" : "right");
    var chinese = /^zh/i.test(locale);
    launcher.textContent = chinese ? "反馈" : "Feedback";
    launcher.lang = chinese ? "zh-CN" : "en";
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");
    launcher.addEventListener("click", open);
    launcher.addEventListener("pointerenter", load);
    launcher.addEventListener("focus", load);
    document.addEventListener("pointermove", near, { passive: true });
    root.appendChild(launcher);
    document.body.appendChild(host);
    pending.forEach(function (call) { api[call[0]] && api[call[0]].apply(null, call[1] || []); });
    // Feedback an earlier page saved but could not send goes now (the panel sends it).
    try { if (localStorage.getItem("hark-outbox:" + site)) load(); } catch (e) {}
    // Once the page has loaded and the browser has nothing better to do, the panel is
    // fetched, so that it opens at once; data-preload="interaction" waits for the shopper.
    if (data("preload") !== "interaction") {
      var idle = function () {
        setTimeout(function () {
          (window.requestIdleCallback || setTimeout)(function () { load().catch(function () {}); }, { timeout: 5000 });
        }, 2000);
      };
      if (document.readyState === "complete") idle(); else window.addEventListener("load", idle);
    }
  }

  window.Hark = api;
  if (document.body) setup(); else document.addEventListener("DOMContentLoaded", setup);
})();
