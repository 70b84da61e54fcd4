/* Indicator page charts: the standing values over the plan's bands, and the
   XmR (SPC) chart. All data comes from the json_script element the server
   writes (reporting/charts.py); nothing is built from strings here. Every
   chart has its data in a table on the page, so this script only adds a view. */
(function () {
  "use strict";

  var source = document.getElementById("indicator-chart-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var TEXT = "#212b32";
  var dayFormat = new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "Europe/London",
  });

  function withUnit(value) {
    return data.unit ? value + " " + data.unit : String(value);
  }

  /* Fills each band between its boundaries (null: to the chart's edge) in the
     pack's level colour, lightly, and names it, so the colour is not the only cue. */
  function bandsPlugin(bands) {
    return {
      id: "swBands",
      beforeDatasetsDraw: function (chart) {
        var area = chart.chartArea;
        var y = chart.scales.y;
        var ctx = chart.ctx;
        ctx.save();
        bands.forEach(function (band) {
          var top = band.high === null ? area.top : Math.max(area.top, y.getPixelForValue(band.high));
          var bottom =
            band.low === null ? area.bottom : Math.min(area.bottom, y.getPixelForValue(band.low));
          if (bottom <= top) {
            return;
          }
          ctx.globalAlpha = 0.2;
          ctx.fillStyle = band.fill;
          ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
          if (bottom - top >= 14) {
            ctx.globalAlpha = 1;
            ctx.fillStyle = TEXT;
            ctx.font = "12px Frutiger W01, Arial, sans-serif";
            ctx.textBaseline = "top";
            ctx.fillText(band.label, area.left + 4, top + 2);
          }
        });
        ctx.restore();
      },
    };
  }

  function seriesChart(canvas) {
    var series = data.series;
    return new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          {
            label: "Value",
            data: series.points,
            stepped: true, // a value stands until the next reading
            borderColor: "#005eb8",
            backgroundColor: "#005eb8",
            borderWidth: 2,
            pointRadius: 3,
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: {
            type: "linear",
            min: series.start,
            max: series.end,
            ticks: {
              color: TEXT,
              maxTicksLimit: 8,
              callback: function (value) {
                return dayFormat.format(new Date(value));
              },
            },
          },
          y: {
            suggestedMin: data.yRange.min === null ? undefined : data.yRange.min,
            suggestedMax: data.yRange.max === null ? undefined : data.yRange.max,
            ticks: { color: TEXT },
            title: { display: Boolean(data.unit), text: data.unit, color: TEXT },
          },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items[0].raw.label;
              },
              label: function (item) {
                return withUnit(item.raw.y) + " (" + item.raw.level + ")";
              },
            },
          },
        },
      },
      plugins: [bandsPlugin(data.bands)],
    });
  }

  function line(label, value, count, colour, dash) {
    return {
      label: label,
      data: new Array(count).fill(value),
      borderColor: colour,
      backgroundColor: colour,
      borderDash: dash,
      borderWidth: 1.5,
      pointRadius: 0,
      pointHitRadius: 0,
    };
  }

  function spcChart(canvas) {
    var spc = data.spc;
    var points = spc.points;
    var count = points.length;
    var pick = function (key) {
      return points.map(function (point) {
        return point[key];
      });
    };
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: pick("x"),
        datasets: [
          {
            label: "Daily value",
            data: pick("y"),
            borderColor: "#aeb7bd",
            borderWidth: 1.5,
            pointBackgroundColor: pick("colour"),
            pointBorderColor: pick("colour"),
            pointStyle: pick("shape"),
            pointRadius: 5,
          },
          line("Mean", spc.mean, count, TEXT, []),
          line("Upper process limit", spc.upper, count, "#768692", [6, 4]),
          line("Lower process limit", spc.lower, count, "#768692", [6, 4]),
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { color: TEXT, maxTicksLimit: 12 } },
          y: {
            ticks: { color: TEXT },
            title: { display: Boolean(data.unit), text: data.unit, color: TEXT },
          },
        },
        plugins: {
          legend: { labels: { color: TEXT, filter: function (item) { return item.datasetIndex > 0; } } },
          tooltip: {
            filter: function (item) {
              return item.datasetIndex === 0;
            },
            callbacks: {
              label: function (item) {
                return withUnit(item.raw) + ": " + points[item.dataIndex].label;
              },
            },
          },
        },
      },
    });
  }

  var seriesCanvas = document.getElementById("series-chart");
  if (seriesCanvas && data.series.points.length) {
    seriesChart(seriesCanvas);
  }
  var spcCanvas = document.getElementById("spc-chart");
  if (spcCanvas && data.spc) {
    spcChart(spcCanvas);
  }
})();
