// Charts of the material page (supply concentration over the years) and the BOM page (the
// system's exposure by supplying country). Each reads the numbers its page embeds as JSON
// (<script type="application/json">, not executed) and draws with the plotly.js served at
// /vendor; the tables next to the charts hold the same numbers as text.
(function () {
  "use strict";
  if (typeof Plotly === "undefined") {
    return;
  }
  const separators = ketenradar.plotlySeparators();
  const config = { displaylogo: false, responsive: true };
  const COLORS = ["#4a6fa5", "#e0a030", "#b5443a", "#5b9a68", "#8a6bb0", "#3a9bb5"];

  function embedded(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // material page: the top country's share (solid) and the HHI (dotted) per stage and source
  function drawConcentration(el) {
    const rows = embedded("material-concentration-data") || [];
    const labels = embedded("material-concentration-labels") || {};
    const series = new Map();
    for (const r of rows) {
      const key = `${r.stage}|${r.basis}`;
      if (!series.has(key)) {
        series.set(key, []);
      }
      series.get(key).push(r);
    }
    const traces = [];
    let i = 0;
    for (const [key, list] of series) {
      list.sort((a, b) => a.year - b.year);
      const [stage, basis] = key.split("|");
      const name = `${labels[stage] || stage}, ${labels[basis] || basis}`;
      const color = COLORS[i % COLORS.length];
      const mode = list.length > 1 ? "lines+markers" : "markers";
      traces.push({
        type: "scatter",
        mode: mode,
        name: `${name}: ${el.dataset.labelTopShare}`,
        x: list.map((r) => r.year),
        y: list.map((r) => r.top_share),
        text: list.map((r) => labels[r.top_country] || r.top_country || ""), // the country's name
        line: { color: color },
        marker: { size: 8, color: color },
        hovertemplate: `${name} %{x}: %{text} %{y:.0%}<extra></extra>`,
      });
      traces.push({
        type: "scatter",
        mode: mode,
        name: `${name}: HHI`,
        x: list.map((r) => r.year),
        y: list.map((r) => r.hhi),
        line: { color: color, dash: "dot" },
        marker: { size: 8, color: color, symbol: "diamond-open" },
        hovertemplate: `${name} %{x}: HHI %{y:.2f}<extra></extra>`,
      });
      i += 1;
    }
    const years = rows.map((r) => r.year);
    Plotly.newPlot(
      el,
      traces,
      {
        xaxis: { dtick: 1, range: [Math.min(...years) - 0.5, Math.max(...years) + 0.5] },
        yaxis: { range: [0, 1.05], tickformat: ".1f", title: { text: el.dataset.labelAxis } },
        shapes: [
          {
            type: "line",
            xref: "paper",
            x0: 0,
            x1: 1,
            y0: 0.65,
            y1: 0.65,
            line: { color: "#9b1c1c", dash: "dash", width: 1 },
          },
        ],
        legend: { orientation: "h", y: -0.2 },
        margin: { t: 20, b: 40 },
        separators: separators,
        height: 420,
      },
      config
    );
    el.dataset.drawn = String(traces.length);
  }

  // BOM page: the share of the system (by mass or value) exposed to each supplying country
  function drawExposure(el) {
    const rows = (embedded("bom-countries-data") || []).slice(0, 15).reverse();
    Plotly.newPlot(
      el,
      [
        {
          type: "bar",
          orientation: "h",
          name: el.dataset.labelAll,
          y: rows.map((r) => r.label || r.country),
          x: rows.map((r) => r.exposure_all),
          marker: { color: "#4a6fa5" },
          hovertemplate: `%{y}: %{x:.1%}<extra>${el.dataset.labelAll}</extra>`,
        },
        {
          type: "bar",
          orientation: "h",
          name: el.dataset.labelCritical,
          y: rows.map((r) => r.label || r.country),
          x: rows.map((r) => r.exposure_critical),
          marker: { color: "#b5443a" },
          hovertemplate: `%{y}: %{x:.1%}<extra>${el.dataset.labelCritical}</extra>`,
        },
      ],
      {
        barmode: "group",
        xaxis: { tickformat: ".0%", title: { text: el.dataset.labelAxis } },
        yaxis: { automargin: true },
        legend: { orientation: "h", y: 1.1 },
        margin: { t: 30, b: 50 },
        separators: separators,
        height: Math.max(320, 34 * rows.length + 100),
      },
      config
    );
    el.dataset.drawn = String(rows.length);
  }

  const concentration = document.getElementById("material-concentration-chart");
  if (concentration) {
    drawConcentration(concentration);
  }
  const exposure = document.getElementById("bom-exposure-chart");
  if (exposure) {
    drawExposure(exposure);
  }
})();
