// A unit's trend (total and rank per period): ECharts, served locally; data from json_script.
(function () {
  "use strict";
  var el = document.getElementById("trend-chart");
  var source = document.getElementById("trend-data");
  if (!el || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: {},
    grid: { left: 40, right: 40, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: data.labels },
    yAxis: [{ type: "value", name: el.dataset.totalLabel, scale: true },
            { type: "value", name: el.dataset.rankLabel, inverse: true, minInterval: 1 }],
    series: [{ name: el.dataset.totalLabel, type: "line", data: data.totals },
             { name: el.dataset.rankLabel, type: "line", yAxisIndex: 1, data: data.ranks }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
