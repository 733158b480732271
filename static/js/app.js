// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector('meta[name="csrf-token"]');
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});

// Charts: <div data-chart='{"type": "bar", "labels": [...], "series": [{"name": "...", "values": [...]}]}'>
// rendered with the vendored ECharts (loaded only on pages that have charts).
function dbRenderCharts(root) {
  if (typeof echarts === "undefined") { return; }
  (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
    if (el.dataset.rendered) { return; }
    var spec = JSON.parse(el.dataset.chart);
    var chart = echarts.init(el, null, {renderer: "svg"});
    var series = (spec.series || []).map(function (s) {
      return {name: s.name, type: s.type || spec.type || "bar", data: s.values, smooth: true,
              areaStyle: s.area ? {} : undefined, stack: s.stack};
    });
    chart.setOption({
      tooltip: {trigger: "axis"}, legend: {show: series.length > 1, top: 0},
      grid: {left: 10, right: 20, top: series.length > 1 ? 30 : 10, bottom: 10, containLabel: true},
      xAxis: {type: "category", data: spec.labels,
              axisLabel: {interval: 0, rotate: spec.labels.length > 6 ? 30 : 0, fontSize: 11}},
      yAxis: {type: "value"}, series: series, animation: false
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
}
document.addEventListener("DOMContentLoaded", function () { dbRenderCharts(); });
document.addEventListener("htmx:afterSettle", function (e) { dbRenderCharts(e.target); });
