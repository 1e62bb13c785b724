// 统计分析 charts (ECharts, served locally). Data: the page's own tables (json_script
// "statistics-data"); every bar and slice opens the case list it counts (cell.url), a
// top-level category opens its second level, a region opens its own breakdown.
(function () {
  "use strict";
  var holder = document.getElementById("statistics-data");
  if (!holder || !window.echarts) return;
  var tables = {};
  JSON.parse(holder.textContent).forEach(function (t) { tables[t.name] = t; });
  var charts = [];

  function chart(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return;
    var instance = window.echarts.init(el);
    instance.setOption(option);
    if (onClick) instance.on("click", onClick);
    charts.push(instance);
  }

  function go(url) { if (url) window.location.href = url; }

  function withParam(name, value) {
    var params = new URLSearchParams(window.location.search);
    params.set(name, value);
    return window.location.pathname + "?" + params.toString();
  }

  // Township names are 4–6 characters: more than four of them side by side run together.
  var axisLabel = function (n) { return { rotate: n > 4 ? 30 : 0, interval: 0 }; };

  var trend = tables.channel_trend;
  if (trend) {
    var channels = trend.columns.filter(function (c) { return c.kind === "int" && c.key !== "total"; });
    chart("chart-channel_trend", {
      tooltip: { trigger: "axis" },
      legend: { type: "plain", top: 0 },
      grid: { left: 40, right: 16, top: 56, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: trend.rows.map(function (r) { return r.bucket.value; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: channels.map(function (c) {
        return { name: c.label, type: "bar", stack: "channel",
                 data: trend.rows.map(function (r) { return { value: r[c.key].value, url: r[c.key].url }; }) };
      })
    }, function (p) { go(p.data && p.data.url); });
  }

  var category = tables.category;
  if (category) {
    var secondLevel = new URLSearchParams(window.location.search).has("parent");
    chart("chart-category", {
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["30%", "65%"], label: { formatter: "{b}: {c}" },
                 data: category.rows.map(function (r) {
                   return { name: r.category.value, value: r.registered.value, url: r.registered.url,
                            ref: r.category.ref };
                 }) }]
    }, function (p) {
      if (!secondLevel && p.data.ref && p.data.ref.category_id) go(withParam("parent", p.data.ref.category_id));
      else go(p.data.url);
    });
  }

  var region = tables.region;
  if (region) {
    var names = region.rows.map(function (r) { return r.region.value; });
    chart("chart-region", {
      tooltip: { trigger: "axis" },
      legend: { type: "plain", top: 0 },
      color: ["#206bc4", "#d63939", "#2fb344"],
      grid: { left: 40, right: 16, top: 40, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: axisLabel(names.length) },
      yAxis: { type: "value", minInterval: 1 },
      series: ["open", "overdue", "registered"].map(function (key) {
        var column = region.columns.filter(function (c) { return c.key === key; })[0];
        return { name: column.label, type: "bar", data: region.rows.map(function (r) {
          return { value: r[key].value, url: r[key].url };
        }) };
      })
    }, function (p) { go(p.data && p.data.url); });
  }

  var rates = tables.rates;
  if (rates) {
    var rateNames = rates.rows.map(function (r) { return r.region.value; });
    chart("chart-rates", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { type: "plain", top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: rateNames, axisLabel: axisLabel(rateNames.length) },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      // a rate bar opens its numerator's list (按期办结 / 满意 cases)
      series: [["on_time_rate", "on_time"], ["satisfaction_rate", "satisfied"]].map(function (pair) {
        var column = rates.columns.filter(function (c) { return c.key === pair[0]; })[0];
        return { name: column.label, type: "bar", data: rates.rows.map(function (r) {
          return { value: r[pair[0]].value, url: r[pair[1]].url };
        }) };
      })
    }, function (p) { go(p.data && p.data.url); });
  }

  // Heat table: shade each count cell by its share of the column's largest value.
  var heatCells = document.querySelectorAll(".app-heat td[data-heat]");
  var max = {};
  heatCells.forEach(function (td) {
    var k = td.dataset.key; max[k] = Math.max(max[k] || 0, Number(td.dataset.heat));
  });
  heatCells.forEach(function (td) {
    var share = max[td.dataset.key] ? Number(td.dataset.heat) / max[td.dataset.key] : 0;
    td.style.backgroundColor = "rgba(214, 57, 57, " + (0.08 + 0.5 * share).toFixed(2) + ")";
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
