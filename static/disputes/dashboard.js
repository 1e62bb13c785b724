// Dispatch dashboard charts (ECharts, served locally). Data: disputes:dashboard_data (scoped
// JSON); every bar opens the case list it counts (its `filters`). The tiles and queues are
// htmx partials that poll by themselves; the charts reload on the same `dashboard-refresh`
// event and on a timer. A queue does not poll while the user has rows ticked for bulk 交办.
(function () {
  "use strict";
  window.dashboardIdle = function () {
    return !document.querySelector(".app-queue input[name=case_ids]:checked");
  };
  // The CSP allows no eval, so no htmx trigger filter: a queue's timed refresh is cancelled
  // here while the user has rows ticked (a dashboard-refresh after an action still runs).
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    var timed = evt.detail && !evt.detail.triggeringEvent;
    if (elt && elt.closest && elt.closest(".app-queue") && timed && !window.dashboardIdle()) evt.preventDefault();
  });
  var root = document.getElementById("dashboard");
  if (!root || !window.echarts) return;
  var listUrl = root.dataset.listUrl;
  var charts = {};

  function open(filters) {
    if (filters) window.location.href = listUrl + "?" + new URLSearchParams(filters).toString();
  }

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    if (!charts[id]) {
      charts[id] = window.echarts.init(el);
      charts[id].on("click", function (p) { open(p.data && p.data.filters); });
    }
    charts[id].setOption(option, true);
  }

  function render(data) {
    var names = data.regions.map(function (r) { return r.name; });
    var rotate = { rotate: names.length > 4 ? 30 : 0, interval: 0 };  // long township names run together
    chart("chart-states", {
      tooltip: { trigger: "axis" },
      // A plain legend wraps onto as many lines as it needs (a scrolling one hid states).
      legend: { type: "plain", top: 0 },
      grid: { left: 40, right: 16, top: 64, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: rotate },
      yAxis: { type: "value", minInterval: 1 },
      series: data.states.map(function (s) {
        return { name: s.label, type: "bar", stack: "states", data: data.regions.map(function (r) {
          return { value: r.states[s.key], filters: r.filters && r.filters.states[s.key] };
        }) };
      })
    });
    chart("chart-warnings", {
      tooltip: { trigger: "axis" },
      legend: { type: "plain", top: 0 },
      color: ["#f59f00", "#d63939"],
      grid: { left: 40, right: 16, top: 40, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: rotate },
      yAxis: { type: "value", minInterval: 1 },
      series: ["yellow", "red"].map(function (key) {
        return { name: data.labels[key], type: "bar", data: data.regions.map(function (r) {
          return { value: r[key], filters: r.filters && r.filters[key] };
        }) };
      })
    });
    chart("chart-intake", {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: data.intake.map(function (d) { return d.day.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.labels.intake, type: "line", smooth: false, areaStyle: {},
                 data: data.intake.map(function (d) { return { value: d.count, filters: d.filters }; }) }]
    });
  }

  function load() {
    fetch(root.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) render(data); });
  }

  load();
  document.body.addEventListener("dashboard-refresh", load);
  var seconds = Number(root.dataset.refresh || 60);
  window.setInterval(load, seconds * 1000);
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
})();
