/* Blockline ticker: refresh the build-time price snapshot from a CoinGecko-style
   simple/price endpoint. Any failure (offline, blocked, bad JSON, 5 s timeout)
   leaves the snapshot as it is. No dependencies. */
(function () {
  "use strict";
  var box = document.querySelector(".ticker[data-api]");
  if (!box || !window.fetch || !window.JSON) return;
  var items = box.querySelectorAll("[data-coin]");
  var ids = [];
  for (var i = 0; i < items.length; i++) ids.push(items[i].getAttribute("data-coin"));
  if (!ids.length) return;
  var api = box.getAttribute("data-api");
  if (/[=,]$/.test(api)) api += ids.map(encodeURIComponent).join(",");
  var ctrl = window.AbortController ? new AbortController() : null;
  var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, 5000);
  var money = function (n) {
    return "$" + n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  };
  var ok = function (n) { return typeof n === "number" && isFinite(n); };

  fetch(api, { signal: ctrl ? ctrl.signal : undefined, credentials: "omit" })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (data) {
      clearTimeout(timer);
      if (!data || typeof data !== "object") return;
      var changed = false;
      for (var i = 0; i < items.length; i++) {
        var el = items[i], q = data[el.getAttribute("data-coin")];
        if (!q || !ok(q.usd)) continue;
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
        changed = true;
      }
      var t = box.querySelector("[data-asof]");
      if (changed && t) {
        var now = new Date();
        t.setAttribute("datetime", now.toISOString());
        t.textContent = now.toLocaleString("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) + " (live)";
      }
    })
    .catch(function () { clearTimeout(timer); /* keep the snapshot */ });
})();
