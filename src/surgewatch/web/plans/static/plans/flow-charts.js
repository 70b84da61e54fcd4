/* Simulation fan charts (issue 6). The data comes from the json_script element the server
   writes (plans/sim_selectors.py fan_charts); every chart's figures are also in a table on
   the page, so this script only adds a view. Scenario B differs from A by line style
   (dashed) and point shape as well as colour. */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var TEXT = "#212b32";
  var STYLES = [
    { line: "#005eb8", band: "rgba(0, 94, 184, 0.2)", dash: [], point: "circle" },
    { line: "#d5281b", band: "rgba(213, 40, 27, 0.15)", dash: [8, 4], point: "triangle" },
  ];

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function datasets(run, style) {
    var prefix = run.name ? run.name + ": " : "";
    return [
      { label: prefix + "P10", data: run.p10, borderColor: style.band, pointRadius: 0, fill: false, noKey: true },
      {
        label: prefix + "P10 to P90",
        data: run.p90,
        borderColor: style.band,
        backgroundColor: style.band,
        pointRadius: 0,
        fill: "-1",
      },
      {
        label: prefix + "median (P50)",
        data: run.p50,
        borderColor: style.line,
        borderDash: style.dash,
        borderWidth: 2,
        pointStyle: style.point,
        pointRadius: 0,
      },
    ];
  }

  function fanChart(canvas, chart) {
    var sets = [];
    chart.runs.forEach(function (run, index) {
      sets = sets.concat(datasets(run, STYLES[index % STYLES.length]));
    });
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: chart.dates, datasets: sets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { ticks: { maxTicksLimit: 12, color: TEXT } },
          y: { title: { display: true, text: chart.unit, color: TEXT }, ticks: { color: TEXT } },
        },
        plugins: {
          legend: {
            labels: {
              usePointStyle: true,
              color: TEXT,
              filter: function (item, data) { return !data.datasets[item.datasetIndex].noKey; },
            },
          },
        },
      },
    });
  }

  var data = read("flow-chart-data");
  if (data) {
    data.charts.forEach(function (chart) {
      var canvas = document.getElementById(chart.id);
      if (canvas) {
        fanChart(canvas, chart);
      }
    });
  }
})();
