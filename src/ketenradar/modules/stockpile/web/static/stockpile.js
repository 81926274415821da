// Stockpile page: the scenario editor (the default scenario's fields or a YAML/JSON document),
// the "computing…" state while the plan is computed (the form is a GET: the next page is the
// plan), the fan chart and the service-level curve (plotly, from the page's JSON; the tables
// below them hold the same figures), and saving or deleting a scenario
// (/api/v1/saved/stockpile_scenario, with the CSRF token of the page).
(function () {
  "use strict";
  const form = document.getElementById("stockpile-form");
  if (!form) {
    return;
  }

  // the two ways to fill the form, and "computing…" (static/ketenradar.js)
  window.ketenradar.formModes(form, "default");
  window.ketenradar.computingState(
    form,
    document.getElementById("stockpile-status"),
    document.getElementById("stockpile-run")
  );

  // --- downloads: the boxes POST the body of the plan on screen (static/downloads.js) ----
  const bodyEl = document.getElementById("stockpile-body");
  if (bodyEl) {
    document.querySelectorAll(".downloads[data-post]").forEach((box) => {
      box.dataset.body = bodyEl.textContent;
    });
  }

  // --- charts ---------------------------------------------------------------------------
  const dataEl = document.getElementById("stockpile-charts-data");
  if (dataEl && typeof Plotly !== "undefined") {
    const data = JSON.parse(dataEl.textContent);
    const fan = document.getElementById("stockpile-fan-chart");
    const text = fan.dataset;
    const pcts = data.percentiles.slice().sort((a, b) => Number(a) - Number(b));
    const x = data.months;
    const layout = (xTitle, yTitle) => ({
      separators: ketenradar.plotlySeparators(),
      xaxis: { title: { text: xTitle }, rangemode: "tozero" },
      yaxis: { title: { text: yTitle }, rangemode: "tozero", tickformat: ",.3~s" },
      legend: { orientation: "h", y: 1.15 },
      margin: { t: 40, r: 10 },
      height: 420,
    });
    // a series' percentile bands (outermost first) and its median, in one colour
    const bands = (series, name, rgb) => {
      const traces = [];
      const n = pcts.length;
      for (let i = 0; i < Math.floor(n / 2); i += 1) {
        const lo = pcts[i];
        const hi = pcts[n - 1 - i];
        const alpha = 0.15 + 0.15 * i;
        traces.push({
          x: x,
          y: series[lo],
          mode: "lines",
          line: { width: 0 },
          hoverinfo: "skip",
          showlegend: false,
        });
        traces.push({
          x: x,
          y: series[hi],
          mode: "lines",
          line: { width: 0 },
          fill: "tonexty",
          fillcolor: `rgba(${rgb},${alpha})`,
          name: `${name}: ${text.band} P${lo}–P${hi}`,
          hovertemplate: `P${hi}: %{y:,.3~f}<extra>${name}</extra>`,
        });
      }
      const mid = pcts.find((p) => Number(p) === 50);
      if (mid !== undefined) {
        traces.push({
          x: x,
          y: series[mid],
          mode: "lines",
          line: { color: `rgb(${rgb})`, width: 2 },
          name: `${name}: ${text.median}`,
          hovertemplate: `${text.median}: %{y:,.3~f}<extra>${name}</extra>`,
        });
      }
      return traces;
    };
    const meanLine = (y, name, rgb) => ({
      x: x,
      y: y,
      mode: "lines",
      line: { color: `rgb(${rgb})`, width: 1.5, dash: "dot" },
      name: `${name}: ${text.mean}`,
      hovertemplate: `${text.mean}: %{y:,.3~f}<extra>${name}</extra>`,
    });
    const blue = "74,111,165";
    const orange = "224,160,48";
    Plotly.newPlot(
      fan,
      [
        ...bands(data.shortfall, text.without, blue),
        meanLine(data.mean_shortfall, text.without, blue),
        ...bands(data.unserved, text.with, orange),
        meanLine(data.mean_unserved, text.with, orange),
      ],
      layout(text.month, text.tonnes),
      { displaylogo: false, responsive: true }
    );
    fan.dataset.drawn = String(x.length);

    const curve = document.getElementById("stockpile-curve-chart");
    if (curve && data.curve && data.curve.length) {
      Plotly.newPlot(
        curve,
        [
          {
            x: data.curve.map((r) => r.service_level),
            y: data.curve.map((r) => r.stock_t),
            mode: "lines+markers",
            line: { color: `rgb(${blue})` },
            name: curve.dataset.stock,
            hovertemplate: "%{x:.1%}: %{y:,.3~f} t<extra></extra>",
          },
        ],
        Object.assign(layout(curve.dataset.level, curve.dataset.stock), {
          xaxis: { title: { text: curve.dataset.level }, tickformat: ".0%" },
          showlegend: false,
        }),
        { displaylogo: false, responsive: true }
      );
      curve.dataset.drawn = String(data.curve.length);
    }
  }

  // --- saved scenarios ------------------------------------------------------------------
  const saveForm = document.getElementById("stockpile-save");
  const savedStatus = document.getElementById("stockpile-saved-status");
  if (saveForm) {
    const doc = JSON.parse(document.getElementById("stockpile-scenario-doc").textContent);
    const saveStatus = document.getElementById("stockpile-save-status");
    saveForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const name = saveForm.elements.name.value.trim();
      ketenradar
        .postJSON("/api/v1/saved/stockpile_scenario", {
          name: name,
          body: JSON.stringify(Object.assign({}, doc, { name: name }), null, 2),
          private: saveForm.elements.private.checked,
        })
        .then((res) => {
          if (!res.ok) {
            saveStatus.textContent = ketenradar.refusal(res);
            return;
          }
          const a = document.createElement("a");
          a.href = saveStatus.dataset.open + res.data.id + "#stockpile-scenario";
          a.textContent = `#${res.data.id}`;
          saveStatus.replaceChildren(`${saveStatus.dataset.saved} `, a);
          saveStatus.dataset.id = String(res.data.id);
        })
        .catch((err) => {
          saveStatus.textContent = String(err);
        });
    });
  }
  document.querySelectorAll(".stockpile-delete").forEach((button) => {
    button.addEventListener("click", () => {
      const token = document.querySelector("meta[name=csrf-token]").content;
      fetch(`/api/v1/saved/stockpile_scenario/${button.dataset.id}`, {
        method: "DELETE",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": token },
      })
        .then((r) => {
          if (r.ok) {
            button.closest("li").remove();
            return;
          }
          return ketenradar.reply(r).then((res) => {
            savedStatus.textContent = ketenradar.refusal(res);
          });
        })
        .catch((err) => {
          savedStatus.textContent = String(err);
        });
    });
  });
})();
