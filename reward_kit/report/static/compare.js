/* The comparison page of two runs: counts, paired deltas, error changes, changed samples. */
"use strict";

var PAGE_SIZE = 100;
var diff = readBlock("rk-diff");
var view = { shown: [], page: 0 };
var LABELS = { regressed: "regressed", improved: "improved", new_error: "new error",
  fixed_error: "error fixed" };

function signed(value) {
  if (value === null || value === undefined) return "–";
  return (value > 0 ? "+" : "") + fmt(value);
}

function card(key, label, value, extra, tone) {
  return el("div", { className: "card", "data-card": key }, [
    el("div", { className: "label", text: label }),
    el("div", { className: "value" + (tone ? " " + tone : ""), text: value }),
    extra ? el("div", { className: "extra", text: extra }) : null,
  ]);
}

function tone(stat) {
  if (!stat || !stat.ci95) return "";
  if (stat.ci95[0] > 0) return "delta-up";
  if (stat.ci95[1] < 0) return "delta-down";
  return "";
}

function renderCards() {
  var cards = document.getElementById("cards"), counts = diff.counts;
  cards.appendChild(card("delta", "score B − A", signed(diff.score.delta),
    diff.score.ci95 ? "95% CI " + signed(diff.score.ci95[0]) + " .. " + signed(diff.score.ci95[1])
      + " · " + diff.score.pairs + " pairs" : diff.score.pairs + " pairs", tone(diff.score)));
  cards.appendChild(card("matched", "matched rows", String(diff.matched),
    diff.only_in_a.length + " only in A, " + diff.only_in_b.length + " only in B"));
  cards.appendChild(card("improved", "improved", String(counts.improved), "",
    counts.improved ? "delta-up" : ""));
  cards.appendChild(card("regressed", "regressed", String(counts.regressed), "",
    counts.regressed ? "delta-down" : ""));
  cards.appendChild(card("new_error", "new errors", String(counts.new_error), "",
    counts.new_error ? "delta-down" : ""));
  cards.appendChild(card("fixed_error", "errors fixed", String(counts.fixed_error), ""));
  cards.appendChild(card("unchanged", "unchanged", String(counts.unchanged),
    counts.still_error + " failed in both"));
}

function deltaRow(name, stat) {
  return el("tr", { "data-metric": name }, [
    el("td", { text: name }), el("td", { className: "num", text: String(stat.pairs) }),
    el("td", { className: "num", text: fmt(stat.mean_a) }),
    el("td", { className: "num", text: fmt(stat.mean_b) }),
    el("td", { className: "num " + tone(stat), text: signed(stat.delta) }),
    el("td", { text: stat.ci95 ? signed(stat.ci95[0]) + " .. " + signed(stat.ci95[1]) : "–" }),
  ]);
}

function renderDeltas() {
  var body = document.getElementById("deltas");
  body.appendChild(deltaRow("(reward)", diff.score));
  var items = [{ label: "(reward)", mean: diff.score.delta, ci95: diff.score.ci95,
    count: diff.score.pairs }];
  Object.keys(diff.metrics).forEach(function (name) {
    var stat = diff.metrics[name];
    body.appendChild(deltaRow(name, stat));
    items.push({ label: name, mean: stat.delta, ci95: stat.ci95, count: stat.pairs });
  });
  document.getElementById("delta-bars").appendChild(meanBarsSvg(items));
}

function renderErrors() {
  var body = document.getElementById("errors");
  if (!diff.errors.by_message.length) {
    body.appendChild(el("tr", {}, [el("td", { colspan: "4", className: "muted", text: "no errors" })]));
  }
  diff.errors.by_message.forEach(function (entry) {
    var tag = !entry.count_a ? "new" : !entry.count_b ? "removed" : "";
    body.appendChild(el("tr", { "data-tag": tag }, [
      el("td", { className: "num", text: String(entry.count_a) }),
      el("td", { className: "num", text: String(entry.count_b) }),
      el("td", { className: tag === "new" ? "delta-down" : "delta-up", text: tag }),
      el("td", { className: "err", text: entry.error }),
    ]));
  });
}

