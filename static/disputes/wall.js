// Wall mode (大屏): dark charts from disputes:dashboard_data, reloaded every refresh period;
// the tiles are an htmx partial polling on their own.
(function () {
  "use strict";
  var root = document.getElementById("wall");
  if (!root || !window.echarts) return;
  var charts = {};
  var text = { color: "#cfe0ff", fontSize: 18 };

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    charts[id] = charts[id] || window.echarts.init(el, "dark", { renderer: "canvas" });
    charts[id].setOption(Object.assign({ backgroundColor: "transparent", textStyle: text }, option), true);
  }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function render(data) {
    var names = data.regions.map(function (r) { return r.name; });
    var open = data.states.filter(function (s) { return s.open; }).map(function (s) { return s.key; });
    chart("wall-regions", {
      legend: { top: 0, textStyle: text },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { color: "#cfe0ff", fontSize: 16, interval: 0, rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#8ea3c0", fontSize: 16 } },
      color: ["#4299e1", "#f5b400", "#ff5c5c"],
      series: [
        { name: data.labels.open, type: "bar", data: data.regions.map(function (r) {
          return open.reduce(function (n, k) { return n + r.states[k]; }, 0); }) },
        { name: data.labels.yellow, type: "bar", data: data.regions.map(function (r) { return r.yellow; }) },
        { name: data.labels.red, type: "bar", data: data.regions.map(function (r) { return r.red; }) }
      ]
    });
    chart("wall-intake", {
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.intake.map(function (d) { return d.day.slice(5); }), axisLabel: { color: "#8ea3c0", fontSize: 14 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#8ea3c0", fontSize: 16 } },
      series: [{ type: "line", smooth: false, areaStyle: { opacity: 0.3 }, lineStyle: { width: 3 },
                 data: data.intake.map(function (d) { return d.count; }) }]
    });
    var cards = document.getElementById("wall-cards");
    if (cards && data.cards) {
      // One line a card; a text too long for its column ends in an ellipsis, whole in its title.
      var cell = function (text) { return '<td title="' + esc(text) + '">' + esc(text) + "</td>"; };
      cards.innerHTML = '<table><colgroup><col class="c-label"><col class="c-number"><col><col class="c-place">' +
        "</colgroup>" + data.cards.map(function (c) {
          return '<tr class="' + esc(c.warning_level) + '">' + cell(c.label) + cell(c.number) + cell(c.title) +
            cell(c.place) + "</tr>";
        }).join("") + "</table>";
    }
  }

  function load() {
    fetch(root.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { render(data); root.dataset.loaded = "1"; } });
  }
  load();
  window.setInterval(load, Number(root.dataset.refresh || 60) * 1000);
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();
