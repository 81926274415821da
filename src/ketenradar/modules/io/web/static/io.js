// Input-output page: the exposure chart (from /api/v1/io/industries, drawn with the plotly.js
// served at /vendor) and the shock form, whose result appears without a page reload
// (POST /api/v1/io/shock with the CSRF token from the page's meta tag).
(function () {
  "use strict";
  const locale = ketenradar.locale();
  const musd = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 });
  const fmt = (f, v) => (v === null || v === undefined ? "–" : f.format(v));

  // --- exposure chart --------------------------------------------------------------------
  const chart = document.getElementById("io-chart");
  if (chart && typeof Plotly !== "undefined") {
    ketenradar.getJSON(chart.dataset.url).then((data) => {
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
          separators: ketenradar.plotlySeparators(), // 12,5% on Dutch pages
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

  // loss by industry: the industries hit hardest as horizontal bars (the table below the
  // chart lists every industry with the same figures: the chart's text alternative)
  const drawLoss = (box, data) => {
    const rows = data.rows
      .filter((r) => r.industry !== "TOTAL" && r.output_loss_musd > 0)
      .slice(0, data.chart.top)
      .reverse(); // plotly draws the first category at the bottom
    box.setAttribute("aria-label", data.chart.description);
    const multi = new Set(rows.map((r) => r.region)).size > 1;
    const label = (r) => (multi ? `${r.region} ${r.industry}` : r.industry);
    if (typeof Plotly === "undefined" || rows.length === 0) {
      return;
    }
    Plotly.newPlot(
      box,
      [
        {
          type: "bar",
          orientation: "h",
          x: rows.map((r) => r.output_loss_musd),
          y: rows.map(label),
          customdata: rows.map((r) => [r.industry_name, r.output_loss_share]),
          hovertemplate:
            "%{y} %{customdata[0]}<br>%{x:,.1f} (%{customdata[1]:.1%})<extra></extra>",
          marker: { color: rows.map((r) => (r.output_loss_capped ? "#b03a2e" : "#4a6fa5")) },
        },
      ],
      {
        separators: ketenradar.plotlySeparators(),
        xaxis: { rangemode: "tozero", tickformat: ",.0f", automargin: true },
        yaxis: { type: "category", automargin: true },
        margin: { t: 10, r: 10, b: 40 },
        height: 120 + 22 * rows.length,
      },
      { displaylogo: false, responsive: true }
    );
    box.dataset.drawn = String(rows.length);
  };

  // body: the shock as it was POSTed; the result's downloads POST it again (static/downloads.js)
  const render = (data, body) => {
    const frag = template.content.cloneNode(true);
    frag.querySelector(".downloads[data-post]").dataset.body = JSON.stringify(body);
    frag.querySelector(".shock-title").textContent = data.title;
    frag.querySelector(".shock-chart-title").textContent = data.chart.title;
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
      cell(tr, fmt(musd, r.output_loss_musd) + (r.output_loss_capped ? " ⚠" : ""), true);
      if (r.output_loss_capped && r.industry !== "TOTAL") {
        tr.dataset.capped = "true";
        tr.title = template.dataset.capped;
      }
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
    const notes = frag.querySelector(".prov-notes");
    data.notes.forEach((n) => {
      const li = document.createElement("li");
      li.textContent = n;
      notes.appendChild(li);
    });
    frag.querySelector(".prov-command").textContent = prov.command;
    result.replaceChildren(frag);
    drawLoss(result.querySelector(".shock-chart"), data);
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
      lang: document.documentElement.lang === "nl" ? "nl" : "en",
    };
    error.hidden = true;
    running.hidden = false;
    delete result.dataset.done;
    ketenradar
      .postJSON("/api/v1/io/shock", body)
      .then((res) => {
        running.hidden = true;
        if (!res.ok) {
          result.replaceChildren();
          showError(ketenradar.refusal(res));
          return;
        }
        render(res.data, body);
      })
      .catch((e) => {
        running.hidden = true;
        showError(String(e));
      });
  });
})();

// Fresh install (admins): load the OECD ICIO table from a server folder as a background job
// (POST /api/v1/io/load), draw its progress from GET /api/v1/jobs/{id}, and reload the page
// once it is done so the shock form appears.
(function () {
  "use strict";
  const form = document.getElementById("io-load-form");
  if (!form) return;
  const box = document.getElementById("io-load-job");
  const step = document.getElementById("io-load-step");
  const state = document.getElementById("io-load-state");
  const bar = document.getElementById("io-load-progress");
  const error = document.getElementById("io-load-error");
  const button = document.getElementById("io-load-button");
  const input = form.elements.folder;
  const label = (s) => box.dataset["label" + s.charAt(0).toUpperCase() + s.slice(1)] || s;

  input.addEventListener("input", () => {
    button.textContent = button.dataset.label.replace("{folder}", input.value.trim() || "…");
  });

  function show(job) {
    box.hidden = false;
    box.dataset.state = job.state;
    step.textContent = job.step || "";
    state.textContent = label(job.state);
    if (job.total) {
      bar.max = job.total;
      bar.value = job.done;
    } else {
      bar.removeAttribute("value");
    }
    error.textContent = job.error || "";
    if (job.state === "done") {
      bar.max = 1;
      bar.value = 1;
      setTimeout(() => location.reload(), 600);
    }
    button.disabled = job.state === "queued" || job.state === "running";
  }

  async function poll(id) {
    const { ok, data: job } = await ketenradar.getReply("/api/v1/jobs/" + id);
    if (!ok) {
      error.textContent = job.detail;
      button.disabled = false;
      return;
    }
    show(job);
    if (job.state === "queued" || job.state === "running") setTimeout(() => poll(id), 400);
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    button.disabled = true;
    try {
      const { ok, data } = await ketenradar.postJSON(form.dataset.endpoint, {
        folder: input.value.trim(),
      });
      if (!ok) {
        box.hidden = false;
        box.dataset.state = "refused";
        state.textContent = "";
        step.textContent = "";
        error.textContent = data.detail;
        button.disabled = false;
        return;
      }
      show(data);
      poll(data.id);
    } catch (exc) {
      box.hidden = false;
      error.textContent = String(exc);
      button.disabled = false;
    }
  });
})();
