/* Blockline search page. The index is several Pagefind bundles (one per period of publication,
   listed newest first in pagefind/shards.json); the newest is loaded as the primary and the others
   are merged into it with mergeIndex, each tagged with a "shard" filter of its own. Relevance is
   Pagefind's merged ranking; "newest first" walks the bundles newest first, each sorted by date,
   so only the bundles needed for the results shown are searched. The form's state is the URL
   (?q=&category=&tag=&coin=&sort=), so a search is a link. Without JavaScript the page says so. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  var form = document.getElementById("search-form");
  if (!box || !form) return;
  var PAGE = 10;
  var FIELDS = ["category", "tag", "coin"];
  var index = box.getAttribute("data-index") || "/pagefind/";
  var base = box.getAttribute("data-base") || "/";
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-hits");
  var more = document.getElementById("search-more");
  var empty = document.getElementById("search-empty");
  var refine = document.getElementById("search-refine");
  var sortBox = document.getElementById("search-sort");
  var pf = null, bundles = [], shown = 0, source = null, generation = 0, ready = "";

  function say(text) { status.textContent = text; }
  function field(name) { return document.getElementById("search-" + name); }

  function state() {
    var s = { q: input.value.trim(), sort: sortBox.value, filters: {} };
    FIELDS.forEach(function (name) { var v = field(name).value; if (v) s.filters[name] = v; });
    return s;
  }

  function fromUrl() {
    var p = new URLSearchParams(location.search);
    input.value = p.get("q") || "";
    sortBox.value = p.get("sort") === "newest" ? "newest" : "";
    FIELDS.forEach(function (name) { field(name).setAttribute("data-wanted", p.get(name) || ""); });
  }

  function toUrl(s) {
    var p = new URLSearchParams();
    if (s.q) p.set("q", s.q);
    FIELDS.forEach(function (name) { if (s.filters[name]) p.set(name, s.filters[name]); });
    if (s.sort) p.set("sort", s.sort);
    var query = p.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }

  function fillFilters(counts) {
    FIELDS.forEach(function (name) {
      var select = field(name), wanted = select.getAttribute("data-wanted") || select.value;
      var values = Object.keys(counts[name] || {}).sort(function (a, b) { return a.localeCompare(b); });
      while (select.options.length > 1) select.remove(1);
      values.forEach(function (v) {
        var o = document.createElement("option");
        o.value = v;
        o.textContent = v + " (" + counts[name][v] + ")";
        select.appendChild(o);
      });
      if (wanted && values.indexOf(wanted) < 0) {  // a link's filter with no article: keep it visible
        var o = document.createElement("option");
        o.value = wanted; o.textContent = wanted + " (0)";
        select.appendChild(o);
      }
      select.value = wanted;
      select.removeAttribute("data-wanted");
    });
    refine.hidden = false;
  }

  function siteUrl(path) {
    if (!path || /^([a-z]+:)?\/\//i.test(path) || path.indexOf("data:") === 0) return path;
    return base.replace(/\/$/, "") + (path.charAt(0) === "/" ? path : "/" + path);
  }

  // The excerpt as text with its <mark>s, whatever the indexed text held.
  function excerptNode(html) {
    var out = document.createElement("p");
    out.className = "search-hit__excerpt";
    var doc = new DOMParser().parseFromString("<body>" + (html || ""), "text/html");
    doc.body.childNodes.forEach(function (n) {
      if (n.nodeType === 1 && n.nodeName === "MARK") {
        var m = document.createElement("mark"); m.textContent = n.textContent; out.appendChild(m);
      } else {
        out.appendChild(document.createTextNode(n.textContent));
      }
    });
    return out;
  }

  function hit(data) {
    var meta = data.meta || {};
    var li = document.createElement("li");
    li.className = "search-hit";
    if (meta.image) {
      var img = document.createElement("img");
      img.className = "search-hit__thumb";
      img.src = siteUrl(meta.image);
      img.alt = "";  // the title next to it says what the article is
      img.width = 128; img.height = 85; img.loading = "lazy"; img.decoding = "async";
      li.appendChild(img);
    }
    var body = document.createElement("div");
    body.className = "search-hit__body";
    var h = document.createElement("h2");
    h.className = "search-hit__title";
    var a = document.createElement("a");
    a.href = data.url;
    a.textContent = meta.title || data.url;
    h.appendChild(a);
    body.appendChild(h);
    var line = [meta.date, meta.category].filter(Boolean).join(" · ");
    if (line) {
      var p = document.createElement("p");
      p.className = "search-hit__meta";
      p.textContent = line;
      body.appendChild(p);
    }
    body.appendChild(excerptNode(data.excerpt));
    li.appendChild(body);
    return li;
  }

  // Results as a source of pages: relevance from one merged search, newest from bundle after bundle.
  function relevance(results) {
    var i = 0;
    return { next: function (n) { var part = results.slice(i, i + n); i += part.length; return Promise.resolve(part); },
             done: function () { return i >= results.length; } };
  }

  function newest(s) {
    var queue = [], b = 0, exhausted = false;
    function fill(n) {
      if (queue.length >= n || b >= bundles.length) { exhausted = b >= bundles.length; return Promise.resolve(); }
      var filters = Object.assign({}, s.filters, { shard: bundles[b++] });
      return pf.search(s.q || null, { filters: filters, sort: { date: "desc" } }).then(function (r) {
        queue = queue.concat(r.results);
        return fill(n);
      });
    }
    return { next: function (n) { return fill(n).then(function () { return queue.splice(0, n); }); },
             done: function () { return exhausted && queue.length === 0; } };
  }

  function showMore(focusFirst) {
    var mine = generation;
    more.disabled = true;
    return source.next(PAGE).then(function (part) {
      return Promise.all(part.map(function (r) { return r.data(); }));
    }).then(function (datas) {
      if (mine !== generation) return;
      var first = null;
      datas.forEach(function (d) { var li = hit(d); list.appendChild(li); first = first || li; });
      shown += datas.length;
      more.hidden = source.done();
      more.disabled = false;
      if (focusFirst && first) first.querySelector("a").focus();
    });
  }

  function run() {
    var s = state(), mine = ++generation;
    toUrl(s);
    list.textContent = "";
    more.hidden = true;
    empty.hidden = true;
    shown = 0;
    if (!s.q && !Object.keys(s.filters).length) { say(ready); return Promise.resolve(); }
    say("Searching…");
    return pf.search(s.q || null, { filters: s.filters }).then(function (r) {
      if (mine !== generation) return;
      var total = r.results.length;
      var what = s.q ? "for “" + s.q + "”" : "";
      say(total === 0 ? "No articles found " + what + "." :
          total + (total === 1 ? " article found " : " articles found ") + what + ".");
      if (!total) { empty.hidden = false; return; }
      // without words there is no relevance: a filter alone lists its articles newest first
      source = s.sort === "newest" || !s.q ? newest(s) : relevance(r.results);
      return showMore(false);
    }).catch(function () { if (mine === generation) say("Search failed. Please try again."); });
  }

  function unavailable(text) {
    say(text || "Search is not available right now. Please try again later.");
  }

  fromUrl();
  form.addEventListener("submit", function (e) { if (pf) { e.preventDefault(); run(); } });  // else a plain GET
  FIELDS.concat(["sort"]).forEach(function (name) { field(name).addEventListener("change", function () { if (pf) run(); }); });
  more.addEventListener("click", function () { showMore(true); });

  fetch(index + "shards.json", { cache: "no-cache" }).then(function (r) {
    if (!r.ok) throw new Error("no index");
    return r.json();
  }).then(function (manifest) {
    bundles = (manifest.bundles || []).map(function (b) { return b.path; });
    if (manifest.articles) ready = "Search " + manifest.articles.toLocaleString("en") + " articles by word, or list them by category, tag or coin.";
    if (!manifest.primary || !bundles.length) { unavailable("There are no articles to search yet."); return; }
    return import(index + manifest.primary + "pagefind.js").then(function (module) {
      pf = module;
      return pf.options({ basePath: index + manifest.primary, baseUrl: base, excerptLength: 24,
                          mergeFilter: { shard: manifest.primary } });
    }).then(function () {
      return Promise.all(bundles.filter(function (p) { return p !== manifest.primary; }).map(function (p) {
        return pf.mergeIndex(index + p, { baseUrl: base, mergeFilter: { shard: p } });
      }));
    }).then(function () {
      return pf.filters();
    }).then(function (counts) {
      fillFilters(counts);
      return run();
    });
  }).catch(function () { unavailable(); });
})();
