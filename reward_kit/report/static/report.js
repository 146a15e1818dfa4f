/* The run report: cards, charts, error groups, the sample table and the sample view. */
"use strict";

var PAGE_SIZE = 100;
var COL = { id: 0, variant: 1, score: 2, valid: 3, error: 4, genFailed: 5, reason: 6, metrics: 7 };

var meta = readBlock("rk-meta");
var detailsCache = null;
var lowerCache = null;
var state = { order: null, sortKey: null, sortDir: 1, page: 0, errorIndex: -1, shown: [],
  drawn: 0 };

/* Each row's full JSON: its block comes after this script, so wait until the page is read. */
function withDetails(callback) {
  if (detailsCache !== null) {
    callback(detailsCache);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { withDetails(callback); });
  } else {
    detailsCache = readBlock("rk-details") || [];
    callback(detailsCache);
  }
}

function lowered() {
  if (lowerCache === null) {
    lowerCache = detailsCache.map(function (text) { return text.toLowerCase(); });
  }
  return lowerCache;
}

function card(key, label, value, extra, bad) {
  return el("div", { className: "card" + (bad ? " bad" : ""), "data-card": key }, [
    el("div", { className: "label", text: label }),
    el("div", { className: "value", text: value }),
    extra ? el("div", { className: "extra", text: extra }) : null,
  ]);
}

function renderCards() {
  var summary = meta.summary, score = summary.score || {}, errors = summary.errors || {};
  var rows = meta.rows, invalid = 0;
  rows.forEach(function (row) { if (!row[COL.valid]) invalid += 1; });
  var cards = document.getElementById("cards");
  cards.appendChild(card("mean", "mean score", fmt(score.mean),
    (score.stderr !== null && score.stderr !== undefined ? "± " + fmt(score.stderr) + " s.e. · " : "")
    + fmtCI(score)));
  cards.appendChild(card("valid", "valid rows", String(rows.length - invalid),
    "of " + rows.length + " rows, " + (summary.samples || "?") + " samples"));
  cards.appendChild(card("invalid", "could not score", String(invalid), "no valid score", invalid > 0));
  cards.appendChild(card("scoring-errors", "scoring errors", String(errors.scoring || 0), "",
    (errors.scoring || 0) > 0));
  cards.appendChild(card("generation-errors", "generation failures",
    String(errors.generation || 0), "", (errors.generation || 0) > 0));
  Object.keys(summary.pass_at_k || {}).forEach(function (k) {
    var entry = summary.pass_at_k[k];
    cards.appendChild(card(k, k, fmt(entry.value), "over " + entry.samples + " samples"));
  });
  if (summary.model) cards.appendChild(card("model", "model", String(summary.model), ""));
}

function renderCharts() {
  document.getElementById("histogram").appendChild(
    histogramSvg(distributionItems(meta.summary.score_distribution)));
  var metrics = meta.summary.metrics || {};
  var items = Object.keys(metrics).map(function (name) {
    var stat = metrics[name];
    return { label: name, mean: stat.mean, ci95: stat.ci95, count: stat.count };
  });
  document.getElementById("metric-bars").appendChild(meanBarsSvg(items));
}

function renderErrors() {
  var counts = meta.errors.map(function () { return 0; });
  meta.rows.forEach(function (row) { if (row[COL.error] >= 0) counts[row[COL.error]] += 1; });
  var order = counts.map(function (_, index) { return index; });
  order.sort(function (a, b) { return counts[b] - counts[a]; });
  var body = document.getElementById("errors");
  if (!order.length) {
    body.appendChild(el("tr", {}, [el("td", { colspan: "2", className: "muted", text: "no errors" })]));
  }
  order.forEach(function (index) {
    var row = el("tr", { "data-error": String(index) }, [
      el("td", { className: "num count", text: String(counts[index]) }),
      el("td", { className: "err", text: meta.errors[index] }),
    ]);
    row.addEventListener("click", function () { setErrorFilter(index); });
    body.appendChild(row);
  });
}

function setErrorFilter(index) {
  state.errorIndex = index;
  var label = document.getElementById("f-error-label");
  label.hidden = index < 0;
  document.getElementById("f-error-text").textContent = index < 0 ? "" : meta.errors[index];
  applyFilters();
}

function metricIndex() {
  var name = document.getElementById("f-metric").value;
  return name ? meta.metrics.indexOf(name) : -1;
}

