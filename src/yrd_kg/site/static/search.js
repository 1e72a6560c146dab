/* yrd-kg site, search without a server: window.YRD_SEARCH holds the documents and the postings
   (Chinese character bigrams, Latin words). Candidates come from the postings (a lone Chinese
   character looks in every bigram holding it, a Latin word matches by prefix), then every part of
   the query must occur in the document's text. Same algorithm as yrd_kg.site.search.search. */
(function () {
  "use strict";
  var IDX = window.YRD_SEARCH;
  var lang = document.body.getAttribute("data-lang") || "zh";
  var box = document.getElementById("results");
  var input = document.getElementById("q");
  if (!IDX || !box || !input) { return; }
  var ui = JSON.parse(box.getAttribute("data-ui"));
  var CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;
  var CJK_ONLY = /^[\u3400-\u9fff\uf900-\ufaff]+$/;
  var WORD = /[a-z0-9]+/g;
  var postKeys = Object.keys(IDX.post).sort();
  var texts = [];
  var byUrl = {};
  var KIND_ORDER = { e: 0, t: 1, q: 2, p: 3 };
  var MAX = 200;

  function norm(s) { return s.normalize("NFKC").toLowerCase().replace(/\s+/g, ""); }

  IDX.docs.forEach(function (d, i) {
    texts[i] = norm([d.zh, d.en, d.x || ""].join(" "));
    if (d.k === "e" && !(d.u in byUrl)) { byUrl[d.u] = d; }
  });

  function keys(s) {
    var n = s.normalize("NFKC").toLowerCase();
    var out = {};
    (n.match(CJK_RUN) || []).forEach(function (run) {
      var i;
      if (run.length === 1) { out[run] = true; }
      for (i = 0; i + 1 < run.length; i += 1) { out[run.slice(i, i + 2)] = true; }
    });
    (n.match(WORD) || []).forEach(function (w) { out[w] = true; });
    return Object.keys(out).sort();
  }

  function hitsOf(k) {
    var out = {};
    var add = function (ids) { ids.forEach(function (i) { out[i] = true; }); };
    if (CJK_ONLY.test(k) && k.length === 1) {
      postKeys.forEach(function (key) { if (key.indexOf(k) >= 0) { add(IDX.post[key]); } });
    } else if (CJK_ONLY.test(k)) {
      add(IDX.post[k] || []);
    } else {
      postKeys.forEach(function (key) { if (key.indexOf(k) === 0) { add(IDX.post[key]); } });
    }
    return out;
  }

  function search(q) {
    var qn = norm(q);
    if (!qn) { return []; }
    var ks = keys(q);
    if (!ks.length) { ks = [qn]; }
    var cand = null;
    ks.forEach(function (k) {
      var h = hitsOf(k);
      if (cand === null) { cand = h; return; }
      Object.keys(cand).forEach(function (i) { if (!h[i]) { delete cand[i]; } });
    });
    var parts = q.normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean);
    return Object.keys(cand || {}).map(Number).filter(function (i) {
      return parts.every(function (p) { return texts[i].indexOf(p) >= 0; });
    });
  }

  function title(d) { return d.k === "p" ? d.zh : (d[lang] || d.zh || d.en); }

  function rank(q, ids) {
    var qn = norm(q);
    return ids.sort(function (a, b) {
      var da = IDX.docs[a], db = IDX.docs[b];
      var ka = KIND_ORDER[da.k], kb = KIND_ORDER[db.k];
      if (ka !== kb) { return ka - kb; }
      var pa = norm(title(da)).indexOf(qn) === 0 ? 0 : 1, pb = norm(title(db)).indexOf(qn) === 0 ? 0 : 1;
      if (pa !== pb) { return pa - pb; }
      var la = title(da).length, lb = title(db).length;
      return la !== lb ? la - lb : a - b;
    });
  }

  function highlighted(text, q) {
    var frag = document.createDocumentFragment();
    var parts = q.normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean);
    var lower = text.toLowerCase();
    var pos = 0;
    while (pos < text.length) {
      var best = -1, len = 0;
      parts.forEach(function (p) {
        var at = lower.indexOf(p, pos);
        if (at >= 0 && (best < 0 || at < best)) { best = at; len = p.length; }
      });
      if (best < 0) { break; }
      frag.appendChild(document.createTextNode(text.slice(pos, best)));
      var b = document.createElement("b");
      b.className = "hit";
      b.textContent = text.slice(best, best + len);
      frag.appendChild(b);
      pos = best + len;
    }
    frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  function render(q) {
    box.textContent = "";
    var ids = rank(q, search(q));
    var p = document.createElement("p");
    p.id = "result-count";
    p.setAttribute("data-n", String(ids.length));
    p.textContent = q ? (ids.length ? ids.length + " " + ui.results_n : ui.no_results) : "";
    box.appendChild(p);
    var ol = document.createElement("ol");
    ids.slice(0, MAX).forEach(function (i) {
      var d = IDX.docs[i];
      var li = document.createElement("li");
      li.className = "r-" + d.k;
      var a = document.createElement("a");
      a.href = d.u;
      a.appendChild(highlighted(title(d), q));
      if (d.k === "p") { a.setAttribute("lang", "zh"); }
      li.appendChild(a);
      var kind = document.createElement("span");
      kind.className = "kind";
      var cls = d.c && IDX.classes && IDX.classes[d.c];
      kind.textContent = { e: cls ? (cls[lang] || cls.zh) : ui.entities, t: ui.ontology, q: ui.queries,
        p: ui.paper + (d.loc ? " " + d.loc : "") }[d.k];
      li.appendChild(kind);
      if (d.k === "p" && d.h && d.h.length) {
        var ul = document.createElement("ul");
        d.h.forEach(function (u) {
          var target = byUrl[u];
          var li2 = document.createElement("li");
          var a2 = document.createElement("a");
          a2.href = u;
          a2.textContent = target ? (target[lang] || target.zh) : u;
          li2.appendChild(a2);
          ul.appendChild(li2);
        });
        li.appendChild(ul);
      }
      ol.appendChild(li);
    });
    box.appendChild(ol);
  }

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  render(input.value);
  input.addEventListener("input", function () {
    render(input.value);
    try {
      window.history.replaceState(null, "", input.value ? "?q=" + encodeURIComponent(input.value) : window.location.pathname);
    } catch (e) { /* some file:// contexts refuse; the search still works */ }
  });
  input.focus();
}());
