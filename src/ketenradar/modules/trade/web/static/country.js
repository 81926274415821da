// Country pages: the world map of dependence (/{lang}/countries) and a country's balance over
// time (/{lang}/countries/{iso3}). Both read the JSON API and draw with the plotly.js of the
// plotly Python package; the map's geometry (plotly's world_110m topojson) ships in
// /static/vendor/plotly.js/ (npm plotly.js, MIT), so nothing is loaded from another host.
(function () {
  "use strict";
  if (typeof Plotly === "undefined") {
    return;
  }
  const TOPOJSON_URL = "/static/vendor/plotly.js/";
  const RATIO_CLIP = 4; // log2 ratio shown from 1/16 to 16

  // numbers in the page's language: 1.234,5 on Dutch pages, 1,234.5 on English ones
  const locale = ketenradar.locale();
  const separators = ketenradar.plotlySeparators(); // the same for plotly's own formats

  function fmt(x, digits) {
    return x === null || x === undefined
      ? "–"
      : new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(Number(x));
  }

  function drawMap(el) {
    const ratio = el.dataset.ratio === "true";
    const log = el.dataset.log === "true";
    ketenradar.getJSON(el.dataset.api).then((data) => {
      const rows = data.rows.filter((r) => r.location !== null);
      const shown = [];
      for (const r of rows) {
        let z;
        if (ratio) {
          if (r.value === null) {
            // infinite: only the partner depends on the importer
            z = r.direction === "partner_depends" ? RATIO_CLIP : null;
          } else {
            z = r.value > 0 ? Math.log2(r.value) : -RATIO_CLIP;
          }
          if (z !== null) {
            z = Math.max(-RATIO_CLIP, Math.min(RATIO_CLIP, z));
          }
        } else if (r.value !== null && r.value > 0) {
          z = log ? Math.log10(r.value) : r.value;
        } else {
          z = null;
        }
        if (z !== null) {
          shown.push({ row: r, z: z });
        }
      }
      const hover = (r) => {
        let text = `<b>${r.name}</b> (${r.iso3})<br>${el.dataset.label}: `;
        if (ratio && r.value === null) {
          text += "∞";
        } else {
          text += fmt(r.value, ratio ? 2 : 0);
        }
        if ("importer_dependent_products" in r) {
          text += `<br>${el.dataset.labelImporter}: ${r.importer_dependent_products} (${fmt(
            r.importer_dependent_kusd,
            0
          )} kUSD)`;
          text += `<br>${el.dataset.labelPartner}: ${r.partner_dependent_products} (${fmt(
            r.partner_dependent_kusd,
            0
          )} kUSD)`;
        }
        return text;
      };
      let colorbar = { title: { text: "" }, thickness: 14 };
      if (ratio) {
        const ticks = [];
        for (let k = -RATIO_CLIP; k <= RATIO_CLIP; k += 2) {
          ticks.push(k);
        }
        colorbar.tickvals = ticks;
        colorbar.ticktext = ticks.map((k) => (k < 0 ? `1/${2 ** -k}` : String(2 ** k)));
      } else if (log) {
        const zs = shown.map((s) => s.z);
        const lo = Math.floor(Math.min(...zs, 0));
        const hi = Math.ceil(Math.max(...zs, 1));
        colorbar.tickvals = [];
        for (let k = lo; k <= hi; k++) {
          colorbar.tickvals.push(k);
        }
        colorbar.ticktext = colorbar.tickvals.map((k) => fmt(10 ** k, 0));
      }
      const trace = {
        type: "choropleth",
        locationmode: "ISO-3",
        locations: shown.map((s) => s.row.location),
        z: shown.map((s) => s.z),
        customdata: shown.map((s) => s.row.iso3),
        text: shown.map((s) => hover(s.row)),
        hovertemplate: "%{text}<extra></extra>",
        // red where the importer depends (amounts; ratios below 1), blue where the partner does
        colorscale: ratio ? "RdBu" : "Reds",
        reversescale: ratio,
        marker: { line: { color: "#ffffff", width: 0.5 } },
        colorbar: colorbar,
      };
      if (ratio) {
        trace.zmin = -RATIO_CLIP;
        trace.zmax = RATIO_CLIP;
        trace.zmid = 0;
      }
      const layout = {
        geo: {
          projection: { type: "natural earth" },
          showframe: false,
          showcoastlines: false,
          showcountries: true,
          countrycolor: "#c8ccd4",
          showland: true,
          landcolor: "#eef0f3",
          lataxis: { range: [-58, 85] },
        },
        margin: { t: 10, r: 10, b: 10, l: 10 },
        separators: separators,
        height: 520,
      };
      const config = { topojsonURL: TOPOJSON_URL, displaylogo: false, responsive: true };
      Plotly.newPlot(el, [trace], layout, config).then(() => {
        el.on("plotly_click", (ev) => {
          const iso3 = ev.points && ev.points[0] && ev.points[0].customdata;
          if (iso3) {
            const q = el.dataset.linkQuery ? `?${el.dataset.linkQuery}` : "";
            window.location.assign(
              `/${el.dataset.lang}/countries/${encodeURIComponent(iso3)}${q}`
            );
          }
        });
        el.dataset.drawn = String(shown.length);
      });
    });
  }

  function drawBalance(el) {
    ketenradar.getJSON(el.dataset.api).then((data) => {
      const rows = data.balance_over_time;
      const line = (key, kusd, name, color) => ({
        type: "scatter",
        mode: "lines+markers",
        name: name,
        x: rows.map((r) => r.year),
        y: rows.map((r) => r[key]),
        customdata: rows.map((r) => fmt(r[kusd], 0)),
        hovertemplate: "%{x}: %{y} (%{customdata} kUSD)<extra>" + name + "</extra>",
        line: { color: color },
      });
      Plotly.newPlot(
        el,
        [
          line(
            "importer_dependent_products",
            "importer_dependent_kusd",
            el.dataset.labelImporter,
            "#b42318"
          ),
          line(
            "partner_dependent_products",
            "partner_dependent_kusd",
            el.dataset.labelPartner,
            "#2f6fb0"
          ),
        ],
        {
          yaxis: { title: { text: el.dataset.labelY }, rangemode: "tozero", dtick: 1 },
          xaxis: { dtick: 5 },
          legend: { orientation: "h", y: -0.15 },
          margin: { t: 10 },
          separators: separators,
          height: 360,
        },
        { displaylogo: false, responsive: true }
      ).then(() => {
        el.dataset.drawn = String(rows.length);
      });
    });
  }

  const map = document.getElementById("world-map");
  if (map) {
    drawMap(map);
  }
  const balance = document.getElementById("balance-chart");
  if (balance) {
    drawBalance(balance);
  }
})();
