"""Self-contained HTML report of the EU criticality result: EI × SR chart and stage bars.

plotly.js is embedded inline once, so the file opens offline and loads nothing from another
host (the same approach as the screening report).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ketenradar.core.files import atomic_path
from ketenradar.core.provenance import provenance_lines
from ketenradar.modules.materials.analysis.criticality import EI_THRESHOLD, SR_THRESHOLD


def _per_material(df: pd.DataFrame) -> pd.DataFrame:
    """One point per material: the bottleneck stage's SR and the EI."""
    d = df.dropna(subset=["ei"]).copy()
    d = d[d["sr"].notna()]
    d = d.sort_values("sr", ascending=False).drop_duplicates("material")
    return d


def _scenario_points(df: pd.DataFrame) -> pd.DataFrame:
    """One point per material under the scenario: the bottleneck stage's scenario SR."""
    d = df.dropna(subset=["sr_scenario", "ei_scenario"]).copy()
    return d.sort_values("sr_scenario", ascending=False).drop_duplicates("material")


def _figures(df: pd.DataFrame) -> list[str]:
    import plotly.graph_objects as go

    layout = {
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "font": {"family": "system-ui, sans-serif", "size": 12},
    }
    figs = []
    pts = _per_material(df)
    crit = pts["critical"].astype("boolean").fillna(False)
    colour = ["#cf222e" if c else "#0969da" for c in crit]
    fig = go.Figure(
        go.Scatter(
            x=pts["ei"],
            y=pts["sr"],
            mode="markers+text",
            name="own computation",
            text=pts["name"],
            textposition="top center",
            marker={"color": colour, "size": 8},
            hovertemplate="%{text}<br>EI %{x:.2f}<br>SR %{y:.2f}<extra></extra>",
        )
    )
    if "sr_scenario" in df.columns:
        sc = _scenario_points(df)
        fig.add_trace(
            go.Scatter(
                x=sc["ei_scenario"],
                y=sc["sr_scenario"],
                mode="markers",
                name="scenario (calibrated)",
                text=sc["name"],
                marker={"color": "#e0a030", "symbol": "diamond-open", "size": 11},
                hovertemplate="%{text} (scenario)<br>EI %{x:.2f}<br>SR %{y:.2f}<extra></extra>",
            )
        )
    fig.add_hline(y=SR_THRESHOLD, line_dash="dash", annotation_text="SR = 1.0")
    fig.add_vline(x=EI_THRESHOLD, line_dash="dash", annotation_text="EI = 2.8")
    fig.update_layout(
        title="Economic importance × supply risk, own computation (red: critical)"
        + ("; diamonds: the scenario, calibrated" if "sr_scenario" in df.columns else ""),
        xaxis_title="Economic importance (EI)",
        yaxis_title="Supply risk (SR, bottleneck stage)",
        height=620,
        **layout,
    )
    figs.append(fig.to_html(full_html=False, include_plotlyjs=False))
    st = df.dropna(subset=["top_share_gs"]).copy()
    st = st[st["sr_published"].notna()]
    st["label"] = st["name"] + " (" + st["stage"].str[:4] + ")"
    st = st.sort_values("top_share_gs").tail(40)
    fig2 = go.Figure(
        go.Bar(
            x=st["top_share_gs"],
            y=st["label"],
            orientation="h",
            text=st["top_country_gs"],
            textposition="outside",
            hovertemplate="%{y}: %{text} %{x:.0%}<extra></extra>",
        )
    )
    fig2.add_vline(x=0.65, line_dash="dash", annotation_text="65 % (CRMA)")
    fig2.update_layout(
        title="Largest supplier's share of global supply per stage (EU CRM 2023 data)",
        xaxis={"tickformat": ".0%", "range": [0, 1.1]},
        height=max(400, 18 * len(st)),
        **layout,
    )
    figs.append(fig2.to_html(full_html=False, include_plotlyjs=False))
    return figs


def _labels(cols: list[str]) -> dict[str, str]:
    """Each column's English label with its unit, from the criticality column schema (the
    scenario's own columns have no schema entry: their names stand, explained in the text)."""
    from ketenradar.core.modules import columns
    from ketenradar.interfaces.reports.writers import column_rows

    rows = {r["name"]: r for r in column_rows(list(columns("criticality")))}
    out = {}
    for c in cols:
        r = rows.get(c)
        if r is None or not r["label"]:
            out[c] = {"name": "material"}.get(c, c)
            continue
        unit = r["unit"]
        out[c] = f"{r['label']} ({unit})" if unit and unit != "index" else r["label"]
    return out


