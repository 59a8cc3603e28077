/* Blockline embeds: a facade (a link styled as a player box) becomes the player only when the
   reader clicks it, so nothing is fetched from the other site before then. Without JavaScript
   the link opens the original page. */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a.embed__facade[data-embed-src]") : null;
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    var video = link.getAttribute("data-embed-kind") === "video";
    var player = document.createElement(video ? "video" : "iframe");
    // a video file plays from the link's own address (which carries the site's sub-path)
    player.src = video ? link.href : link.getAttribute("data-embed-src");
    player.width = link.getAttribute("data-embed-width");
    player.height = link.getAttribute("data-embed-height");
    player.className = "embed__player";
    player.title = link.getAttribute("data-embed-title");
    if (video) {
      player.controls = true;
      player.autoplay = true;
      player.setAttribute("playsinline", "");
    } else {
      player.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
      player.setAttribute("allowfullscreen", "");
      player.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    }
    link.replaceWith(player);
    player.focus();
  });
})();
