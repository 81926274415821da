// Kansenkaart demand page: the programme editor (a preset's fields or a YAML/JSON document;
// only the chosen one is shown and sent), the "computing…" state while the demand is computed
// (the form is a GET: the next page is the result), and the stacked bar chart per year, one
// colour per work package (plotly, from the page's JSON; the table below holds the same
// figures), switched between money and site labour hours.
(function () {
  "use strict";
  const form = document.getElementById("kansenkaart-form");
  if (!form) {
    return;
  }

  // the two ways to fill the form, and "computing…" (static/ketenradar.js)
  window.ketenradar.formModes(form, "preset");
  window.ketenradar.computingState(
    form,
    document.getElementById("kansenkaart-status"),
    document.getElementById("kansenkaart-run")
  );

  // --- the stacked chart ----------------------------------------------------------------
  const dataEl = document.getElementById("kansenkaart-chart-data");
  const chart = document.getElementById("kansenkaart-chart");
  if (!dataEl || !chart || typeof Plotly === "undefined") {
    return;
  }
  const data = JSON.parse(dataEl.textContent);
  const text = chart.dataset;
  const draw = (measure) => {
    const hours = measure === "hours";
    const unit = hours ? text.hoursShort : text.moneyShort;
    const fmt = hours ? ",.0f" : ",.1f";
    const traces = data.series.map((s) => ({
      type: "bar",
      name: s.name,
      x: data.years,
      y: hours ? s.hours : s.money,
      marker: { color: s.colour },
      customdata: data.years.map(() => s.id),
      hovertemplate: `%{fullData.name}<br>${text.year} %{x}: %{y:${fmt}} ${unit}<extra></extra>`,
    }));
    const layout = {
      barmode: "stack",
      separators: ketenradar.plotlySeparators(),
      xaxis: { title: { text: text.year }, type: "category" },
      yaxis: { title: { text: hours ? text.hours : text.money }, tickformat: ",.3~s" },
      legend: { orientation: "h", y: -0.2 },
      margin: { t: 20, r: 10 },
      height: 520,
      hovermode: "closest",
    };
    if (!hours) {
      layout.yaxis.tickformat = ",~r";
    }
    Plotly.react(chart, traces, layout, { displaylogo: false, responsive: true });
    chart.dataset.drawn = String(traces.length);
    chart.dataset.measure = measure;
  };
  draw("money");
  document.querySelectorAll("#kansenkaart-measure input[name=measure]").forEach((r) =>
    r.addEventListener("change", () => draw(r.value))
  );
})();
