/* yrd-kg query page: a SPARQL editor over this server's /sparql and /api/ (no third-party code). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("config").textContent);
  var lang = cfg.lang;
  var T = {
    zh: { run: "运行", hint: "Ctrl+Enter 运行", format: "格式", table: "表格", link: "链接", saved: "已存查询",
          adhoc: "（自由查询）", dataset: "数据集", home: "首页", saved_pages: "查询目录", api: "API（OpenAPI）",
          sd: "服务描述", dataset_note: "不选择时默认图为所有命名图的并集。", running: "运行中…",
          rows: "行", triples: "三元组", ms: "毫秒", truncated: "结果已截断：只显示前 {n} 行",
          edited: "文本已修改：作为自由查询发送到 /sparql", viaapi: "通过 /api/{name} 运行（参数已绑定）",
          required: "必填", error: "错误", yes: "是", no: "否", report: "报告", construct: "构造图", violation: "违规检查",
          columns: "列" },
    en: { run: "Run", hint: "Ctrl+Enter runs", format: "Format", table: "Table", link: "Link", saved: "Saved queries",
          adhoc: "(ad hoc query)", dataset: "Dataset", home: "Home", saved_pages: "Saved queries", api: "API (OpenAPI)",
          sd: "Service description", dataset_note: "With nothing chosen the default graph is the union of every named graph.",
          running: "running…", rows: "rows", triples: "triples", ms: "ms",
          truncated: "truncated: only the first {n} rows are shown", edited: "text edited: sent to /sparql as an ad hoc query",
          viaapi: "runs through /api/{name} (parameters bound)", required: "required", error: "error", yes: "true",
          no: "false", report: "reports", construct: "graphs (CONSTRUCT)", violation: "violation checks", columns: "columns" }
  };
  function t(key) { return (T[lang] || T.en)[key] || key; }

  var $ = function (id) { return document.getElementById(id); };
  var editor = $("query"), saved = $("saved"), info = $("saved-info"), params = $("params");
  var fmt = $("format"), status = $("status"), results = $("results"), link = $("download");
  var state = { name: "", text: "" };
  var byName = {};
  cfg.queries.forEach(function (q) { byName[q.name] = q; });
  var prefixes = Object.keys(cfg.prefixes).map(function (k) { return [k, cfg.prefixes[k]]; })
    .sort(function (a, b) { return b[1].length - a[1].length; });
  var SITE = "https://w3id.org/yrd-kg/";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function relabel() {
    document.documentElement.lang = lang;
    document.body.setAttribute("data-lang", lang);
    document.querySelectorAll("[data-t]").forEach(function (e) { e.textContent = t(e.getAttribute("data-t")); });
    var other = lang === "zh" ? "en" : "zh";
    var sw = $("langswitch");
    sw.textContent = other === "zh" ? "中文" : "English";
    sw.setAttribute("hreflang", other); sw.setAttribute("lang", other);
    sw.href = "/sparql?lang=" + other;
    document.querySelectorAll("header a[href^='/zh/'], header a[href^='/en/']").forEach(function (a) {
      a.setAttribute("href", "/" + lang + a.getAttribute("href").slice(3));
    });
    fillSaved();
    showInfo();
  }

  function fillSaved() {
    var keep = saved.value;
    while (saved.options.length > 1) { saved.remove(1); }
    saved.querySelectorAll("optgroup").forEach(function (g) { g.remove(); });
    ["report", "construct", "violation"].forEach(function (kind) {
      var group = el("optgroup", { label: t(kind) });
      cfg.queries.filter(function (q) { return q.kind === kind; }).forEach(function (q) {
        group.appendChild(el("option", { value: q.name }, q.name + " — " + (q.summary[lang] || q.summary.en)));
      });
      if (group.children.length) { saved.appendChild(group); }
    });
    saved.value = keep;
  }

  function fillGraphs() {
    ["default-graphs", "named-graphs"].forEach(function (id) {
      var s = $(id);
      cfg.graphs.forEach(function (g) { s.appendChild(el("option", { value: g }, compact(g))); });
    });
  }

  function showInfo() {
    info.textContent = ""; params.textContent = "";
    var q = byName[state.name];
    if (!q) { return; }
    info.appendChild(el("p", {}, q.summary[lang] || q.summary.en));
    if (q.description) { info.appendChild(el("p", { "class": "small" }, q.description)); }
    if (q.columns.length) { info.appendChild(el("p", { "class": "small" }, t("columns") + ": " + q.columns.join(", "))); }
    q.params.forEach(function (p) {
      var id = "param-" + p.name;
      var label = el("label", { "for": id }, p.name + " (" + p.type + (p.required ? ", " + t("required") : "") + ")");
      var input = el("input", { id: id, name: p.name, type: "text", placeholder: p.description || "" });
      if (p.default !== null) { input.value = p.default; }
      params.appendChild(label); params.appendChild(input);
    });
    markEdited();
  }

  function viaApi() {
    var q = byName[state.name];
    return q && q.params.length > 0 && editor.value === state.text;
  }

  function markEdited() {
    var q = byName[state.name];
    var note = $("mode");
    if (!note) { note = el("p", { id: "mode", "class": "small" }); info.appendChild(note); }
    note.textContent = !q ? "" : viaApi() ? t("viaapi").replace("{name}", q.name) : (q.params.length ? t("edited") : "");
  }

  function loadSaved(name) {
    state.name = name; state.text = "";
    showInfo();
    if (!name) { return Promise.resolve(); }
    return fetch(cfg.api + encodeURIComponent(name) + ".rq?lang=" + lang, { headers: { Accept: "application/sparql-query" } })
      .then(function (r) { return r.text().then(function (body) { if (!r.ok) { throw new Error(body); } return body; }); })
      .then(function (text) { editor.value = text; state.text = text; markEdited(); })
      .catch(function (e) { showError(String(e.message || e)); });
  }

  function compact(iri) {
    for (var i = 0; i < prefixes.length; i++) {
      var ns = prefixes[i][1];
      if (iri.indexOf(ns) === 0 && /^[^\s<>"{}|\\^`#/]*$/.test(iri.slice(ns.length))) { return prefixes[i][0] + ":" + iri.slice(ns.length); }
    }
    return "<" + iri + ">";
  }

  function localHref(iri) { return iri.indexOf(SITE) === 0 ? "/" + iri.slice(SITE.length) : iri; }

  function cell(term) {
    var td = el("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var a = el("a", { href: localHref(term.value), title: term.value }, compact(term.value));
      if (a.getAttribute("href") === term.value) { a.setAttribute("rel", "noopener noreferrer"); a.className = "ext"; }
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.appendChild(el("span", { "class": "bnode" }, "_:" + term.value));
    } else {
      td.appendChild(el("span", term["xml:lang"] ? { lang: term["xml:lang"] } : {}, term.value));
      if (term["xml:lang"]) { td.appendChild(el("span", { "class": "tag" }, "@" + term["xml:lang"])); }
      else if (term.datatype) { td.appendChild(el("span", { "class": "tag" }, "^^" + compact(term.datatype))); }
    }
    return td;
  }

  function showTable(data) {
    results.textContent = "";
    if (data.boolean !== undefined) {
      results.appendChild(el("p", { "class": "ask" }, "ASK → " + (data.boolean ? t("yes") : t("no"))));
      return 1;
    }
    var vars = data.head.vars, rows = data.results.bindings;
    var wrap = el("div", { "class": "scroll" }), table = el("table", { "class": "results" });
    var head = el("tr");
    head.appendChild(el("th", { "class": "num" }, "#"));
    vars.forEach(function (v) { head.appendChild(el("th", {}, v)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (b, i) {
      var tr = el("tr");
      tr.appendChild(el("td", { "class": "num" }, String(i + 1)));
      vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body); wrap.appendChild(table); results.appendChild(wrap);
    return rows.length;
  }

  function showText(text) {
    results.textContent = "";
    results.appendChild(el("pre", { "class": "raw" }, text));
  }

  function showError(message) {
    results.textContent = "";
    results.appendChild(el("pre", { "class": "error", role: "alert" }, t("error") + ": " + message));
  }

  function dataset(form) {
    [["default-graphs", "default-graph-uri"], ["named-graphs", "named-graph-uri"]].forEach(function (pair) {
      Array.prototype.forEach.call($(pair[0]).selectedOptions, function (o) { form.append(pair[1], o.value); });
    });
  }

  function request() {
    var choice = fmt.value;
    var accept = "application/sparql-results+json, text/turtle;q=0.9";
    var form = new URLSearchParams();
    if (choice !== "table") { form.append("format", choice); }
    if (viaApi()) {
      form.append("lang", lang);
      new FormData(params).forEach(function (v, k) { if (v !== "") { form.append(k, v); } });
      return { url: cfg.api + encodeURIComponent(state.name) + "?" + form.toString(), init: { headers: { Accept: accept } } };
    }
    form.append("query", editor.value);
    dataset(form);
    var get = cfg.endpoint + "?" + form.toString();
    return { url: cfg.endpoint, link: get.length < 8000 ? get : "",
             init: { method: "POST", body: form, headers: { Accept: accept } } };
  }

  function run() {
    var req = request();
    var started = performance.now();
    status.textContent = t("running");
    status.className = "busy";
    link.hidden = !req.link && !viaApi();
    link.href = req.link || req.url;
    if (req.link && req.link.length < 4000) {
      history.replaceState(null, "", "/sparql?lang=" + lang + "&query=" + encodeURIComponent(editor.value));
    }
    return fetch(req.url, req.init).then(function (r) {
      return r.text().then(function (body) {
        var ms = Math.round(performance.now() - started);
        status.className = r.ok ? "" : "failed";
        if (!r.ok) { showError(r.status + " " + body); status.textContent = r.status + " · " + ms + " " + t("ms"); return; }
        var type = (r.headers.get("Content-Type") || "").split(";")[0];
        var n = type === "application/sparql-results+json" && fmt.value === "table" ? showTable(JSON.parse(body)) : (showText(body), null);
        var cut = r.headers.get("Yrd-Kg-Truncated");
        var count = r.headers.get("Yrd-Kg-Count");
        var unit = type.indexOf("sparql-results") >= 0 || type === "text/csv" || type === "text/tab-separated-values" ? t("rows") : t("triples");
        status.textContent = (n !== null ? n : count) + " " + unit + " · " + ms + " " + t("ms") +
          (cut ? " · " + t("truncated").replace("{n}", cut) : "");
      });
    }).catch(function (e) { status.className = "failed"; status.textContent = ""; showError(String(e.message || e)); });
  }

  saved.addEventListener("change", function () { loadSaved(saved.value); });
  editor.addEventListener("input", markEdited);
  editor.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
    if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      var s = editor.selectionStart;
      editor.setRangeText("  ", s, editor.selectionEnd, "end");
    }
  });
  $("run").addEventListener("click", run);
  $("langswitch").addEventListener("click", function (e) {
    e.preventDefault();
    lang = lang === "zh" ? "en" : "zh";
    relabel();
    var url = new URL(location.href); url.searchParams.set("lang", lang);
    history.replaceState(null, "", url.pathname + url.search);
    if (state.name && editor.value === state.text) { loadSaved(state.name); }
  });

  fillGraphs();
  relabel();
  var here = new URLSearchParams(location.search);
  if (here.get("query")) {
    editor.value = here.get("query");
    run();
  } else if (here.get("saved") && byName[here.get("saved")]) {
    saved.value = here.get("saved");
    loadSaved(here.get("saved")).then(run);
  } else {
    editor.value = cfg.example;
  }
  window.yrdKgQuery = { run: run, load: loadSaved };
}());
