// Product page: the indicators over the years against the EU 2021 thresholds, and the supplier
// shares over time as a stacked area. Both read the page's JSON API (/api/v1/products/{hs6})
// and draw with the plotly.js served at /vendor; nothing comes from another host.
(function () {
  "use strict";
  const indicators = document.getElementById("product-indicators-chart");
  const suppliers = document.getElementById("product-suppliers-chart");
  const config = { displaylogo: false, responsive: true };
  // plotly's own number formats (axes, hover) with the page's separators: 0,5 on Dutch pages
  const separators = ketenradar.plotlySeparators();
  // supplier bands: nine distinct colours (Tableau 10 without its grey, which is "other"'s);
  // a supplier beyond the ninth folds into "other", so no two bands share a colour
  const COLORS = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
  ];
  const OTHER_COLOR = "#c8c8c8";

  function drawIndicators(data) {
    const d = indicators.dataset;
    const rows = data.indicators;
    const years = rows.map((r) => r.year);
    const line = (key, name, color, dash) => ({
      type: "scatter",
      mode: "lines+markers",
      name: name,
      x: years,
      y: rows.map((r) => r[key]),
      line: { color: color, dash: dash || "solid" },
      marker: { size: 5 },
      hovertemplate: `${name} %{x}: %{y:.2f}<extra></extra>`,
    });
    const first = years[0];
    const last = years[years.length - 1];
    const threshold = (value, name, color) => ({
      type: "line",
      xref: "x",
      yref: "y",
      x0: first - 0.5,
      x1: last + 0.5,
      y0: value,
      y1: value,
      line: { color: color, dash: "dot", width: 1.5 },
      name: name,
    });
    // shade the years the product is dependent under the EU 2021 method
    const shapes = rows
      .filter((r) => r.dependent_eu2021)
      .map((r) => ({
        type: "rect",
        xref: "x",
        yref: "paper",
        x0: r.year - 0.5,
        x1: r.year + 0.5,
        y0: 0,
        y1: 1,
        fillcolor: "#b5443a",
        opacity: 0.08,
        line: { width: 0 },
        layer: "below",
      }));
    shapes.push(threshold(Number(d.hhiThreshold), d.labelThreshold, "#4a6fa5"));
    shapes.push(threshold(Number(d.shareThreshold), d.labelThreshold, "#e0a030"));
    Plotly.newPlot(
      indicators,
      [
        line("supplier_hhi", d.labelSupplierHhi, "#4a6fa5"),
        line("external_share", d.labelExternalShare, "#e0a030"),
        line("top_supplier_share", d.labelTopShare, "#5b9a68"),
        line("world_export_hhi", d.labelWorldHhi, "#7a7a7a", "dash"),
      ],
      {
        shapes: shapes,
        xaxis: { dtick: 5, range: [first - 0.5, last + 0.5] },
        yaxis: { range: [0, 1.05], tickformat: ".1f" },
        legend: { orientation: "h", y: 1.15 },
        margin: { t: 40, b: 40 },
        separators: separators,
        height: 380,
      },
      config
    );
    indicators.dataset.drawn = String(rows.length);
    indicators.dataset.dependentYears = String(shapes.length - 2);
  }

  function drawSuppliers(data) {
    if (!suppliers) {
      return;
    }
    const d = suppliers.dataset;
    const rows = data.suppliers;
    const years = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b);
    // a supplier gets its own band when it was among the three largest in some year
    const top = new Set();
    for (const y of years) {
      rows
        .filter((r) => r.year === y && r.supplier !== "other")
        .sort((a, b) => b.share - a.share)
        .slice(0, 3)
        .forEach((r) => top.add(r.supplier));
    }
    const total = (name) =>
      rows.filter((r) => r.supplier === name).reduce((s, r) => s + r.value_kusd, 0);
    const named = [...top].sort((a, b) => total(b) - total(a)).slice(0, COLORS.length);
    const shown = new Set(named);
    const share = new Map();
    for (const r of rows) {
      const band = shown.has(r.supplier) ? r.supplier : d.labelOther;
      const key = `${band}|${r.year}`;
      share.set(key, (share.get(key) || 0) + r.share);
    }
    const internal = new Set(rows.filter((r) => r.external === false).map((r) => r.supplier));
    const bands = [...named, d.labelOther];
    const traces = bands.map((band, i) => ({
      type: "scatter",
      mode: "lines",
      stackgroup: "shares",
      name: internal.has(band) ? `${band} (${d.labelInternal})` : band,
      x: years,
      y: years.map((y) => share.get(`${band}|${y}`) || 0),
      line: { width: 0.5, color: band === d.labelOther ? OTHER_COLOR : COLORS[i] },
      fillcolor: band === d.labelOther ? OTHER_COLOR : COLORS[i],
      hovertemplate: `${band} %{x}: %{y:.1%}<extra></extra>`,
    }));
    Plotly.newPlot(
      suppliers,
      traces,
      {
        xaxis: { dtick: 5 },
        yaxis: { tickformat: ".0%", range: [0, 1], title: { text: d.labelShare } },
        legend: { orientation: "h", y: 1.15 },
        margin: { t: 40, b: 40 },
        separators: separators,
        height: 380,
      },
      config
    );
    suppliers.dataset.drawn = String(traces.length);
    suppliers.dataset.bands = bands.join(",");
    suppliers.dataset.colors = traces.map((t) => t.fillcolor).join(",");
  }

  ketenradar.drawFromApi(indicators, (data) => {
    drawIndicators(data);
    drawSuppliers(data);
  });
})();
