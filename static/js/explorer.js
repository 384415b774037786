// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // On the reader, move focus to the cited passage so keyboard and screen-reader users
    // start reading where the link pointed (the browser already scrolled there).
    var cited = document.querySelector(".passage-cited");
    if (cited) {
      cited.setAttribute("tabindex", "-1");
      cited.focus({ preventScroll: true });
    }
  });
})();
