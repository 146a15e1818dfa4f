/* Shared helpers of the report pages: formatting, SVG charts, conversations. No dependencies. */
"use strict";

function readBlock(id) {
  var node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

function el(tag, attrs, children) {
  var node = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
  }
  (children || []).forEach(function (child) {
    if (child !== null && child !== undefined) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
  });
  return node;
}

function fmt(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return Number(value).toFixed(digits === undefined ? 4 : digits);
}

function fmtCI(stat) {
  if (!stat || !stat.ci95) return "";
  return "95% CI " + fmt(stat.ci95[0]) + " .. " + fmt(stat.ci95[1]);
}

var SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
  var node = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
  if (text !== undefined) node.textContent = text;
  return node;
}

/* Vertical bars: items are {label, count}. */
function histogramSvg(items) {
  var width = 460, height = 200, left = 40, bottom = 40, top = 10;
  var root = svg("svg", { viewBox: "0 0 " + width + " " + height, width: "100%",
    role: "img", "aria-label": "score histogram" });
  if (!items.length) {
    root.appendChild(svg("text", { x: 10, y: 20 }, "no valid scores"));
    return root;
  }
  var most = Math.max.apply(null, items.map(function (item) { return item.count; })) || 1;
  var slot = (width - left - 10) / items.length;
  root.appendChild(svg("line", { x1: left, y1: height - bottom, x2: width - 10,
    y2: height - bottom, class: "axis" }));
  root.appendChild(svg("text", { x: 4, y: top + 10 }, String(most)));
  root.appendChild(svg("text", { x: 4, y: height - bottom }, "0"));
  items.forEach(function (item, index) {
    var barHeight = (height - bottom - top) * item.count / most;
    var x = left + index * slot + 2;
    var rect = svg("rect", { x: x, y: height - bottom - barHeight, width: Math.max(slot - 4, 1),
      height: barHeight, class: "bar" });
    rect.appendChild(svg("title", {}, item.label + ": " + item.count));
    root.appendChild(rect);
    if (items.length <= 12 || index % Math.ceil(items.length / 10) === 0) {
      root.appendChild(svg("text", { x: x + slot / 2 - 2, y: height - bottom + 14,
        "text-anchor": "middle" }, item.label));
    }
  });
  return root;
}

function distributionItems(distribution) {
  return (distribution || []).map(function (entry) {
    var label = "score" in entry ? String(entry.score)
      : Number(entry.from).toPrecision(3) + "–" + Number(entry.to).toPrecision(3);
    return { label: label, count: entry.count };
  });
}

/* Horizontal bars with 95% whiskers: items are {label, mean, ci95, count}. */
function meanBarsSvg(items) {
  var rowHeight = 26, left = 170, right = 70, width = 560;
  var height = Math.max(items.length, 1) * rowHeight + 24;
  var root = svg("svg", { viewBox: "0 0 " + width + " " + height, width: "100%",
    role: "img", "aria-label": "per-metric means" });
  if (!items.length) {
    root.appendChild(svg("text", { x: 10, y: 20 }, "no metrics"));
    return root;
  }
  var values = [0];
  items.forEach(function (item) {
    values.push(item.mean || 0);
    if (item.ci95) values.push(item.ci95[0], item.ci95[1]);
  });
  var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
  if (high === low) high = low + 1;
  var scale = function (value) { return left + (value - low) / (high - low) * (width - left - right); };
  root.appendChild(svg("line", { x1: scale(0), y1: 0, x2: scale(0), y2: height - 20, class: "axis" }));
  items.forEach(function (item, index) {
    var y = index * rowHeight + 4;
    root.appendChild(svg("text", { x: left - 6, y: y + 14, "text-anchor": "end" },
      item.label.length > 26 ? item.label.slice(0, 25) + "…" : item.label));
    if (item.mean === null || item.mean === undefined) return;
    var from = scale(Math.min(0, item.mean)), to = scale(Math.max(0, item.mean));
    var rect = svg("rect", { x: from, y: y + 3, width: Math.max(to - from, 1), height: 16,
      class: "bar" });
    rect.appendChild(svg("title", {}, item.label + ": " + fmt(item.mean) + " (n=" + item.count + ")"));
    root.appendChild(rect);
    if (item.ci95) {
      root.appendChild(svg("line", { x1: scale(item.ci95[0]), x2: scale(item.ci95[1]),
        y1: y + 11, y2: y + 11, class: "whisker" }));
    }
    root.appendChild(svg("text", { x: width - right + 6, y: y + 14 }, fmt(item.mean, 3)));
  });
  root.appendChild(svg("text", { x: left, y: height - 6 }, fmt(low, 2)));
  root.appendChild(svg("text", { x: width - right, y: height - 6, "text-anchor": "end" },
    fmt(high, 2)));
  return root;
}

function contentText(content) {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map(function (part) {
      if (typeof part === "string") return part;
      if (part && typeof part.text === "string") return part.text;
      return JSON.stringify(part);
    }).join("\n");
  }
  return JSON.stringify(content, null, 2);
}

function pretty(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

/* One message: role, reasoning, content, tool calls. */
function messageNode(message) {
  var role = String(message.role || "?");
  var node = el("div", { className: "msg " + role, "data-role": role });
  var head = role + (message.name ? " · " + message.name : "");
  if (message.tool_call_id) head += " · reply to " + message.tool_call_id;
  node.appendChild(el("div", { className: "role", text: head }));
  var reasoning = message.reasoning_content || message.reasoning;
  if (reasoning) {
    node.appendChild(el("pre", { className: "reasoning", text: contentText(reasoning) }));
  }
  var text = contentText(message.content);
  if (text) node.appendChild(el("pre", { text: text }));
  (message.tool_calls || []).forEach(function (call) {
    var fn = call["function"] || call;
    var args = fn.arguments;
    if (typeof args === "string") {
      try { args = JSON.stringify(JSON.parse(args), null, 2); } catch (error) { /* as sent */ }
    } else {
      args = JSON.stringify(args, null, 2);
    }
    node.appendChild(el("div", { className: "tool-call" }, [
      el("b", { text: "tool call " + (fn.name || "?") }),
      call.id ? el("span", { className: "muted", text: " (" + call.id + ")" }) : null,
      el("pre", { text: args || "" }),
    ]));
  });
  return node;
}

function conversationNode(messages) {
  var wrap = el("div", { className: "conversation" });
  (messages || []).forEach(function (message) { wrap.appendChild(messageNode(message || {})); });
  return wrap;
}
