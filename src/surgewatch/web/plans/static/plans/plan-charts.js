/* Plan charts: gap against mitigation, and the uncertainty fan chart. The data
   comes from json_script elements the server writes (plans/selectors.py); each
   chart's figures are also in a table on the page, so this script only adds a view.
   Series differ by shape and line style as well as colour. */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var TEXT = "#212b32";
  var BLUE = "#005eb8";
  var GREY = "#4c6272";

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function gapChart(canvas, data) {
    return new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: "Gap before mitigation", data: data.gap, backgroundColor: TEXT },
          { type: "bar", label: "Total mitigation", data: data.mitigation, backgroundColor: BLUE },
          {
            type: "line",
            label: "Residual",
            data: data.residual,
            borderColor: "#d5281b",
            backgroundColor: "#d5281b",
            pointStyle: "triangle",
            pointRadius: 6,
            borderWidth: 3,
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { title: { display: true, text: "Acute-bed equivalents", color: TEXT } } },
        plugins: { legend: { labels: { usePointStyle: true, color: TEXT } } },
      },
    });
  }

  function fanChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: "P10 occupancy", data: data.p10, borderColor: "#aeb7bd", pointRadius: 0, fill: false },
          {
            label: "P10 to P90 occupancy",
            data: data.p90,
            borderColor: "#aeb7bd",
            backgroundColor: "rgba(0, 94, 184, 0.2)",
            pointRadius: 0,
            fill: "-1",
          },
          { label: "Median (P50) occupancy", data: data.p50, borderColor: BLUE, borderWidth: 3, pointStyle: "circle" },
          {
            label: "Capacity (open beds + schemes)",
            data: data.capacity,
            borderColor: GREY,
            borderDash: [8, 4],
            pointStyle: "rect",
            pointRadius: 5,
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { title: { display: true, text: "Occupied beds", color: TEXT } } },
        plugins: {
          legend: {
            labels: {
              usePointStyle: true,
              color: TEXT,
              filter: function (item) { return item.text !== "P10 occupancy"; },
            },
          },
        },
      },
    });
  }

  var gap = read("gap-chart-data");
  if (gap) {
    gapChart(document.getElementById("gap-chart"), gap);
  }
  var fan = read("fan-chart-data");
  if (fan) {
    fanChart(document.getElementById("fan-chart"), fan);
  }
})();
