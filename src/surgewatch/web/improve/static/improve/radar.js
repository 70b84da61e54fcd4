/* The self-assessment radar chart: mean level per change, this assessment and the
   previous one. Data comes from the json_script element the server writes
   (improve/selectors.py, chart_data); the same figures are in the table beside the
   chart, so this script only adds a view. Lines differ by dash as well as colour. */
(function () {
  "use strict";

  var source = document.getElementById("radar-data");
  var canvas = document.getElementById("radar-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var styles = [
    { colour: "#005eb8", fill: "rgba(0, 94, 184, 0.15)", dash: [], point: "circle" },
    { colour: "#4c6272", fill: "rgba(76, 98, 114, 0.05)", dash: [6, 4], point: "rectRot" },
  ];
  var datasets = data.series.map(function (series, index) {
    var style = styles[index % styles.length];
    return {
      label: series.label,
      data: series.values,
      borderColor: style.colour,
      backgroundColor: style.fill,
      borderDash: style.dash,
      pointStyle: style.point,
      pointRadius: 4,
      spanGaps: false,
    };
  });
  new window.Chart(canvas, {
    type: "radar",
    data: { labels: data.short_labels, datasets: datasets },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        r: {
          min: 0,
          max: data.levels.length,
          ticks: { stepSize: 1, color: "#212b32" },
          pointLabels: { color: "#212b32", font: { size: 12 } },
        },
      },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true, color: "#212b32" } },
        tooltip: {
          callbacks: {
            title: function (items) {
              return data.labels[items[0].dataIndex];
            },
            label: function (item) {
              var value = item.raw;
              return item.dataset.label + ": " + (value === null ? "not assessed" : value);
            },
          },
        },
      },
    },
  });
})();
