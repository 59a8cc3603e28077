/* Blockline search page: mount the Pagefind UI (built into /pagefind/ after the site) on
   #search and run the query from ?q=. Without Pagefind or JavaScript the plain form stays. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var bundle = box.getAttribute("data-bundle") || "/pagefind/";
  var q = new URLSearchParams(location.search).get("q") || "";
  var fail = function () {
    var p = document.createElement("p");
    p.className = "notice";
    p.textContent = "Search is not available right now. Please try again later.";
    box.appendChild(p);
  };
  var js = document.createElement("script");
  js.src = bundle + "pagefind-ui.js";
  js.onerror = fail;
  js.onload = function () {
    if (typeof window.PagefindUI !== "function") return fail();
    var form = document.querySelector(".search-form--page");
    if (form) form.hidden = true;
    var ui = new window.PagefindUI({ element: "#search", bundlePath: bundle, showSubResults: true, showImages: false, autofocus: !q });
    if (q && ui.triggerSearch) ui.triggerSearch(q);
    // Give Pagefind's input a real, visible label (it only has a title).
    var tries = 0;
    (function label() {
      var input = box.querySelector("input[type=text], input[type=search]");
      if (!input) { if (tries++ < 50) setTimeout(label, 100); return; }
      input.id = "bl-pagefind-q";
      var l = document.createElement("label");
      l.htmlFor = input.id;
      l.className = "search-results__label";
      l.textContent = "Search all articles";
      box.parentNode.insertBefore(l, box);
    })();
  };
  document.head.appendChild(js);
})();
