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

// Behaviours declared in the markup: the Content-Security-Policy allows no inline handlers (onclick=,
// onsubmit=, hx-on), so pages say what they want with data attributes and this file does it.
// <form data-confirm="Really?">: ask before submitting (capture phase, so before htmx sees the submit).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
// <select data-autosubmit>: submit its form when the choice changes (the language switcher).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) { field.form.submit(); }
});
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!(target instanceof Element)) { return; }
  // <input type="checkbox" data-select-all="order">: tick or untick every enabled box named "order".
  var all = target.closest("input[data-select-all]");
  if (all) {
    document.querySelectorAll('input[name="' + all.dataset.selectAll + '"]').forEach(function (box) {
      if (!box.disabled) { box.checked = all.checked; }
    });
  }
  // <button data-remove-closest="tbody">: remove the enclosing element (a form line).
  var remover = target.closest("[data-remove-closest]");
  if (remover) {
    var gone = remover.closest(remover.dataset.removeClosest);
    if (gone) { gone.remove(); }
  }
});
