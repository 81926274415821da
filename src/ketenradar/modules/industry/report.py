"""Self-contained HTML report of the speelveldtoets (``ketenradar industry costs --format html
--output FILE``): the cost stack per country in the latest year with every price, as a
stacked chart and as a table, the costs per year, the notes and the provenance. plotly.js is
embedded inline once, so the file opens offline and loads nothing from another host (as the
screening and criticality reports)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ketenradar.core.files import atomic_path
from ketenradar.core.provenance import provenance_lines
from ketenradar.modules.industry.analysis.cost_stack import COMPONENTS
from ketenradar.modules.industry.facts import COLUMNS

__all__ = ["costs_report", "render_costs_report"]

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728")


def _label(col: str) -> str:
    c = COLUMNS.get(col)
    return c.description.split(":")[0] if c else col


def _num(v: object, digits: int = 1) -> str:
    return "–" if v is None or pd.isna(v) else f"{float(v):,.{digits}f}"


def _year(df: pd.DataFrame) -> int:
    """The latest year in which every country has a total (else the latest year)."""
    complete = df.groupby("year")["total_eur_mwh"].apply(lambda s: s.notna().all())
    years = [int(y) for y, ok in complete.items() if ok]
    return max(years) if years else int(df["year"].max())


def _chart(df: pd.DataFrame, year: int) -> str:
    import plotly.graph_objects as go

    row = df[df["year"] == year]
    fig = go.Figure()
    for comp, colour in zip(COMPONENTS, COLOURS, strict=True):
        fig.add_bar(x=row["country"], y=row[comp], name=_label(comp), marker_color=colour)
    fig.add_scatter(
        x=row["country"], y=row["total_eur_mwh"], mode="markers", name="Cost per MWh",
        marker={"symbol": "diamond", "size": 12, "color": "#000"},
    )  # fmt: skip
    fig.update_layout(
        barmode="relative",
        yaxis_title="EUR/MWh",
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"family": "system-ui, sans-serif", "size": 12},
        legend={"orientation": "h"},
    )
    return fig.to_html(full_html=False, include_plotlyjs=False)


def _table(df: pd.DataFrame, cols: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(_num(r[c]) if c.endswith('_eur_mwh') else str(r[c]))}</td>"
            for c in cols
        )
        + "</tr>"
        for _, r in df.iterrows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_costs_report(df: pd.DataFrame) -> str:
    """The report of the ``costs`` table (with its provenance in ``df.attrs``) as HTML."""
    from plotly.offline import get_plotlyjs

    prov = df.attrs.get("provenance", {})
    year = _year(df)
    row = df[df["year"] == year]
    cols = ["country", "year", "band", *COMPONENTS, "total_eur_mwh", "eurostat_flags"]
    pivot = df.pivot(index="year", columns="country", values="total_eur_mwh")
    per_year = pivot.reset_index()
    per_year.columns = [str(c) for c in per_year.columns]
    per_year_cols = list(per_year.columns)
    per_year = per_year.rename(columns={c: f"{c}_eur_mwh" for c in per_year_cols[1:]})
    notes = "".join(f"<li>{html.escape(str(n))}</li>" for n in prov.get("notes", []))
    lines = "\n".join(provenance_lines(prov)) if prov else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Speelveldtoets: electricity cost stack — ketenradar</title>
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
<h1>Speelveldtoets: what a MWh of electricity costs</h1>
<p>Per country, by component, in EUR/MWh excluding VAT: the commodity (the day-ahead average,
Ember), supply, network and other (Eurostat's price before taxes minus the commodity, a
residual), taxes and levies, adjustments not in the open data, and the indirect cost
compensation. Method: <code>docs/methods/industry.md</code>.</p>
<h2 id="stack">The cost stack in {year}</h2>
<div>{_chart(df, year)}</div>
{_table(row, cols)}
<h2 id="years">Cost per MWh per year</h2>
{_table(per_year, list(per_year.columns))}
<h2 id="notes">Notes</h2>
<ul>{notes}</ul>
<h2>Provenance</h2>
<div class="prov">{html.escape(lines)}</div>
</body></html>
"""


def costs_report(df: pd.DataFrame, path: Path) -> None:
    """Write the speelveldtoets report to ``path`` (atomically)."""
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(render_costs_report(df), encoding="utf-8")
