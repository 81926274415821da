// Input-output page: the exposure chart (from /api/v1/io/industries, drawn with the plotly.js
// served at /vendor) and the shock form, whose result appears without a page reload
// (POST /api/v1/io/shock with the CSRF token from the page's meta tag).
(function () {
  "use strict";
  const locale = document.documentElement.lang === "nl" ? "nl-NL" : "en-GB";
  const musd = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 });
  const fmt = (f, v) => (v === null || v === undefined ? "–" : f.format(v));

  // --- exposure chart --------------------------------------------------------------------
  const chart = document.getElementById("io-chart");
  if (chart && typeof Plotly !== "undefined") {
    fetch(chart.dataset.url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        const rows = data.rows.filter((r) => r.output_musd > 0 && r.foreign_input_share !== null);
        const multi = new Set(rows.map((r) => r.region)).size > 1;
        const label = (r) => (multi ? `${r.region} ${r.industry}` : r.industry);
        rows.sort((a, b) => b.foreign_input_share - a.foreign_input_share);
        const order = rows.map(label);
        const bars = (kind, name, color) => {
          const sel = rows.filter((r) => r.kind === kind);
          return {
            type: "bar",
            name: name,
            x: sel.map(label),
            y: sel.map((r) => r.foreign_input_share),
            customdata: sel.map((r) => r.industry_name),
            hovertemplate: "%{x} %{customdata}<br>%{y:.1%}<extra></extra>",
            marker: { color: color },
          };
        };
        const va = {
          type: "scatter",
          mode: "markers",
          name: chart.dataset.va,
          x: rows.map(label),
          y: rows.map((r) => r.foreign_va_content),
          hovertemplate: "%{x}<br>%{y:.1%}<extra></extra>",
          marker: { color: "#1d2733", symbol: "diamond", size: 7 },
        };
        Plotly.newPlot(
          chart,
          [
            bars("goods", `${chart.dataset.direct} — ${chart.dataset.goods}`, "#4a6fa5"),
            bars("services", `${chart.dataset.direct} — ${chart.dataset.services}`, "#e0a030"),
            va,
          ],
          {
            barmode: "overlay",
            separators: locale === "nl-NL" ? ",." : ".,", // 12,5% on Dutch pages
            xaxis: { type: "category", categoryorder: "array", categoryarray: order },
            yaxis: { tickformat: ".0%", rangemode: "tozero" },
            legend: { orientation: "h", y: 1.12 },
            margin: { t: 40, b: 80 },
            height: 460,
          },
          { displaylogo: false, responsive: true }
        );
        chart.dataset.drawn = String(rows.length);
      });
  }

  // --- shock form ------------------------------------------------------------------------
  const form = document.getElementById("shock-form");
  if (!form) {
    return;
  }
  const result = document.getElementById("shock-result");
  const error = document.getElementById("shock-error");
  const running = document.getElementById("shock-running");
  const template = document.getElementById("shock-template");
  const token = () => document.querySelector("meta[name=csrf-token]").content;

  const showError = (message) => {
    error.textContent = message;
    error.hidden = false;
  };

  const cell = (tr, text, num) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (num) {
      td.className = "num";
    }
    tr.appendChild(td);
  };

  const render = (data) => {
    const frag = template.content.cloneNode(true);
    frag.querySelector(".shock-title").textContent =
      `${data.scenario} (${data.model}) — ${data.economy} ${data.year}`;
    const tbody = frag.querySelector("tbody");
    data.rows.forEach((r) => {
      const tr = document.createElement("tr");
      tr.dataset.industry = r.industry;
      if (r.industry === "TOTAL") {
        tr.className = "total";
      }
      cell(tr, r.region);
      cell(tr, r.industry);
      cell(tr, r.industry_name);
      cell(tr, fmt(musd, r.output_musd), true);
      cell(tr, fmt(musd, r.output_loss_musd), true);
      cell(tr, fmt(pct, r.output_loss_share), true);
      cell(tr, fmt(musd, r.va_musd), true);
      cell(tr, fmt(musd, r.va_loss_musd), true);
      cell(tr, fmt(pct, r.va_loss_share), true);
      tbody.appendChild(tr);
    });
    const prov = data.provenance;
    const ds = prov.datasets[0];
    frag.querySelector(".prov-table").textContent =
      `${prov.parameters.table} (${prov.parameters.unit}); ${ds.dataset} ${ds.release}, ` +
      `version ${ds.version}; ${ds.licence}`;
    frag.querySelector(".prov-methods").textContent = prov.methods.join("; ");
    frag.querySelector(".prov-notes").textContent = prov.notes.join("; ");
    frag.querySelector(".prov-command").textContent = prov.command;
    result.replaceChildren(frag);
    result.dataset.done = String(data.rows.length);
  };

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const [dataset, year] = String(f.get("table")).split(":");
    const body = {
      economy: String(f.get("economy")).trim(),
      supplier: String(f.get("supplier")).trim(),
      industries: String(f.get("industries"))
        .split(/[\s,;]+/)
        .filter((s) => s.length > 0),
      fall: Number(f.get("fall")) / 100,
      to: f.get("to"),
      model: f.get("model"),
      dataset: dataset,
      year: Number(year),
    };
    error.hidden = true;
    running.hidden = false;
    delete result.dataset.done;
    fetch("/api/v1/io/shock", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token() },
      body: JSON.stringify(body),
    })
      .then((r) => r.json().then((data) => ({ ok: r.ok, status: r.status, data: data })))
      .then(({ ok, status, data }) => {
        running.hidden = true;
        if (!ok) {
          result.replaceChildren();
          showError(`${status}: ${data.detail || JSON.stringify(data)}`);
          return;
        }
        render(data);
      })
      .catch((e) => {
        running.hidden = true;
        showError(String(e));
      });
  });
})();
