// IOC dashboard: draws the statistics embedded in the page with the vendored Chart.js.
(function () {
  "use strict";
  const stats = JSON.parse(document.getElementById("stats-data").textContent);
  const labels = JSON.parse(document.getElementById("labels-data").textContent);
  const palette = ["#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#c92a2a", "#5c7cfa", "#868e96"];
  Chart.defaults.font.family = "system-ui, 'Segoe UI', Roboto, sans-serif";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;

  const categoryNames = {};
  stats.by_category.forEach((c) => { categoryNames[c.code] = c.name || c.code; });

  function timeChart() {
    const buckets = stats.by_time.map((b) => b.bucket.split("-").reverse().slice(0, 2).join("/"));
    const datasets = stats.by_category.map((c, i) => ({
      label: categoryNames[c.code],
      data: stats.by_time.map((b) => b.by_category[c.code] || 0),
      backgroundColor: palette[i % palette.length],
      stack: "all",
    }));
    new Chart(document.getElementById("chart-time"), {
      type: "bar",
      data: { labels: buckets, datasets: datasets },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
                 plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } },
    });
  }

  function shortName(name) {
    return (name || "Chưa xác định").replace(/ khu vực /i, " ").replace(/^Bàn điều phối .*IOC\)$/, "Bàn điều phối IOC");
  }

  function barChart(id, items, color) {
    const top = items.slice(0, 12);
    new Chart(document.getElementById(id), {
      type: "bar",
      data: { labels: top.map((d) => shortName(d.name)),
              datasets: [{ label: "Số phản ánh", data: top.map((d) => d.count), backgroundColor: color },
                         { label: "Quá hạn chưa xử lý", data: top.map((d) => d.overdue_open), backgroundColor: "#c92a2a" }] },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false, font: { size: 11 } } } },
                 plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } },
    });
  }

  function medianChart() {
    const rows = stats.by_department.filter((d) => d.median_resolution_hours !== null)
      .sort((a, b) => b.median_resolution_hours - a.median_resolution_hours || a.code.localeCompare(b.code))
      .slice(0, 12);
    const hours = (h) => h.toLocaleString("vi-VN", { maximumFractionDigits: 1 }) + " giờ";
    new Chart(document.getElementById("chart-median"), {
      type: "bar",
      data: { labels: rows.map((d) => shortName(d.name)),
              datasets: [{ label: "Thời gian xử lý trung vị (giờ)", data: rows.map((d) => d.median_resolution_hours),
                           backgroundColor: "#ae3ec9" }] },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, title: { display: true, text: "Giờ" } },
                                           y: { ticks: { autoSkip: false, font: { size: 11 } } } },
                 plugins: { legend: { display: false },
                            tooltip: { callbacks: { label: (c) => hours(c.raw) + " · " + rows[c.dataIndex].resolved + " phản ánh đã xử lý" } } } },
    });
  }

  function csatChart() {
    const scores = ["1", "2", "3", "4", "5"];
    new Chart(document.getElementById("chart-csat"), {
      type: "bar",
      data: { labels: scores.map((s) => s + " sao"),
              datasets: [{ label: "Lượt đánh giá", data: scores.map((s) => stats.csat_distribution[s] || 0),
                           backgroundColor: ["#c92a2a", "#e8590c", "#f08c00", "#74b816", "#2f9e44"] }] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
    });
  }

  function channelChart() {
    new Chart(document.getElementById("chart-channel"), {
      type: "doughnut",
      data: { labels: stats.channels.map((c) => labels.channels[c.channel] || c.channel),
              datasets: [{ data: stats.channels.map((c) => c.count), backgroundColor: palette }] },
      options: { plugins: { legend: { position: "bottom" } } },
    });
  }

  timeChart();
  barChart("chart-unit", stats.by_unit, "#1f6feb");
  barChart("chart-department", stats.by_department, "#0c8599");
  medianChart();
  csatChart();
  channelChart();
  document.body.dataset.chartsReady = "true";
})();
