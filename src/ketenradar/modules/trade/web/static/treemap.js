// Treemap page: an economy's imports in a year, by product (each split by supplier) or by
// supplier (each split by product). Reads /api/v1/treemap (nodes whose values add up) and draws
// with the plotly.js served at /vendor; the table below holds the largest blocks as text.
(function () {
  "use strict";
  const el = document.getElementById("treemap-chart");
  ketenradar.drawFromApi(el, (data) => {
    const nodes = data.nodes;
    Plotly.newPlot(
      el,
      [
        {
          type: "treemap",
          branchvalues: "total",
          ids: nodes.map((n) => n.id),
          labels: nodes.map((n) => n.label),
          parents: nodes.map((n) => n.parent),
          values: nodes.map((n) => n.value),
          maxdepth: 2,
          textinfo: "label+percent root",
          hovertemplate: "<b>%{label}</b><br>%{value:,.0f} k USD<br>%{percentRoot:.1%}<extra></extra>",
        },
      ],
      {
        title: { text: el.dataset.title, font: { size: 14 } },
        margin: { t: 40, l: 5, r: 5, b: 5 },
        separators: ketenradar.plotlySeparators(),
        height: 560,
      },
      { displaylogo: false, responsive: true }
    );
    el.dataset.drawn = String(nodes.length);
  });
})();
