"""Treemap of an economy's imports in a year: by product (each split by supplier) or by
supplier (each split by product), as the OEC and the EU's Trade Explorer show them.

Sizes come from the ``screening`` and ``suppliers`` fact tables: a product's area is its
imports as the screening counts them (``external_imports_kusd``: from outside the reference
bloc, the default; or ``imports_kusd``: all imports), its named suppliers are the top five
of the ``suppliers`` table (outside the bloc, for external imports) and "other" is the rest,
so the areas add up to the screening's totals. JSON ``/api/v1/treemap`` and the page
``/{lang}/treemap``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ketenradar.core.countries import country_name
from ketenradar.interfaces.web.api import FactsDep, Importer, Year
from ketenradar.interfaces.web.frames import choice, records
from ketenradar.interfaces.web.i18n import translator
from ketenradar.interfaces.web.pages import check_lang, render
from ketenradar.modules.trade.web import content
from ketenradar.results.facts import ORIGIN_STARTER, Facts

api_router = APIRouter(prefix="/api/v1", tags=["trade"])
page_router = APIRouter(include_in_schema=False)

BY = ("product", "supplier")
SCOPES = ("external", "all")
OTHER = "other"
#: flows below this (kUSD) are rounding left-overs, not trade
_NOISE = 0.5


def flows(facts: Facts, importer: str, year: int, scope: str) -> pd.DataFrame:
    """``product, product_description, supplier, value_kusd`` of the importer-year: the named
    suppliers and ``other`` (the rest of the screening's total for the product)."""
    df = facts.rows("screening", importer=importer, year=year)
    sup = facts.rows("suppliers", importer=importer, year=year)
    if scope == "external":
        named = sup[sup["external"].eq(True)]
        total = df.set_index("product")["external_imports_kusd"]
    else:
        named = sup[sup["supplier"] != OTHER]
        total = df.set_index("product")["imports_kusd"]
    named = named[["product", "supplier", "value_kusd"]]
    listed = named.groupby("product")["value_kusd"].sum().reindex(total.index, fill_value=0.0)
    rest = (total.fillna(0.0) - listed).clip(lower=0.0)
    out = pd.concat(
        [named, pd.DataFrame({"product": rest.index, "supplier": OTHER, "value_kusd": rest})],
        ignore_index=True,
    )
    out = out[out["value_kusd"] >= _NOISE]
    names = df.drop_duplicates("product").set_index("product")["product_description"]
    return out.assign(product_description=out["product"].map(names)).reset_index(drop=True)


def treemap(
    facts: Facts,
    importer: str = "NLD",
    year: int | None = None,
    by: str = "product",
    scope: str = "external",
    lang: str = "en",
    full: bool = False,
) -> dict[str, Any]:
    """The treemap's nodes (``id, label, parent, value``; values add up: plotly's
    ``branchvalues="total"``), its coverage for the title, and the largest blocks as a table.

    ``full``: only its tables in full, for downloads: every block (``blocks``: the outer
    level, with its share of the total) and every product–supplier flow (``flows``)."""
    choice("by", by, list(BY))
    choice("scope", scope, list(SCOPES))
    _, year = content.screening(facts, importer, year)
    t = translator(lang)
    f = flows(facts, importer, year, scope)
    other = t("treemap_other")

    def supplier_label(code: str) -> str:
        return other if code == OTHER else country_name(code, lang)

    outer, inner = ("product", "supplier") if by == "product" else ("supplier", "product")

    def label(kind: str, code: str, description: str = "") -> str:
        if kind == "supplier":
            return supplier_label(code)
        short = description if len(description) <= 40 else description[:39] + "…"
        return f"{code} {short}".strip()

    total = float(f["value_kusd"].sum())
    root = f"{importer} {year}"
    nodes = [{"id": root, "label": root, "parent": "", "value": total}]
    top = f.groupby(outer)["value_kusd"].sum().sort_values(ascending=False)
    descriptions = f.drop_duplicates("product").set_index("product")["product_description"]
    for code, value in top.items():
        desc = str(descriptions.get(code, "")) if outer == "product" else ""
        nodes.append(
            {
                "id": f"{root}/{code}",
                "label": label(outer, code, desc),
                "parent": root,
                "value": float(value),
            }
        )
    for row in f.sort_values("value_kusd", ascending=False).itertuples(index=False):
        o, i = getattr(row, outer), getattr(row, inner)
        desc = str(row.product_description) if inner == "product" else ""
        nodes.append(
            {
                "id": f"{root}/{o}/{i}",
                "label": label(inner, i, desc),
                "parent": f"{root}/{o}",
                "value": float(row.value_kusd),
            }
        )
    largest = pd.DataFrame(
        {
            outer: top.index,
            "label": [
                label(outer, c, str(descriptions.get(c, "")) if outer == "product" else "")
                for c in top.index
            ],
            "value_kusd": top.to_numpy(),
            "share": top.to_numpy() / total if total else None,
        }
    )
    if full:
        return {"blocks": largest, "flows": f}
    n_products = int(facts.rows("screening", importer=importer, year=year)["product"].nunique())
    foot = facts.footer(["screening", "suppliers"])
    return {
        "importer": importer,
        "year": year,
        "by": by,
        "scope": scope,
        "total_kusd": total,
        "coverage": {
            "products": n_products,
            "raw_materials": facts.origin("screening") == ORIGIN_STARTER,
            "sources": foot["sources"],
        },
        "nodes": nodes,
        "largest": records(largest.head(15)),
        "blocks": len(top),
        "economies": [str(e) for e in facts.values("screening", "importer")],
        "years": [int(y) for y in facts.values("screening", "year", importer=importer)],
        "footer": foot,
    }


By = Annotated[str, Query(description="product (each split by supplier) or supplier")]
Scope = Annotated[
    str, Query(description="external (from outside the reference bloc) or all imports")
]
Lang = Annotated[str, Query(description="language of the labels: nl or en")]


@api_router.get("/treemap")
def treemap_api(
    facts: FactsDep,
    importer: Importer = "NLD",
    year: Year = None,
    by: By = "product",
    scope: Scope = "external",
    lang: Lang = "en",
) -> dict[str, Any]:
    """An economy's imports in a year as treemap nodes (``id``, ``label``, ``parent``,
    ``value`` in thousand USD; every parent is the sum of its children), by product or by
    supplier, with the coverage (how many products, which data) and the largest blocks."""
    return treemap(facts, importer, year, by, scope, lang if lang in ("nl", "en") else "en")


@page_router.get("/{lang}/treemap", response_class=HTMLResponse)
def treemap_page(
    request: Request,
    lang: str,
    importer: Importer = "NLD",
    year: Year = None,
    by: By = "product",
    scope: Scope = "external",
) -> Response:
    """The treemap page, with the largest blocks as a table (the chart's text alternative)."""
    lang = check_lang(lang)
    m = treemap(request.app.state.facts, importer, year, by, scope, lang)
    params = {"importer": importer, "year": m["year"], "by": by, "scope": scope, "lang": lang}
    return render(
        request,
        lang,
        "treemap.html",
        "treemap",
        m=m,
        api_url="/api/v1/treemap?" + urlencode(params),
        api_query=urlencode(params),
        footer=m["footer"],
    )
