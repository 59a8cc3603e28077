/* Blockline ticker: refresh the build-time price snapshot in the browser.

   By default it re-reads the site's own data/ticker.json (data-src, written by the build and by
   `generator ticker`), on load and every few minutes while the page is in view: no reader's address
   goes to a third party. A site may instead have browsers ask a CoinGecko-style simple/price
   endpoint (data-api, site.toml [ticker] browser_api), once per page view.

   A refresh that fails (offline, blocked, an HTTP error, bad JSON, 8 s timeout) changes nothing and
   logs nothing: the figures on screen stay, and figures older than data-stale minutes say how old
   they are ("3 h ago"), counted from the data's own timestamp. No dependencies. */
(function () {
  "use strict";
  var box = document.querySelector(".ticker[data-src], .ticker[data-api]");
  if (!box || !window.fetch || !window.JSON || !window.Promise) return;

  var items = box.querySelectorAll("[data-coin]");
  if (!items.length) return;
  var src = box.getAttribute("data-src");
  var api = box.getAttribute("data-api");
  var asof = box.querySelector("[data-asof]");
  var ageTag = box.querySelector("[data-age]");
  var staleMs = (parseFloat(box.getAttribute("data-stale")) || 20) * 60000;
  var shown = asof ? Date.parse(asof.getAttribute("datetime")) : NaN;  // when the figures on screen were taken
  var EVERY = 5 * 60000;  // the site's file is rewritten every few minutes by a scheduled job
  var lastTry = 0;

  var ok = function (n) { return typeof n === "number" && isFinite(n); };
  var money = function (n) {
    return "$" + n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  };
  var clock = function (d) {  // "Dec 8, 2026, 14:05 UTC"
    return d.toLocaleString("en-US", { month: "short", day: "numeric", year: "numeric", hour: "2-digit",
      minute: "2-digit", hour12: false, timeZone: "UTC", timeZoneName: "short" });
  };
  var ago = function (ms) {  // "12 min ago", "3 h ago", "2 days ago"
    var min = Math.max(0, Math.round(ms / 60000));
    if (min < 60) return min + " min ago";
    if (min < 2880) return Math.round(min / 60) + " h ago";
    return Math.round(min / 1440) + " days ago";
  };

  function showAge() {
    if (!ageTag) return;
    var old = !isNaN(shown) && Date.now() - shown > staleMs;
    ageTag.textContent = old ? " (" + ago(Date.now() - shown) + ")" : "";
  }

  function show(el, price, change) {
    var p = el.querySelector("[data-price]"), chg = el.querySelector("[data-change]");
    if (p) p.textContent = money(price);
    if (!chg || !ok(change)) return;
    var dir = change > 0 ? "up" : change < 0 ? "down" : "flat";
    chg.className = chg.className.replace(/\bis-(up|down|flat)\b/, "").trim() + " is-" + dir;
    chg.textContent = "";
    var arrow = document.createElement("span");
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = dir === "up" ? "\u25B2" : dir === "down" ? "\u25BC" : "\u25A0";
    chg.appendChild(arrow);
    chg.appendChild(document.createTextNode(" " + (change > 0 ? "+" : "") + change.toFixed(2) + "%"));
  }

  /* The figures in an answer, per list item: [price, change] or null, and when they were taken. */
  function read(data) {
    var rows = [], when = NaN, i;
    if (src) {  // the site's file: {"as_of": "...Z", "coins": {"BTC": {"price_usd": 1, "change_24h": 2}}}
      var coins = data.coins && typeof data.coins === "object" ? data.coins : {};
      when = typeof data.as_of === "string" ? Date.parse(data.as_of) : NaN;
      for (i = 0; i < items.length; i++) {
        var c = coins[items[i].getAttribute("data-symbol")];
        rows.push(c && ok(c.price_usd) && c.price_usd >= 0 ? [c.price_usd, c.change_24h] : null);
      }
    } else {  // a simple/price answer: {"bitcoin": {"usd": 1, "usd_24h_change": 2}}, as of now
      when = Date.now();
      for (i = 0; i < items.length; i++) {
        var q = data[items[i].getAttribute("data-coin")];
        rows.push(q && ok(q.usd) && q.usd >= 0 ? [q.usd, q.usd_24h_change] : null);
      }
    }
    return { rows: rows, when: when };
  }

  function apply(data) {
    if (!data || typeof data !== "object") return;
    var got = read(data);
    if (isNaN(got.when) || (!isNaN(shown) && got.when < shown)) return;  // never older than what is shown
    var fresh = 0;
    for (var i = 0; i < items.length; i++) {
      if (got.rows[i]) {
        show(items[i], got.rows[i][0], got.rows[i][1]);
        fresh++;
      }
    }
    // the time moves on only when every coin moved with it: a partial answer keeps the older claim
    if (fresh === items.length && asof) {
      shown = got.when;
      var d = new Date(shown);
      asof.setAttribute("datetime", d.toISOString());
      asof.textContent = clock(d);
    }
  }

  function url() {
    if (src) return src;
    var ids = [];
    for (var i = 0; i < items.length; i++) ids.push(encodeURIComponent(items[i].getAttribute("data-coin")));
    return /[=,]$/.test(api) ? api + ids.join(",") : api;
  }

  function refresh() {
    lastTry = Date.now();
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, 8000);
    var options = { signal: ctrl ? ctrl.signal : undefined, credentials: src ? "same-origin" : "omit" };
    if (src) options.cache = "no-cache";  // revalidate: the file changes every few minutes
    return fetch(url(), options)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(apply)
      .then(null, function () { /* offline, blocked or bad JSON: keep what is shown */ })
      .then(function () { clearTimeout(timer); showAge(); });
  }

  showAge();
  refresh();
  setInterval(showAge, 30000);
  if (src) {  // the site's own file is cheap to ask again; a third-party API is asked once per view
    setInterval(function () { if (!document.hidden) refresh(); }, EVERY);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && Date.now() - lastTry > EVERY) refresh();
    });
  }
})();
