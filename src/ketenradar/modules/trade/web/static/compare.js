// Comparison page: external imports of one product or material per economy (EU27 and each
// member) as horizontal bars, dependent economies (EU 2021) in red. Reads the page's JSON API
// (/api/v1/compare) and draws with the plotly.js served at /vendor; the table below the chart
// holds the same numbers as text.
(function () {
  "use strict";
  const el = document.getElementById("compare-chart");
  ketenradar.drawFromApi(el, (data) => {
    // the members only (the EU27 is their sum and would flatten the bars), largest on top
    const rows = data.rows
      .filter((r) => r.importer !== "EU27")
      .sort((a, b) => (a.external_imports_kusd || 0) - (b.external_imports_kusd || 0));
    const dependent = (r) =>
      data.kind === "material" ? r.dependent_eu2021 > 0 : r.dependent_eu2021 === true;
    Plotly.newPlot(
      el,
      [
        {
          type: "bar",
          orientation: "h",
          y: rows.map((r) => r.name),
          x: rows.map((r) => r.external_imports_kusd || 0),
          marker: { color: rows.map((r) => (dependent(r) ? "#b5443a" : "#4a6fa5")) },
          customdata: rows.map((r) => [r.external_share, dependent(r) ? el.dataset.labelDependent : ""]),
          hovertemplate: `%{y}: %{x:,.0f} k USD<br>${el.dataset.labelShare}: %{customdata[0]:.0%}<br>%{customdata[1]}<extra></extra>`,
        },
      ],
      {
        xaxis: { title: { text: el.dataset.labelValue }, tickformat: ",.0f" },
        yaxis: { automargin: true },
        margin: { t: 20, b: 50 },
        separators: ketenradar.plotlySeparators(),
        height: Math.max(380, 18 * rows.length + 90),
      },
      { displaylogo: false, responsive: true }
    );
    el.dataset.drawn = String(rows.length);
    el.dataset.dependent = String(rows.filter(dependent).length);
  });
})();
