// Industry speelveldtoets page: the cost stack per country as stacked bars (plotly, from the
// page's JSON; the table below holds the same figures). The indirect cost compensation is a
// negative bar below zero; the total is marked on each bar.
(function () {
  "use strict";
  const dataEl = document.getElementById("industry-costs-chart-data");
  const chart = document.getElementById("industry-costs-chart");
  if (!dataEl || !chart || typeof Plotly === "undefined") {
    return;
  }
  const data = JSON.parse(dataEl.textContent);
  const text = chart.dataset;
  const traces = data.series.map((s, i) => ({
    type: "bar",
    name: data.names[i],
    x: data.countries,
    y: s.values,
    marker: { color: s.colour },
    hovertemplate: `%{fullData.name}<br>%{x}: %{y:,.1f} ${text.axis}<extra></extra>`,
  }));
  traces.push({
    type: "scatter",
    mode: "markers",
    name: text.total,
    x: data.countries,
    y: data.totals,
    marker: { symbol: "diamond", size: 12, color: "#000" },
    hovertemplate: `${text.total}<br>%{x}: %{y:,.1f} ${text.axis}<extra></extra>`,
  });
  const layout = {
    barmode: "relative",
    separators: ketenradar.plotlySeparators(),
    yaxis: { title: { text: text.axis } },
    legend: { orientation: "h", y: -0.2 },
    margin: { t: 20, r: 10 },
    height: 460,
    hovermode: "closest",
  };
  Plotly.react(chart, traces, layout, { displaylogo: false, responsive: true });
  chart.dataset.drawn = String(traces.length);
})();
