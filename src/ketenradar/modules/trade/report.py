"""Self-contained HTML report of a screening result: one file that opens offline.

Charts are drawn with plotly; plotly.js is embedded once, inline, so the report loads
nothing from another host.
"""

from __future__ import annotations

import math
from importlib.resources import files
from typing import Any

import pandas as pd

from ketenradar.core.provenance import provenance_lines

TOP = 15


def _fmt(v: Any, pattern: str = ",.0f") -> str:
    if v is None or v is pd.NA:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "∞"
    return format(v, pattern)


def _flag(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    return "yes" if bool(v) else "no"


def _label(r: pd.Series) -> str:
    desc = str(r.get("product_description") or "")
    short = desc if len(desc) <= 45 else desc[:44] + "…"
    return f"{r['product']} {short}"


def _figures(dep: pd.DataFrame, history: pd.DataFrame, suppliers: pd.DataFrame) -> list[str]:
    import plotly.graph_objects as go

    out: list[str] = []
    layout = {
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "font": {"family": "system-ui, sans-serif", "size": 12},
        "height": 420,
    }
    top = dep.nlargest(TOP, "external_imports_kusd").iloc[::-1]
    if not top.empty:
        fig = go.Figure(
            go.Bar(
                x=top["external_imports_kusd"],
                y=[_label(r) for _, r in top.iterrows()],
                orientation="h",
                text=top["top_supplier"],
                textposition="outside",
                hovertemplate="%{y}<br>%{x:,.0f} kUSD<br>top supplier %{text}<extra></extra>",
            )
        )
        fig.update_layout(title="Largest dependencies by external imports (kUSD)", **layout)
        fig.update_yaxes(automargin=True)
        out.append(fig.to_html(full_html=False, include_plotlyjs=False))
    if not suppliers.empty and not top.empty:
        order = list(top["product"])
        labels = {r["product"]: _label(r) for _, r in top.iterrows()}
        s = suppliers[suppliers["product"].isin(order)]
        fig = go.Figure()
        for sup, g in s.groupby("supplier", sort=False):
            g = g.set_index("product").reindex(order)
            fig.add_bar(
                x=g["share"], y=[labels[p] for p in order], name=str(sup), orientation="h",
                hovertemplate=f"{sup}: " + "%{x:.1%}<extra></extra>",
            )  # fmt: skip
        fig.update_layout(
            barmode="stack",
            title="Supplier shares of the largest dependencies (all imports, incl. bloc members)",
            **layout,
        )
        fig.update_xaxes(tickformat=".0%", range=[0, 1])
        fig.update_yaxes(automargin=True)
        out.append(fig.to_html(full_html=False, include_plotlyjs=False))
    if not history.empty:
        fig = go.Figure()
        for eco, g in history.groupby("ecosystem"):
            g = g.sort_values("year")
            fig.add_scatter(x=g["year"], y=g["dependent_eu2021"], mode="lines+markers",
                            name=str(eco))  # fmt: skip
        fig.update_layout(
            title="Dependent products (EU 2021 method) per ecosystem over the years loaded",
            **{**layout, "height": 460},
        )
        out.append(fig.to_html(full_html=False, include_plotlyjs=False))
        geo = history.dropna(subset=["dependent_geodep"])
        if not geo.empty:
            fig = go.Figure()
            for eco, g in geo.groupby("ecosystem"):
                g = g.sort_values("year")
                fig.add_scatter(x=g["year"], y=g["dependent_geodep"].astype(float),
                                mode="lines+markers", name=str(eco))  # fmt: skip
            fig.update_layout(
                title="Dependent products (GeoDep) per ecosystem", **{**layout, "height": 460}
            )
            out.append(fig.to_html(full_html=False, include_plotlyjs=False))
    return out


def render_screening_report(
    screen: pd.DataFrame,
    history: pd.DataFrame,
    suppliers: pd.DataFrame,
    provenance: dict,
) -> str:
    """Render a screening result as one self-contained HTML document.

    Parameters
    ----------
    screen : one importer's screening for one year (columns of ``ketenradar screen``)
    history : dependent products per ecosystem and year (``api.screening_history``)
    suppliers : supplier shares of the top dependent products (``api.supplier_shares``)
    provenance : the result's provenance record

    Returns
    -------
    str
        The HTML document; plotly.js is inlined once, nothing is loaded from other hosts.
    """
    import jinja2
    from plotly.offline import get_plotlyjs

    params = provenance.get("parameters", {})
    geo_known = not screen["dependent_geodep"].isna().all() if len(screen) else False
    geo = screen["dependent_geodep"].astype("boolean").fillna(False).astype(bool)
    dep_mask = screen["dependent_eu2021"].astype(bool) | geo
    dep = screen[dep_mask].sort_values("external_imports_kusd", ascending=False)
    year = int(params.get("year", screen["year"].iloc[0] if len(screen) else 0))
    rows = [
        {
            "product": r["product"],
            "description": r.get("product_description") or "",
            "ecosystem": r.get("ecosystem") or "",
            "external_imports": _fmt(r["external_imports_kusd"]),
            "external_share": _fmt(r["external_share"], ".2f"),
            "supplier_hhi": _fmt(r["supplier_hhi"], ".2f"),
            "top_supplier": r["top_supplier"] or "",
            "top_share": _fmt(r["top_supplier_share"], ".2f"),
            "ratio": _fmt(r["import_export_ratio"], ".2f"),
            "world_hhi": _fmt(r["world_export_hhi"], ".2f"),
            "eu2021": _flag(r["dependent_eu2021"]),
            "geodep": _flag(r["dependent_geodep"]),
            "transit": _flag(r.get("transit")),
        }
        for _, r in dep.iterrows()
    ]
    counts = {
        "imported": len(screen),
        "eu2021": int(screen["dependent_eu2021"].sum()),
        "geodep": int(geo.sum()) if geo_known else None,
        # one definition: the value of the EU 2021 dependent products, as every page counts
        "dependent_value": _fmt(
            screen.loc[screen["dependent_eu2021"].astype(bool), "external_imports_kusd"].sum()
        ),
        "geodep_country": int(screen["dependent_geodep_country"].fillna(False).sum())
        if geo_known and "dependent_geodep_country" in screen
        else None,
        "transit": int(screen["transit"].sum()) if "transit" in screen else 0,
    }
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("ketenradar.modules.trade") / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    template = env.get_template("screening.html.j2")
    return template.render(
        importer=str(params.get("importer", screen["importer"].iloc[0] if len(screen) else "")),
        reference_bloc=str(screen["reference_bloc"].iloc[0]) if len(screen) else "",
        year=year,
        counts=counts,
        geo_years=f"{year - 2}–{year}",
        figures=_figures(dep, history, suppliers) if len(dep) else [],
        rows=rows,
        thresholds=provenance.get("thresholds", {}),
        provenance=provenance,
        provenance_lines=provenance_lines(provenance),
        plotlyjs=get_plotlyjs(),
    )
