/* Blockline ticker: refresh the build-time price snapshot from a CoinGecko-style
   simple/price endpoint. Any failure (offline, blocked, bad JSON, 5 s timeout)
   leaves the snapshot as it is. The strip says "live" only when every coin came
   from the refresh; otherwise each coin shows how old its figure is. No dependencies. */
(function () {
  "use strict";
  var box = document.querySelector(".ticker[data-api]");
  if (!box || !window.fetch || !window.JSON) return;

  /* The one setting: the URL prices are fetched from (site.toml [ticker] api_url, printed by
     partials/ticker.html). A URL ending in "=" or "," gets the coins' ids appended. */
  function priceSource(ids) {
    var api = box.getAttribute("data-api");
    return /[=,]$/.test(api) ? api + ids.map(encodeURIComponent).join(",") : api;
  }

  var items = box.querySelectorAll("[data-coin]");
  var ids = [];
  for (var i = 0; i < items.length; i++) ids.push(items[i].getAttribute("data-coin"));
  if (!ids.length) return;
  var asof = box.querySelector("[data-asof]");
  var snapshotTime = asof ? Date.parse(asof.getAttribute("datetime")) : NaN;
  var ctrl = window.AbortController ? new AbortController() : null;
  var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, 5000);
  var money = function (n) {
    return "$" + n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  };
  var ok = function (n) { return typeof n === "number" && isFinite(n); };
  var clock = function (d) {
    return d.toLocaleString("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  };
  var age = function (ms) {  // "40 min old", "3 h old", "2 d old"
    var min = Math.max(0, Math.round(ms / 60000));
    return min < 60 ? min + " min old" : min < 2880 ? Math.round(min / 60) + " h old" : Math.round(min / 1440) + " d old";
  };

  function show(el, q) {
    var price = el.querySelector("[data-price]"), chg = el.querySelector("[data-change]");
    if (price) price.textContent = money(q.usd);
    var c = q.usd_24h_change;
    if (chg && ok(c)) {
      var dir = c > 0 ? "up" : c < 0 ? "down" : "flat";
      chg.className = chg.className.replace(/\bis-(up|down|flat)\b/, "").trim() + " is-" + dir;
      chg.innerHTML = "";
      var arrow = document.createElement("span");
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = dir === "up" ? "▲" : dir === "down" ? "▼" : "■";
      chg.appendChild(arrow);
      chg.appendChild(document.createTextNode(" " + (c > 0 ? "+" : "") + c.toFixed(2) + "%"));
    }
  }

  function label(el, text) {  // a coin's own age line, shown when not every coin is live
    var tag = el.querySelector(".ticker__age");
    if (!tag) {
      tag = document.createElement("span");
      tag.className = "ticker__age";
      el.appendChild(tag);
    }
    tag.textContent = text;
  }

  fetch(priceSource(ids), { signal: ctrl ? ctrl.signal : undefined, credentials: "omit" })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (data) {
      clearTimeout(timer);
      if (!data || typeof data !== "object") return;
      var fresh = [];
      for (var i = 0; i < items.length; i++) {
        var q = data[items[i].getAttribute("data-coin")];
        var live = !!q && ok(q.usd);
        if (live) show(items[i], q);
        fresh.push(live);
      }
      var count = fresh.filter(Boolean).length;
      if (!count) return;
      var now = new Date();
      if (count === items.length) {
        if (asof) {
          asof.setAttribute("datetime", now.toISOString());
          asof.textContent = clock(now) + " (live)";
        }
        return;
      }
      // a partial refresh: the strip keeps the snapshot's time, and every coin says how old it is
      for (var j = 0; j < items.length; j++) {
        label(items[j], fresh[j] ? "live" : isNaN(snapshotTime) ? "not updated" : age(now - snapshotTime));
      }
    })
    .catch(function () { clearTimeout(timer); /* keep the snapshot */ });
})();
