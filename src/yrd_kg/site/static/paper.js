/* yrd-kg site, the paper page: a click on a highlighted quote shows what it supports in the side
   panel; a link to #ev-<id> (from an entity page) lights up that quote. */
(function () {
  "use strict";
  var panel = document.getElementById("qpanel");

  function spansOf(el) {
    var s = el && el.getAttribute("data-s");
    return s ? s.split(" ") : [];
  }

  function light(spans) {
    var i, marks = document.querySelectorAll("mark.q.on, li.note.on");
    for (i = 0; i < marks.length; i += 1) { marks[i].classList.remove("on"); }
    spans.forEach(function (n) {
      var all = document.querySelectorAll('mark.q[data-s~="' + n + '"]');
      for (i = 0; i < all.length; i += 1) { all[i].classList.add("on"); }
      var note = document.getElementById("s-" + n);
      if (note) { note.classList.add("on"); }
    });
  }

  function show(spans) {
    if (!panel) { return; }
    panel.textContent = "";
    var close = document.createElement("button");
    close.className = "close";
    close.type = "button";
    close.setAttribute("aria-label", "close");
    close.textContent = "×";
    close.addEventListener("click", function () { panel.hidden = true; light([]); });
    panel.appendChild(close);
    var ol = document.createElement("ol");
    spans.forEach(function (n) {
      var note = document.getElementById("s-" + n);
      if (note) {
        var copy = note.cloneNode(true);
        copy.removeAttribute("id");
        ol.appendChild(copy);
      }
    });
    panel.appendChild(ol);
    panel.hidden = false;
  }

  document.addEventListener("click", function (ev) {
    var mark = ev.target.closest ? ev.target.closest("mark.q") : null;
    if (!mark) { return; }
    var spans = spansOf(mark);
    light(spans);
    show(spans);
  });

  function fromHash() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (id.indexOf("ev-") !== 0) { return; }
    var anchor = document.getElementById(id);
    var spans = spansOf(anchor);
    if (!spans.length) { return; }
    light(spans);
    show(spans);
    anchor.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
}());
