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
            text=pts["name"],
            textposition="top center",
            marker={"color": colour, "size": 8},
            hovertemplate="%{text}<br>EI %{x:.2f}<br>SR %{y:.2f}<extra></extra>",
        )
    )
    fig.add_hline(y=SR_THRESHOLD, line_dash="dash", annotation_text="SR = 1.0")
    fig.add_vline(x=EI_THRESHOLD, line_dash="dash", annotation_text="EI = 2.8")
    fig.update_layout(
        title="Economic importance × supply risk (red: critical)",
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


def _table(df: pd.DataFrame) -> str:
    cols = [
        "name",
        "stage",
        "hhi_wgi_t_gs",
        "hhi_wgi_t_eu",
        "sr",
        "sr_published",
        "ei",
        "ei_published",
        "critical",
        "note",
    ]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
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
{n_crit} materials critical in this result. Components are recomputed from the open EU CRM
tables and WGI; factors not in the open data are those the published values imply (see
<code>docs/methods/criticality.md</code>).</p>
{figs}
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
