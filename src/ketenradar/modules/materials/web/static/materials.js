// EI × SR chart of the materials page: reads /api/v1/materials, draws with the plotly.js
// shipped in the plotly Python package (served from /static/vendor, nothing from other hosts).
(function () {
  "use strict";
  const el = document.getElementById("ei-sr-chart");
  if (!el || typeof Plotly === "undefined") {
    return;
  }
  ketenradar.getJSON("/api/v1/materials").then((data) => {
    const th = data.thresholds;
    const rows = data.criticality.filter((r) => r.sr !== null && r.ei !== null);
    // Each point is one material at one stage, coloured by that stage's own result (EI and
    // the stage's SR above both thresholds): a material critical through its other stage
    // does not paint a point below SR = 1 red.
    const stageCritical = (r) => r.ei >= th.ei - 1e-9 && r.sr >= th.sr - 1e-9;
    // each point named as the table below names it (material and stage in the page's language)
    const shown = {};
    document.querySelectorAll("#criticality tbody tr[data-material]").forEach((tr) => {
      const [material, stage] = tr.cells;
      shown[`${tr.dataset.material}|${tr.dataset.stage}`] =
        `${material.textContent.trim()} (${stage.textContent.trim()})`;
    });
    const label = (r) => shown[`${r.material}|${r.stage || ""}`] || `${r.name} (${r.stage})`;
    const trace = (critical, name, color) => {
      const sel = rows.filter((r) => stageCritical(r) === critical);
      return {
        type: "scatter",
        mode: "markers",
        name: name,
        x: sel.map((r) => r.ei),
        y: sel.map((r) => r.sr),
        text: sel.map(label),
        hovertemplate: "%{text}<br>EI %{x:.2f}, SR %{y:.2f}<extra></extra>",
        marker: { color: color, size: 8 },
      };
    };
    const maxX = Math.max(...rows.map((r) => r.ei), th.ei) * 1.05;
    const maxY = Math.max(...rows.map((r) => r.sr), th.sr) * 1.05;
    Plotly.newPlot(
      el,
      [trace(true, el.dataset.critical, "#b42318"), trace(false, el.dataset.other, "#4a6fa5")],
      {
        xaxis: { title: { text: "EI" }, range: [0, maxX] },
        yaxis: { title: { text: "SR" }, range: [0, maxY] },
        shapes: [
          { type: "line", x0: th.ei, x1: th.ei, y0: 0, y1: maxY, line: { dash: "dash" } },
          { type: "line", x0: 0, x1: maxX, y0: th.sr, y1: th.sr, line: { dash: "dash" } },
        ],
        margin: { t: 20 },
        separators: ketenradar.plotlySeparators(), // EI 1,23 on Dutch pages
        height: 480,
      },
      { displaylogo: false, responsive: true }
    );
    el.dataset.drawn = String(rows.length);
  });
})();