function applyFilters() {
  var status = document.getElementById("f-status").value;
  var query = document.getElementById("f-search").value.trim().toLowerCase();
  view.shown = diff.samples.filter(function (sample) {
    if (status && sample.status !== status) return false;
    return !query || sample.id.toLowerCase().indexOf(query) >= 0;
  });
  view.page = 0;
  renderTable();
}

function renderTable() {
  var body = document.getElementById("rows");
  var pages = Math.max(1, Math.ceil(view.shown.length / PAGE_SIZE));
  view.page = Math.min(Math.max(view.page, 0), pages - 1);
  body.textContent = "";
  view.shown.slice(view.page * PAGE_SIZE, (view.page + 1) * PAGE_SIZE).forEach(function (sample) {
    var bad = sample.status === "regressed" || sample.status === "new_error";
    var tr = el("tr", { "data-status": sample.status, "data-id": sample.id }, [
      el("td", { text: sample.id }), el("td", { className: "num", text: sample.variant }),
      el("td", { className: bad ? "delta-down" : "delta-up", text: LABELS[sample.status] }),
      el("td", { className: "num", text: sample.score_a === null ? "error" : fmt(sample.score_a, 3) }),
      el("td", { className: "num", text: sample.score_b === null ? "error" : fmt(sample.score_b, 3) }),
      el("td", { className: "num", text: signed(sample.delta) }),
    ]);
    tr.addEventListener("click", function () { openSample(sample); });
    body.appendChild(tr);
  });
  document.getElementById("count").textContent =
    view.shown.length + " of " + diff.samples.length + " changed rows";
  document.getElementById("page").textContent = "page " + (view.page + 1) + " of " + pages;
  document.getElementById("prev").disabled = view.page === 0;
  document.getElementById("next").disabled = view.page >= pages - 1;
}

function side(label, score, error, reason, response) {
  return el("div", { className: "panel" }, [
    el("h2", { text: label + ": " + (score === null ? "could not score" : fmt(score)) }),
    error ? el("pre", { className: "block err", text: error }) : null,
    reason ? el("pre", { className: "block", text: reason }) : null,
    el("div", { className: "msg assistant" }, [el("div", { className: "role", text: "response" }),
      el("pre", { text: response || "" })]),
  ]);
}

function openSample(sample) {
  var panel = document.getElementById("sample");
  panel.textContent = "";
  var close = el("button", { type: "button", className: "close", text: "close ×" });
  close.addEventListener("click", function () { panel.hidden = true; });
  panel.appendChild(close);
  panel.appendChild(el("h2", { id: "sample-title", text: "sample " + sample.id + " · variant "
    + sample.variant + " · " + LABELS[sample.status] }));
  panel.appendChild(el("div", { className: "panels" }, [
    side("A", sample.score_a, sample.error_a, sample.reason_a, sample.response_a),
    side("B", sample.score_b, sample.error_b, sample.reason_b, sample.response_b),
  ]));
  panel.hidden = false;
}

function init() {
  var title = "reward-kit compare";
  document.title = title;
  document.getElementById("title").textContent = title;
  var subtitle = document.getElementById("subtitle");
  ["a", "b"].forEach(function (key) {
    var link = (diff.links || {})[key];
    subtitle.appendChild(el("div", {}, [key.toUpperCase() + ": ",
      link ? el("a", { href: link, text: diff[key] }) : diff[key]]));
  });
  renderCards();
  renderDeltas();
  renderErrors();
  document.getElementById("f-status").addEventListener("change", applyFilters);
  document.getElementById("f-search").addEventListener("input", applyFilters);
  document.getElementById("prev").addEventListener("click", function () { view.page -= 1; renderTable(); });
  document.getElementById("next").addEventListener("click", function () { view.page += 1; renderTable(); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") document.getElementById("sample").hidden = true;
  });
  applyFilters();
  document.body.setAttribute("data-ready", "1");
}

init();