SCENARIO_COLUMNS = [
    "name",
    "stage",
    "sr_calibrated",
    "sr_scenario",
    "sr_delta",
    "ei_calibrated",
    "ei_scenario",
    "critical_calibrated",
    "critical_scenario",
    "critical_change",
]


def _table(df: pd.DataFrame, cols: list[str] | None = None) -> str:
    cols = cols or [
        "name",
        "stage",
        "hhi_wgi_t_gs",
        "hhi_wgi_t_eu",
        "ir",
        "sr",
        "sr_published",
        "ei",
        "ei_published",
        "critical",
        "critical_published",
        "note",
    ]
    labels = _labels(cols)
    head = "".join(f"<th>{html.escape(labels[c])}</th>" for c in cols)
    body = []
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r.get(c)
            if v is None or (isinstance(v, float) and pd.isna(v)):
                s = ""
            elif isinstance(v, float):
                s = f"{v:.2f}"
            else:
                s = str(v)
            cells.append(f"<td>{html.escape(s)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_criticality_report(df: pd.DataFrame) -> str:
    """The report as one HTML string."""
    from plotly.offline import get_plotlyjs

    prov = df.attrs.get("provenance", {})
    figs = "".join(f"<div>{f}</div>" for f in _figures(df))
    lines = "\n".join(provenance_lines(prov)) if prov else ""
    n_crit = int(_per_material(df)["critical"].astype("boolean").fillna(False).sum())
    scenario = ""
    if "sr_scenario" in df.columns:
        sc = (prov.get("parameters") or {}).get("scenario") or {}
        changed = df[
            (df["sr_delta"].abs() > 1e-9)
            | (df["ei_delta"].abs() > 1e-9)
            | (df["critical_change"].fillna("") != "")
        ]
        status = "; ".join(
            f"{r['name']}: {r['critical_change']}"
            for _, r in changed[changed["critical_change"].fillna("") != ""]
            .drop_duplicates("material")
            .iterrows()
        )
        scenario = f"""<h2 id="scenario">Scenario: {html.escape(str(sc.get("name", "")))}</h2>
<p>{html.escape(str(sc.get("description") or ""))}</p>
<p>The scenario is compared with the baseline calibrated on the published values (the
substitution indices the published SR/EI imply are held constant), so the deltas show what
the change does. {len(changed)} material–stage rows change.
Critical status: {html.escape(status or "no change")}.</p>
{_table(changed, SCENARIO_COLUMNS)}"""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>EU criticality — ketenradar</title>
<style>
 body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem;
        color: #1b1f24; }}
 table {{ border-collapse: collapse; width: 100%; font-size: .8rem; }}
 th, td {{ border-bottom: 1px solid #d8dee4; padding: .25rem .4rem; text-align: left; }}
 th {{ background: #f6f8fa; }}
 .prov {{ font-family: ui-monospace, monospace; font-size: .75rem; background: #f6f8fa;
          padding: .8rem; white-space: pre-wrap; word-break: break-all; }}
</style>
<script>{get_plotlyjs()}</script></head>
<body>
<h1>EU criticality of raw materials</h1>
<p>EU method (EC 2017 guidelines): critical when EI ≥ {EI_THRESHOLD} and SR ≥ {SR_THRESHOLD}.
{n_crit} materials critical on the project's own computation (SR and EI recomputed from the
open EU CRM tables, the WGI and, for import reliance, BACI trade and World Mining Data; the
substitution indices, not in the open data, assumed 1), next to the published 2023 values (see
<code>docs/methods/criticality.md</code>).</p>
{figs}
{scenario}
<h2>Per material and stage</h2>
{_table(df)}
<h2>Provenance</h2>
<div class="prov">{html.escape(lines)}</div>
</body></html>
"""


def criticality_report(df: pd.DataFrame, path: Path) -> None:
    """Write the criticality report to ``path`` (atomically)."""
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(render_criticality_report(df), encoding="utf-8")
