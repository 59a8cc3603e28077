/* Blockline menus: an open menu or dropdown (a <details>) closes with Escape or a click or tap
   elsewhere, and focus goes back to its button when it was inside. Without JavaScript the
   menus still open and close by their buttons. */
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  if (!header) return;
  var open = function () { return header.querySelectorAll("details[open]"); };

  function close(box, refocus) {
    var inside = box.contains(document.activeElement);
    box.open = false;
    if (refocus || inside) box.querySelector("summary").focus();
  }

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" && e.key !== "Esc") return;
    var boxes = open();
    if (!boxes.length) return;
    // the innermost open one first: Escape in a dropdown closes the dropdown, a second Escape the menu
    close(boxes[boxes.length - 1], true);
    e.preventDefault();
  });

  document.addEventListener("click", function (e) {
    var boxes = open();
    for (var i = boxes.length - 1; i >= 0; i--) {
      if (!boxes[i].contains(e.target)) close(boxes[i], false);
    }
  });
})();
