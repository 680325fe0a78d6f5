/* The statistics page's charts (templates/stats/index.html), drawn with the vendored ECharts from the
   JSON in <script id="stats-data">. The tables beside them carry the same figures and stay the source
   of truth; the charts are hidden from screen readers. No inline script, no eval (CSP): tooltips use
   ECharts' rich-text mode, which writes no HTML with style attributes. */
(function () {
  "use strict";
  var source = document.getElementById("stats-data");
  if (!source || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels || {};
  var charts = [];

  function height(el, rows) {
    el.style.height = Math.max(240, Math.min(520, 60 + rows * 36)) + "px";
  }

  function bars(el, rows) {
    height(el, rows.length);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }),
               axisLabel: { width: 120, overflow: "truncate" } },
      series: [
        { name: labels.bangs, type: "bar", data: rows.map(function (r) { return r.bangs; }) },
        { name: labels.signed, type: "bar", data: rows.map(function (r) { return r.signed; }) }
      ]
    });
    charts.push(chart);
  }

  function pie(el, rows) {
    rows = rows.filter(function (r) { return r.count > 0; });
    if (!rows.length) { return; }
    height(el, 6);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText" },
      series: [{ name: labels.projects, type: "pie", radius: ["35%", "65%"],
                 data: rows.map(function (r) { return { name: r.label, value: r.count }; }) }]
    });
    charts.push(chart);
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var key = el.getAttribute("data-chart");
    if (key === "outcomes") { pie(el, data.outcomes || []); }
    else if (data.breakdowns && data.breakdowns[key] && data.breakdowns[key].length) { bars(el, data.breakdowns[key]); }
  });

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
})();
