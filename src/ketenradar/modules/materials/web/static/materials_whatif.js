// What-if form of the materials page: builds a scenario document from the form (one change,
// or the list of changes added with "Add change"), POSTs it to /api/v1/materials/whatif with
// the CSRF token from the page's meta tag, and shows the result without a page reload: the
// rows that changed, with deltas, the materials whose critical status changes, and the
// scenario's points on the EI × SR chart. Errors (the server's reasons) appear in the page.
(function () {
  "use strict";
  const form = document.getElementById("whatif-form");
  if (!form) {
    return;
  }
  const result = document.getElementById("whatif-result");
  const errors = document.getElementById("whatif-errors");
  const tbody = document.querySelector("#whatif-table tbody");
  const status = document.getElementById("whatif-status");
  const inputsLine = document.getElementById("whatif-inputs");
  const listBox = document.getElementById("whatif-scenario");
  const list = document.getElementById("whatif-changes");
  const runButton = document.getElementById("whatif-run");
  const chart = document.getElementById("ei-sr-chart");
  const text = result.dataset;
  const locale = ketenradar.locale();
  const num = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const signed = new Intl.NumberFormat(locale, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    signDisplay: "exceptZero",
  });
  const fmt = (f, v) => (v === null || v === undefined ? "–" : f.format(v));
  const pending = [];
  let scenarioName = "What-if"; // the name of an opened saved scenario, kept when it runs
  let lastDoc = null; // the scenario of the last successful run: what "save" stores

  // Show only the fields the chosen change type uses (and only those are validated).
  const typeSelect = document.getElementById("whatif-type");
  const showFields = () => {
    const type = typeSelect.value;
    form.querySelectorAll("label[data-for]").forEach((label) => {
      const on = label.dataset.for.split(" ").includes(type);
      label.hidden = !on;
      label.querySelectorAll("input, select").forEach((el) => {
        el.disabled = !on;
      });
    });
  };
  typeSelect.addEventListener("change", showFields);
  const wanted = new URLSearchParams(window.location.search).get("material");
  if (wanted) {
    const select = document.getElementById("whatif-material");
    if ([...select.options].some((o) => o.value === wanted)) {
      select.value = wanted;
    }
  }
  showFields();

  const value = (name) => form.elements[name].value.trim();
  const number = (name) => {
    const v = value(name);
    return v === "" || Number.isNaN(Number(v)) ? v : Number(v);
  };

  // One change as the scenario format writes it: {type: {field: value, ...}}.
  const currentChange = () => {
    const type = typeSelect.value;
    const body = {};
    if (type === "export_restriction") {
      body.material = value("material");
      body.country = value("country");
      body.t = number("t");
    } else if (type === "shift") {
      body.material = value("material");
      body.from = value("from");
      body.to = value("to");
      body.share = number("share");
    } else if (type === "wgi") {
      body.country = value("country");
      body.estimate = number("estimate");
    } else if (type === "recycling") {
      body.material = value("material");
      body.eol_rir = number("eol_rir");
    }
    if ((type === "export_restriction" || type === "shift") && value("stage")) {
      body.stage = value("stage");
    }
    return { [type]: body };
  };

  const describe = (change) => {
    const [type, body] = Object.entries(change)[0];
    const fields = Object.entries(body).map(([k, v]) => `${k}: ${v}`);
    return `${type} {${fields.join(", ")}}`;
  };

  const drawList = () => {
    list.replaceChildren(
      ...pending.map((c) => {
        const li = document.createElement("li");
        li.textContent = describe(c);
        return li;
      })
    );
    listBox.hidden = pending.length === 0;
  };

  document.getElementById("whatif-add").addEventListener("click", () => {
    if (!form.reportValidity()) {
      return;
    }
    pending.push(currentChange());
    drawList();
  });
  document.getElementById("whatif-clear").addEventListener("click", () => {
    pending.length = 0;
    drawList();
  });

  const showError = (message) => {
    errors.textContent = message;
    errors.hidden = false;
  };

  const cell = (tr, content, className) => {
    const td = document.createElement("td");
    if (content instanceof Node) {
      td.appendChild(content);
    } else {
      td.textContent = content;
    }
    if (className) {
      td.className = className;
    }
    tr.appendChild(td);
  };

  const stageName = (stage) =>
    stage === "extraction" ? text.stageExtraction : stage === "processing" ? text.stageProcessing : stage || "";

  const link = (row) => {
    const a = document.createElement("a");
    a.href = text.materialUrl + encodeURIComponent(row.material);
    a.textContent = row.name;
    return a;
  };

  // The scenario's points on the EI × SR chart (replacing those of an earlier run).
  const plotScenario = (rows) => {
    if (!chart || typeof Plotly === "undefined" || !chart.dataset.drawn) {
      return;
    }
    const idx = chart.data.findIndex((t) => t.meta === "whatif");
    if (idx >= 0) {
      Plotly.deleteTraces(chart, idx);
    }
    const pts = rows.filter((r) => r.sr_scenario !== null && r.ei_scenario !== null);
    Plotly.addTraces(chart, {
      type: "scatter",
      mode: "markers",
      meta: "whatif",
      name: text.scenario,
      x: pts.map((r) => r.ei_scenario),
      y: pts.map((r) => r.sr_scenario),
      text: pts.map((r) => `${r.name} (${stageName(r.stage)})`),
      hovertemplate: "%{text}<br>EI %{x:.2f}, SR %{y:.2f}<extra></extra>",
      marker: { color: "#e0a030", symbol: "diamond-open", size: 12, line: { width: 2 } },
    });
  };

  // Rows that changed: status changes first, then by the size of the SR change, then HHI.
  const size = (v) => (v === null || v === undefined ? 0 : Math.abs(v));
  const hhiChange = (r) => size((r.hhi_wgi_t_gs_scenario || 0) - (r.hhi_wgi_t_gs || 0));
  const order = (a, b) =>
    Number(Boolean(b.critical_change)) - Number(Boolean(a.critical_change)) ||
    size(b.sr_delta) - size(a.sr_delta) ||
    hhiChange(b) - hhiChange(a) ||
    a.name.localeCompare(b.name);

  const show = (data) => {
    const rows = data.rows.filter((r) => r.changed).sort(order);
    status.replaceChildren();
    const note = (msg) => {
      const li = document.createElement("li");
      li.textContent = msg;
      status.appendChild(li);
    };
    data.status_changes.forEach((s) => {
      const msg = s.change === "becomes critical" ? text.becomes : text.noLonger;
      note(`${s.name}: ${msg}`);
      status.lastChild.className = s.change === "becomes critical" ? "becomes" : "no-longer";
    });
    if (data.status_changes.length === 0) {
      note(rows.length ? text.noStatus : text.nothing);
    }
    tbody.replaceChildren(
      ...rows.map((r) => {
        const tr = document.createElement("tr");
        tr.dataset.material = r.material;
        tr.dataset.stage = r.stage || "";
        if (r.critical_change) {
          tr.className = "status-change";
        }
        cell(tr, link(r));
        cell(tr, stageName(r.stage));
        cell(tr, fmt(num, r.hhi_wgi_t_gs), "num");
        cell(tr, fmt(num, r.hhi_wgi_t_gs_scenario), "num");
        cell(tr, fmt(num, r.sr_calibrated), "num sr");
        cell(tr, fmt(num, r.sr_scenario), "num");
        cell(tr, fmt(signed, r.sr_delta), size(r.sr_delta) >= 0.005 ? "num delta" : "num");
        cell(tr, fmt(num, r.ei_calibrated), "num");
        cell(tr, fmt(num, r.ei_scenario), "num");
        cell(tr, fmt(signed, r.ei_delta), size(r.ei_delta) >= 0.005 ? "num delta" : "num");
        cell(tr, r.critical_calibrated ? "✓" : "");
        cell(tr, r.critical_scenario ? "✓" : "", r.critical_change ? "critical-change" : "");
        return tr;
      })
    );
    const ds = data.inputs.datasets.map((d) => `${d.dataset} (${d.release})`).join("; ");
    const origin = data.inputs.origin === "store" ? text.store : text.starter;
    inputsLine.textContent = `${origin}: ${ds}; WGI ${data.inputs.wgi_year}. ${data.method}.`;
    result.hidden = false;
    result.dataset.runs = String(Number(result.dataset.runs || 0) + 1);
    plotScenario(rows);
  };

  // Save the scenario of the last run (analysts): POST /api/v1/saved/scenario, JSON body.
  const saveForm = document.getElementById("whatif-save");
  if (saveForm) {
    const saveStatus = document.getElementById("whatif-save-status");
    saveForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!lastDoc) {
        return;
      }
      const name = saveForm.elements.name.value.trim();
      const doc = Object.assign({}, lastDoc, { name: name });
      ketenradar
        .postJSON("/api/v1/saved/scenario", {
          name: name,
          body: JSON.stringify(doc, null, 2),
          private: saveForm.elements.private.checked,
        })
        .then((res) => {
          if (!res.ok) {
            showError(ketenradar.refusal(res));
            return;
          }
          const a = document.createElement("a");
          a.href = saveStatus.dataset.open + res.data.id + "#whatif";
          a.textContent = `#${res.data.id}`;
          saveStatus.replaceChildren(`${saveStatus.dataset.saved} `, a);
          saveStatus.dataset.id = String(res.data.id);
        })
        .catch((err) => showError(String(err)));
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.hidden = true;
    const changes = pending.length ? pending.slice() : [currentChange()];
    const doc = {
      name: scenarioName,
      description: changes.map(describe).join("; "),
      changes: changes,
    };
    runButton.disabled = true;
    const label = runButton.textContent;
    runButton.textContent = text.running;
    ketenradar
      .postJSON("/api/v1/materials/whatif", doc)
      .then((res) => {
        if (!res.ok) {
          result.hidden = true;
          showError(ketenradar.refusal(res));
          return;
        }
        lastDoc = doc;
        show(res.data);
        // "download all rows": the downloads box POSTs the same document (static/downloads.js)
        document.getElementById("download-whatif-run-downloads").dataset.body = JSON.stringify(doc);
        if (saveForm && !saveForm.elements.name.value) {
          saveForm.elements.name.value = doc.name === "What-if" ? doc.description.slice(0, 200) : doc.name;
        }
      })
      .catch((err) => showError(String(err)))
      .finally(() => {
        runButton.disabled = false;
        runButton.textContent = label;
      });
  });

  // A saved scenario opened with ?scenario=ID: its changes become the list, and it runs.
  const opened = document.getElementById("whatif-open");
  if (opened) {
    const doc = JSON.parse(opened.textContent);
    scenarioName = String(doc.name || scenarioName);
    pending.push(...doc.changes);
    drawList();
    form.requestSubmit();
  }
})();
