/* yrd-kg site, the chain explorer: the chain of one problem drawn with Cytoscape.js (vendored).
   Columns, left to right: causes (upstream along causes/contributesTo), the problem (and its
   sub-points), effects (downstream), the remedies that address it, the measures that support
   those, then the instruments and actors they use or involve. Filters: assertion status (every
   status in the data, labelled from the graph), groups, depth. Every edge shows its quotes. */
(function () {
  "use strict";
  var D = window.YRD_EXPLORER;
  var root = document.getElementById("explorer");
  if (!D || !root || typeof window.cytoscape !== "function") { return; }
  var lang = document.body.getAttribute("data-lang") || "zh";
  var ui = JSON.parse(root.getAttribute("data-ui"));
  var nodes = {}, byNotation = {}, out = {}, inc = {};
  var KIND_COLOUR = { problem: "#c0392b", cause: "#7f8c8d", effect: "#8e6c3a", action: "#1f5fa8", path: "#14487f",
    measure: "#2e8b57", recommendation: "#1d6b3a", instrument: "#8e44ad", actor: "#d35400" };
  var KIND_SHAPE = { problem: "round-rectangle", cause: "ellipse", effect: "ellipse", action: "rectangle",
    path: "rectangle", measure: "rectangle", recommendation: "rectangle", instrument: "diamond", actor: "hexagon" };
  var STATUS_STYLE = ["solid", "dashed", "dotted"];
  var STATUS_COLOUR = ["#1d6b3a", "#a35a00", "#6b3fa0"];
  var statusIndex = {};
  D.statuses.forEach(function (s, i) { statusIndex[s.key] = Math.min(i, 2); });
  var kindLabel = {};
  D.kinds.forEach(function (k) { kindLabel[k.key] = k[lang] || k.zh; });
  var statusLabel = {};
  D.statuses.forEach(function (s) { statusLabel[s.key] = s[lang] || s.zh; });

  D.nodes.forEach(function (n) { nodes[n.id] = n; if (n.n) { byNotation[n.n] = n.id; } });
  D.edges.forEach(function (e) {
    (out[e.s] = out[e.s] || []).push(e);
    (inc[e.t] = inc[e.t] || []).push(e);
  });

  function label(n) { return n[lang] || n.zh || n.en || n.id; }
  function title(n) { return (n.n ? n.n + " " : "") + label(n); }
  function short(n) {
    if (n.n) { return n.n; }
    var l = label(n), max = lang === "zh" ? 7 : 16;
    return l.length > max ? l.slice(0, max) + "…" : l;
  }
  function relLabel(r) { var x = D.relations[r]; return x ? (x[lang] || x.zh) : r; }

  var select = document.getElementById("xproblem");
  var depthSel = document.getElementById("xdepth");
  var detail = document.getElementById("xdetail");
  var list = document.getElementById("xlist");

  function checked(name) {
    var out2 = {};
    var boxes = root.querySelectorAll('input[name="' + name + '"]');
    Array.prototype.forEach.call(boxes, function (b) { if (b.checked) { out2[b.value] = true; } });
    return out2;
  }

  function compute(focus, depth) {
    var statuses = checked("status"), groups = checked("group");
    var ok = function (e) { return !e.status || statuses[e.status]; };
    var col = {}, role = {}, edges = {}, sections = { causes: [], effects: [], remedies: [], tools: [] };
    var put = function (id, c, r) { if (!(id in col)) { col[id] = c; role[id] = r; return true; } return false; };
    var use = function (e, sec) { if (!edges[e.id]) { edges[e.id] = e; sections[sec].push(e); } };
    var problems = [focus];
    put(focus, 0, "problem");
    (inc[focus] || []).forEach(function (e) {
      if (e.rel === "partOf" && nodes[e.s].kind === "problem") { problems.push(e.s); put(e.s, 0, "problem"); edges[e.id] = e; }
    });
    var walk = function (start, dir, sec, sign) {
      var frontier = start.slice(), d;
      for (d = 1; d <= depth; d += 1) {
        var next = [];
        frontier.forEach(function (n) {
          ((dir === "up" ? inc : out)[n] || []).forEach(function (e) {
            if ((e.rel !== "causes" && e.rel !== "contributesTo") || !ok(e)) { return; }
            var other = dir === "up" ? e.s : e.t;
            if (put(other, sign * d, sec)) { next.push(other); }
            use(e, sec);
          });
        });
        frontier = next;
      }
    };
    if (groups.causes) { walk(problems, "up", "causes", -1); }
    if (groups.effects) { walk(problems, "down", "effects", 1); }
    var remedies = [];
    if (groups.remedies) {
      problems.forEach(function (p) {
        (inc[p] || []).forEach(function (e) {
          if (e.rel !== "addresses" || !ok(e)) { return; }
          if (put(e.s, depth + 1, "remedies")) { remedies.push(e.s); }
          use(e, "remedies");
        });
      });
      remedies.slice().forEach(function (r) {
        (inc[r] || []).forEach(function (e) {
          if (e.rel !== "supports" || !ok(e)) { return; }
          if (put(e.s, depth + 2, "remedies")) { remedies.push(e.s); }
          use(e, "remedies");
        });
      });
    }
    if (groups.tools) {
      remedies.forEach(function (r) {
        (out[r] || []).forEach(function (e) {
          if ((e.rel !== "uses" && e.rel !== "involves") || !ok(e)) { return; }
          put(e.t, depth + 3, "tools");
          use(e, "tools");
        });
      });
    }
    return { col: col, role: role, edges: edges, sections: sections };
  }

  var cy = window.cytoscape({
    container: document.getElementById("cy"),
    style: [
      { selector: "node", style: { "label": "data(short)", "font-size": 12, "text-valign": "bottom", "text-margin-y": 2,
        "width": 20, "height": 20, "background-color": "data(colour)", "shape": "data(shape)", "color": "#1d2330",
        "text-wrap": "ellipsis", "text-max-width": 104, "font-family": "Noto Sans CJK SC, WenQuanYi Zen Hei, sans-serif" } },
      { selector: "node.focus", style: { "width": 34, "height": 34, "border-width": 3, "border-color": "#1d2330" } },
      { selector: "edge", style: { "width": 1.6, "curve-style": "bezier", "target-arrow-shape": "triangle",
        "line-color": "data(colour)", "target-arrow-color": "data(colour)", "line-style": "data(style)", "opacity": 0.85 } },
      { selector: "edge.partOf", style: { "line-color": "#bbb", "target-arrow-color": "#bbb", "line-style": "dotted" } },
      { selector: ":selected", style: { "overlay-color": "#1f5fa8", "overlay-opacity": 0.25, "overlay-padding": 4 } }
    ],
    elements: []
  });

  function edgeText(e) {
    return title(nodes[e.s]) + " —" + relLabel(e.rel) + "→ " + title(nodes[e.t]);
  }

  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) { x.className = cls; }
    if (text !== undefined) { x.textContent = text; }
    return x;
  }

  function pageLink(n) {
    var a = el("a", "page", title(n));
    a.href = n.url;
    return a;
  }

  function showEdge(e) {
    detail.textContent = "";
    var h = el("p", "ehead");
    h.appendChild(pageLink(nodes[e.s]));
    h.appendChild(document.createTextNode(" —" + relLabel(e.rel) + "→ "));
    h.appendChild(pageLink(nodes[e.t]));
    detail.appendChild(h);
    if (e.status) {
      var st = el("p", "", ui.status + ": ");
      st.appendChild(el("span", "st st-" + e.status, statusLabel[e.status] || e.status));
      detail.appendChild(st);
    }
    var r = lang === "zh" ? (e.rzh || e.ren) : (e.ren || e.rzh);
    if (r) { detail.appendChild(el("p", "rationale", ui.rationale + ": " + r)); }
    var ul = el("ul", "quotes");
    e.ev.forEach(function (q) {
      var li = el("li", "ev");
      var qq = el("q", "", q.q);
      qq.setAttribute("lang", "zh");
      li.appendChild(qq);
      li.appendChild(document.createTextNode(" — " + q.loc + " "));
      var a = el("a", "inpaper", ui.in_paper);
      a.href = "paper.html#" + q.ev;
      li.appendChild(a);
      ul.appendChild(li);
    });
    if (!e.ev.length) { ul.appendChild(el("li", "", ui.no_quote)); }
    detail.appendChild(ul);
    Array.prototype.forEach.call(list.querySelectorAll("button.edge"), function (b) {
      b.classList.toggle("on", b.getAttribute("data-edge") === e.id);
    });
  }

  function showNode(n) {
    detail.textContent = "";
    var h = el("p", "nhead");
    h.appendChild(pageLink(n));
    detail.appendChild(h);
    detail.appendChild(el("p", "small", kindLabel[n.kind] || n.kind));
    var a = el("a", "", ui.open_page);
    a.href = n.url;
    detail.appendChild(a);
    if (n.kind === "problem" && n.n && select.value !== n.n) {
      var b = el("button", "focus", ui.focus);
      b.type = "button";
      b.addEventListener("click", function () { select.value = n.n; draw(); });
      detail.appendChild(document.createTextNode(" "));
      detail.appendChild(b);
    }
  }

  function fillList(sections) {
    list.textContent = "";
    [["causes", ui.causes], ["effects", ui.effects], ["remedies", ui.remedies], ["tools", ui.instruments_actors]].forEach(function (s) {
      var es = sections[s[0]];
      if (!es.length) { return; }
      list.appendChild(el("h3", "", s[1] + " (" + es.length + ")"));
      var ul = el("ul");
      es.forEach(function (e) {
        var li = el("li");
        var b = el("button", "edge", edgeText(e) + " ");
        b.type = "button";
        b.setAttribute("data-edge", e.id);
        if (e.status) { b.appendChild(el("span", "st st-" + e.status, statusLabel[e.status] || e.status)); }
        b.addEventListener("click", function () {
          cy.$(":selected").unselect();
          cy.getElementById(e.id).select();
          showEdge(e);
        });
        li.appendChild(b);
        ul.appendChild(li);
      });
      list.appendChild(ul);
    });
  }

  function draw() {
    var focus = byNotation[select.value] || select.value;
    if (!nodes[focus]) { return; }
    var depth = parseInt(depthSel.value, 10) || 2;
    var g = compute(focus, depth);
    var columns = {};
    Object.keys(g.col).forEach(function (id) { (columns[g.col[id]] = columns[g.col[id]] || []).push(id); });
    var cols = Object.keys(columns).map(Number).sort(function (a, b) { return a - b; });
    var elements = [], x = 0, SUBW = 130, GAP = 150, ROWH = 40;
    // wrap long columns so that the drawing has the container's shape (the largest zoom that fits)
    var sizes = cols.map(function (c) { return columns[c].length; });
    var cw = cy.width() || 900, ch = cy.height() || 600, MAXROWS = 12, best = 0;
    for (var mr = 6; mr <= 40; mr += 1) {
      var w = 0, h = 0;
      sizes.forEach(function (n) {
        var s = Math.ceil(n / mr);
        w += (s - 1) * SUBW + GAP;
        h = Math.max(h, Math.ceil(n / s) * ROWH);
      });
      var z = Math.min(cw / w, ch / (h + ROWH));
      if (z > best + 1e-9) { best = z; MAXROWS = mr; }
    }
    cols.forEach(function (c) {
      var ids = columns[c].sort(function (a, b) {
        var na = nodes[a], nb = nodes[b];
        return na.kind === nb.kind ? (title(na) < title(nb) ? -1 : 1) : (na.kind < nb.kind ? -1 : 1);
      });
      var subs = Math.ceil(ids.length / MAXROWS), rows = Math.ceil(ids.length / subs);
      ids.forEach(function (id, i) {
        var n = nodes[id], sub = Math.floor(i / rows), row = i % rows;
        var inCol = Math.min(rows, ids.length - sub * rows);
        elements.push({ group: "nodes", data: { id: id, short: short(n), colour: KIND_COLOUR[n.kind] || "#555",
          shape: KIND_SHAPE[n.kind] || "ellipse" },
          position: { x: x + sub * SUBW + (row % 2) * 14, y: (row - (inCol - 1) / 2) * ROWH },
          classes: id === focus ? "focus" : "" });
      });
      x += (subs - 1) * SUBW + GAP;
    });
    Object.keys(g.edges).sort().forEach(function (k) {
      var e = g.edges[k];
      if (!(e.s in g.col) || !(e.t in g.col)) { return; }
      var si = e.status in statusIndex ? statusIndex[e.status] : 2;
      elements.push({ group: "edges", data: { id: e.id, source: e.s, target: e.t, colour: STATUS_COLOUR[si],
        style: STATUS_STYLE[si] }, classes: e.rel === "partOf" ? "partOf" : "st-" + e.status });
    });
    cy.elements().remove();
    cy.add(elements);
    cy.layout({ name: "preset", fit: true, padding: 30 }).run();
    fillList(g.sections);
    showNode(nodes[focus]);
    try {
      window.history.replaceState(null, "", "?problem=" + encodeURIComponent(select.value) + window.location.hash);
    } catch (err) { /* some file:// contexts refuse; the explorer still works */ }
  }

  (function legend() {
    var box = document.getElementById("xlegend");
    if (!box) { return; }
    var shapeSym = { "round-rectangle": "■", rectangle: "■", ellipse: "●", diamond: "◆", hexagon: "⬢" };
    D.kinds.forEach(function (k) {
      var item = el("span", "lg");
      var sym = el("span", "sym", shapeSym[KIND_SHAPE[k.key]] || "●");
      sym.style.color = KIND_COLOUR[k.key];
      item.appendChild(sym);
      item.appendChild(document.createTextNode(" " + (k[lang] || k.zh)));
      box.appendChild(item);
    });
    D.statuses.forEach(function (s) {
      var i = statusIndex[s.key];
      var item = el("span", "lg");
      var line = el("span", "line");
      line.style.borderTop = "2px " + STATUS_STYLE[i] + " " + STATUS_COLOUR[i];
      item.appendChild(line);
      item.appendChild(document.createTextNode(" " + (s[lang] || s.zh)));
      box.appendChild(item);
    });
  }());

  cy.on("tap", "node", function (evt) { showNode(nodes[evt.target.id()]); });
  cy.on("tap", "edge", function (evt) {
    var id = evt.target.id();
    var e = D.edges.filter(function (x) { return x.id === id; })[0];
    if (e && e.rel !== "partOf") { showEdge(e); }
  });
  select.addEventListener("change", draw);
  depthSel.addEventListener("change", draw);
  Array.prototype.forEach.call(root.querySelectorAll("input[type=checkbox]"), function (b) { b.addEventListener("change", draw); });
  var want = new URLSearchParams(window.location.search).get("problem") || decodeURIComponent(window.location.hash.slice(1));
  if (want && byNotation[want]) {
    select.value = want;
  } else {
    var firstSub = Array.prototype.filter.call(select.options, function (o) { return o.value.indexOf(".") > 0; })[0];
    if (firstSub) { select.value = firstSub.value; }
  }
  window.yrdExplorer = { cy: cy, draw: draw, nodes: nodes };
  draw();
}());
