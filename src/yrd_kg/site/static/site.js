/* yrd-kg site: the language switch keeps the place (hash) and the search (query string). */
(function () {
  "use strict";
  var sw = document.getElementById("langswitch");
  if (!sw) { return; }
  sw.addEventListener("click", function () {
    var base = sw.getAttribute("href").split("#")[0].split("?")[0];
    sw.setAttribute("href", base + window.location.search + window.location.hash);
  });
}());