function valueOf(row, key) {
  if (key === "id") return row[COL.id];
  if (key === "variant") return row[COL.variant];
  if (key === "score") return row[COL.score];
  if (key === "error") return row[COL.error] >= 0 ? meta.errors[row[COL.error]] : "";
  return row[COL.metrics][Number(key.slice(1))];
}

function compareValues(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function sortedOrder() {
  if (state.order === null) {
    state.order = meta.rows.map(function (_, index) { return index; });
    if (state.sortKey !== null) {
      var key = state.sortKey, dir = state.sortDir;
      var values = meta.rows.map(function (row) { return valueOf(row, key); });
      state.order.sort(function (a, b) {
        var va = values[a], vb = values[b];
        if (va === null || va === undefined) return vb === null || vb === undefined ? a - b : 1;
        if (vb === null || vb === undefined) return -1;
        return dir * compareValues(va, vb) || a - b;
      });
    }
  }
  return state.order;
}

function applyFilters() {
  var low = parseFloat(document.getElementById("f-min").value);
  var high = parseFloat(document.getElementById("f-max").value);
  var errorsOnly = document.getElementById("f-errors").checked;
  var query = document.getElementById("f-search").value.trim().toLowerCase();
  if (query && detailsCache === null) {
    withDetails(function () { applyFilters(); });
    return;
  }
  var metric = metricIndex();
  var rows = meta.rows, texts = query ? lowered() : null;
  var ranged = !Number.isNaN(low) || !Number.isNaN(high);
  state.shown = sortedOrder().filter(function (index) {
    var row = rows[index];
    if (errorsOnly && row[COL.error] < 0) return false;
    if (state.errorIndex >= 0 && row[COL.error] !== state.errorIndex) return false;
    var value = metric >= 0 ? row[COL.metrics][metric] : row[COL.score];
    if (metric >= 0 && (value === null || value === undefined)) return false;
    if (ranged) {
      if (value === null || value === undefined) return false;
      if (!Number.isNaN(low) && value < low) return false;
      if (!Number.isNaN(high) && value > high) return false;
    }
    if (texts && texts[index].indexOf(query) < 0 && row[COL.id].toLowerCase().indexOf(query) < 0) {
      return false;
    }
    return true;
  });
  state.page = 0;
  renderTable();
}

var COLUMNS = null;

function renderHead() {
  COLUMNS = [{ key: "id", label: "id" }, { key: "variant", label: "variant", num: true },
    { key: "score", label: "score", num: true }];
  meta.metrics.forEach(function (name, index) {
    COLUMNS.push({ key: "m" + index, label: name, num: true });
  });
  COLUMNS.push({ key: "error", label: "error / reason" });
  var head = document.getElementById("head");
  COLUMNS.forEach(function (column) {
    var th = el("th", { className: "sortable" + (column.num ? " num" : ""), "data-key": column.key,
      text: column.label });
    th.addEventListener("click", function () {
      state.sortDir = state.sortKey === column.key ? -state.sortDir : 1;
      state.sortKey = column.key;
      state.order = null;
      Array.prototype.forEach.call(head.children, function (cell) {
        cell.classList.remove("sorted-asc", "sorted-desc");
      });
      th.classList.add(state.sortDir > 0 ? "sorted-asc" : "sorted-desc");
      applyFilters();
    });
    head.appendChild(th);
  });
}

function renderTable() {
  var body = document.getElementById("rows");
  var pages = Math.max(1, Math.ceil(state.shown.length / PAGE_SIZE));
  state.page = Math.min(Math.max(state.page, 0), pages - 1);
  var start = state.page * PAGE_SIZE;
  var fragment = document.createDocumentFragment();
  state.shown.slice(start, start + PAGE_SIZE).forEach(function (index) {
    var row = meta.rows[index];
    var cells = [el("td", { text: row[COL.id] }), el("td", { className: "num", text: String(row[COL.variant]) }),
      el("td", { className: "num", text: row[COL.valid] ? fmt(row[COL.score], 3) : "–" })];
    row[COL.metrics].forEach(function (value) {
      cells.push(el("td", { className: "num", text: fmt(value, 3) }));
    });
    cells.push(row[COL.error] >= 0
      ? el("td", { className: "err", text: meta.errors[row[COL.error]] })
      : el("td", { className: "muted", text: row[COL.reason] }));
    var tr = el("tr", { "data-index": String(index), "data-error": row[COL.error] >= 0 ? "1" : "0" }, cells);
    tr.addEventListener("click", function () { openSample(index); });
    fragment.appendChild(tr);
  });
  body.textContent = "";
  body.appendChild(fragment);
  state.drawn += 1;
  document.getElementById("count").textContent =
    state.shown.length + " of " + meta.rows.length + " rows";
  document.getElementById("page").textContent = "page " + (state.page + 1) + " of " + pages;
  document.getElementById("prev").disabled = state.page === 0;
  document.getElementById("next").disabled = state.page >= pages - 1;
}

function section(title, child) {
  return el("div", {}, [el("h2", { text: title }), child]);
}

function openSample(index) {
  withDetails(function (texts) { showSample(index, JSON.parse(texts[index])); });
}

function showSample(index, row) {
  var panel = document.getElementById("sample");
  panel.textContent = "";
  var close = el("button", { type: "button", className: "close", text: "close ×" });
  close.addEventListener("click", function () { panel.hidden = true; });
  panel.appendChild(close);
  panel.appendChild(el("h2", { id: "sample-title",
    text: "sample " + row.id + (row.variant ? " · variant " + row.variant : "") }));
  panel.appendChild(el("div", { className: "cards" }, [
    card("sample-score", "score", row.is_score_valid ? fmt(row.score) : "could not score", "",
      !row.is_score_valid),
  ]));
  if (row.error) panel.appendChild(section("Error", el("pre", { className: "block err", text: row.error })));
  if (row.reason) panel.appendChild(section("Reason", el("pre", { className: "block", text: row.reason })));
  var metrics = row.metrics || {};
  var names = Object.keys(metrics);
  if (names.length) {
    var body = el("tbody");
    names.forEach(function (name) {
      var metric = metrics[name] || {};
      body.appendChild(el("tr", { "data-metric": name }, [
        el("td", { text: name }),
        el("td", { className: "num", text: metric.is_score_valid === false ? "invalid" : fmt(metric.score) }),
        el("td", { text: metric.reason || "" }),
      ]));
    });
    panel.appendChild(section("Metrics", el("table", {}, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "metric" }), el("th", { className: "num", text: "score" }),
        el("th", { text: "reason" })])]), body])));
  }
  var steps = row.step_outputs || [];
  if (steps.length) {
    var stepRows = el("tbody");
    steps.forEach(function (step) {
      stepRows.appendChild(el("tr", { "data-step": String(step.step_index) }, [
        el("td", { text: String(step.step_index) }),
        el("td", { className: "num", text: fmt(step.base_reward) }),
        el("td", { text: step.reason || "" }),
      ]));
    });
    panel.appendChild(section("Steps", el("table", { id: "sample-steps" }, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "step" }),
        el("th", { className: "num", text: "reward" }), el("th", { text: "reason" })])]),
      stepRows])));
  }
  panel.appendChild(section("Conversation", conversationNode(row.messages)));
  panel.appendChild(section("Ground truth", el("pre", { className: "block",
    text: row.ground_truth === undefined ? "" : pretty(row.ground_truth) })));
  if (row.generation) {
    panel.appendChild(section("Generation", el("pre", { className: "block", text: pretty(row.generation) })));
  }
  panel.hidden = false;
  panel.scrollTop = 0;
  Array.prototype.forEach.call(document.querySelectorAll("tr.selected"), function (node) {
    node.classList.remove("selected");
  });
  var selected = document.querySelector('tr[data-index="' + index + '"]');
  if (selected) selected.classList.add("selected");
}

function debounce(fn, wait) {
  var timer = null;
  return function () { clearTimeout(timer); timer = setTimeout(fn, wait); };
}

function init() {
  document.title = meta.title;
  document.getElementById("title").textContent = meta.title;
  var summary = meta.summary;
  document.getElementById("subtitle").textContent = [summary.run_dir,
    (summary.rewards || []).length ? "rewards: " + summary.rewards.join(", ") : null]
    .filter(Boolean).join(" · ");
  var select = document.getElementById("f-metric");
  meta.metrics.forEach(function (name) { select.appendChild(el("option", { value: name, text: name })); });
  renderCards();
  renderCharts();
  renderErrors();
  renderHead();
  ["f-min", "f-max", "f-metric", "f-errors"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", applyFilters);
  });
  document.getElementById("f-search").addEventListener("input", debounce(applyFilters, 200));
  document.getElementById("f-error-clear").addEventListener("click", function () { setErrorFilter(-1); });
  document.getElementById("prev").addEventListener("click", function () { state.page -= 1; renderTable(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; renderTable(); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") document.getElementById("sample").hidden = true;
  });
  applyFilters();
  document.body.setAttribute("data-ready", "1");
}

window.rk = { state: state, applyFilters: applyFilters, openSample: openSample };
init();
