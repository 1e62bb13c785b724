// Dispatch dashboard charts (ECharts, served locally). Data: disputes:dashboard_data (scoped JSON).
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.echarts) return;
  var charts = [];

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var instance = window.echarts.init(el);
    instance.setOption(option);
    charts.push(instance);
  }

  function render(data) {
    Object.keys(data.totals).forEach(function (key) {
      var el = root.querySelector("[data-total='" + key + "']");
      if (el) el.textContent = data.totals[key];
    });
    var names = data.regions.map(function (r) { return r.name; });
    chart("chart-states", {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll" },
      grid: { left: 40, right: 16, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.states.map(function (s) {
        return { name: s.label, type: "bar", stack: "states",
                 data: data.regions.map(function (r) { return r.states[s.key]; }) };
      })
    });
    chart("chart-warnings", {
      tooltip: { trigger: "axis" },
      legend: {},
      color: ["#f59f00", "#d63939"],
      grid: { left: 40, right: 16, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.yellow, type: "bar", data: data.regions.map(function (r) { return r.yellow; }) },
        { name: data.labels.red, type: "bar", data: data.regions.map(function (r) { return r.red; }) }
      ]
    });
    chart("chart-intake", {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: data.intake.map(function (d) { return d.day.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.labels.intake, type: "line", smooth: true, areaStyle: {},
                 data: data.intake.map(function (d) { return d.count; }) }]
    });
  }

  fetch(root.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) { return response.json(); })
    .then(render);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
