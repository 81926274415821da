"""Comparison: one product (HS6) or material for every EU27 member and the EU27, side by side.

The members' rows come from the ``comparison`` fact table (each member screened on its own,
reference bloc EU27: "external" is from outside the EU), the EU27's from ``screening``. A
material is the sum over its HS codes as World Mining Data's HS-code map names them (the
``geopolrisk`` table's ``hs_codes``): imports add up, the external share is recomputed from
the sums, and the dependence columns count the material's products that are dependent.
JSON API ``/api/v1/compare`` and the page ``/{lang}/compare``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ketenradar.core.countries import country_name
from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.core.vocabularies.materials import find_material
from ketenradar.interfaces.web.api import FactsDep, Year
from ketenradar.interfaces.web.frames import choice, finite, records
from ketenradar.interfaces.web.pages import check_lang, render
from ketenradar.results.facts import Facts

api_router = APIRouter(prefix="/api/v1", tags=["trade"])
page_router = APIRouter(include_in_schema=False)

#: Shown first, in this order; the other members follow by external imports.
FIRST = ("NLD", "DEU", "BEL", "FRA")
BLOC = "EU27"
PRODUCT_COLUMNS = [
    "importer",
    "imports_kusd",
    "external_imports_kusd",
    "external_share",
    "supplier_hhi",
    "top_supplier",
    "top_supplier_share",
    "import_export_ratio",
    "dependent_eu2021",
    "dependent_geodep",
]
MATERIAL_COLUMNS = [
    "importer",
    "imports_kusd",
    "external_imports_kusd",
    "external_share",
    "products",
    "dependent_eu2021",
    "dependent_geodep",
    "largest_product",
    "top_supplier",
    "top_supplier_share",
]


def materials_hs(facts: Facts) -> dict[str, list[str]]:
    """Material (World Mining Data's name) → its HS6 codes, from the ``geopolrisk`` table."""

    def make() -> dict[str, list[str]]:
        df = facts.table("geopolrisk")[["material", "hs_codes"]].dropna().drop_duplicates()
        out: dict[str, list[str]] = {}
        for m, codes in zip(df["material"], df["hs_codes"], strict=True):
            out.setdefault(str(m), [])
            out[str(m)] += [c.strip() for c in str(codes).split(";") if c.strip()]
        return {m: sorted(set(c)) for m, c in sorted(out.items())}

    return facts.cached(("compare-materials",), make)


def table_name(material: str, names: list[str]) -> str:
    """``material`` as the ``geopolrisk`` table names it (one of ``names``): that name, or
    any name or id the material vocabulary knows for the same material (``cobalt``,
    ``Kobalt``); a :class:`UsageError` listing ``names`` otherwise."""
    if material in names:
        return material
    wanted = find_material(material)
    for name in names:
        m = find_material(name)
        if wanted is not None and m is not None and m.material == wanted.material:
            return name
    choice("material", material, names)  # refused, with the names to choose from
    return material


def _largest(facts: Facts, year: int) -> str:
    """The default product: the EU27's largest by imports from outside the EU in ``year``."""
    df = facts.rows("screening", importer=BLOC, year=year)
    if df.empty:
        df = facts.rows("comparison", year=year)
    return str(df.sort_values("external_imports_kusd", ascending=False)["product"].iloc[0])


def _order(df: pd.DataFrame) -> pd.DataFrame:
    """EU27 first, then NLD, DEU, BEL, FRA, then the other members by external imports."""
    rank = {c: i for i, c in enumerate((BLOC, *FIRST))}
    df = df.assign(
        _rank=df["importer"].map(rank).fillna(len(rank)),
        _value=-df["external_imports_kusd"].fillna(0),
    )
    return df.sort_values(["_rank", "_value", "importer"]).drop(columns=["_rank", "_value"])


def _rows(facts: Facts, year: int, products: list[str]) -> pd.DataFrame:
    members = pd.concat(
        [facts.rows("comparison", product=p, year=year) for p in products], ignore_index=True
    )
    bloc = pd.concat(
        [facts.rows("screening", importer=BLOC, product=p, year=year) for p in products],
        ignore_index=True,
    )
    return pd.concat([bloc[members.columns.intersection(bloc.columns)], members])


def _material(df: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    rows = []
    for imp, g in df.groupby("importer", sort=False):
        largest = g.sort_values("external_imports_kusd", ascending=False).iloc[0]
        imports = float(g["imports_kusd"].sum())
        external = float(g["external_imports_kusd"].sum())
        geodep = g["dependent_geodep"]
        rows.append(
            {
                "importer": imp,
                "imports_kusd": imports,
                "external_imports_kusd": external,
                "external_share": external / imports if imports else None,
                "products": len(g),
                "dependent_eu2021": int(g["dependent_eu2021"].fillna(False).astype(bool).sum()),
                "dependent_geodep": None
                if geodep.isna().all()
                else int(geodep.fillna(False).astype(bool).sum()),
                "largest_product": largest["product"],
                "top_supplier": largest["top_supplier"],
                "top_supplier_share": largest["top_supplier_share"],
            }
        )
    return pd.DataFrame(rows, columns=MATERIAL_COLUMNS)


def compare(
    facts: Facts,
    product: str | None = None,
    material: str | None = None,
    year: int | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """One product (HS6) or material for the EU27 and every member in ``year`` (default: the
    latest of the comparison table), with each economy's name in ``lang``."""
    product, material = product or None, material or None  # an empty form field: not given
    if product and material:
        raise UsageError("compare either a product or a material, not both", field="material")
    years = [int(y) for y in facts.values("comparison", "year")]
    year = years[-1] if year is None else year
    choice("year", year, years)
    mats = materials_hs(facts)
    if material:
        material = table_name(material, list(mats))
        codes = mats[material]
        kind, cols = "material", MATERIAL_COLUMNS
    else:
        product = product or _largest(facts, year)
        codes, kind, cols = [product], "product", PRODUCT_COLUMNS
    df = _rows(facts, year, codes)
    if df.empty:
        what = f"material {material}" if material else f"product {product}"
        raise NotFoundError(f"no {what} in the comparison of {year}")
    description = "; ".join(
        f"{p} {t}"
        for p, t in df[["product", "product_description"]].drop_duplicates("product").values
    )
    table = _material(df, codes) if material else df
    table = _order(table)[cols]
    if kind == "product":  # JSON has no infinity: a ratio without exports is null
        table = finite(table, ["import_export_ratio"])
    names = {i: country_name(i, lang) for i in table["importer"]}
    return {
        "kind": kind,
        "product": product if kind == "product" else None,
        "material": material,
        "hs_codes": codes,
        "description": description,
        "year": year,
        "years": years,
        "economies": len(table),
        "rows": records(table.assign(name=table["importer"].map(names))),
        "products": [
            {"product": p, "description": t}
            for p, t in facts.table("comparison")[["product", "product_description"]]
            .drop_duplicates("product")
            .sort_values("product")
            .values
        ],
        "materials": list(mats),
        "footer": facts.footer(["comparison", "screening", *(["geopolrisk"] if material else [])]),
    }


Product = Annotated[
    str | None,
    Query(
        pattern=r"^(\d{6})?$",
        description="HS 6-digit code (default: the EU27's largest from outside the EU)",
    ),
]
Material = Annotated[
    str | None,
    Query(max_length=60, description="a material as World Mining Data names it (Cobalt)"),
]


@api_router.get("/compare")
def compare_api(
    facts: FactsDep,
    product: Product = None,
    material: Material = None,
    year: Year = None,
    lang: Annotated[str, Query(description="language of the economies' names: nl or en")] = "en",
) -> dict[str, Any]:
    """One product or material for the EU27 and each of its 27 members, side by side: imports,
    external imports (from outside the EU) and their share, concentration, top supplier and
    the EU 2021 and GeoDep flags (for a material: summed over its HS codes, flags counted)."""
    return compare(facts, product, material, year, lang if lang in ("nl", "en") else "en")


@page_router.get("/{lang}/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    lang: str,
    product: Product = None,
    material: Material = None,
    year: Year = None,
) -> Response:
    """The comparison page: a chart and a table, one row per economy."""
    lang = check_lang(lang)
    c = compare(request.app.state.facts, product, material, year, lang)
    params = {"product": product, "material": material, "year": c["year"], "lang": lang}
    query = urlencode({k: v for k, v in params.items() if v})
    return render(
        request,
        lang,
        "compare.html",
        "compare",
        c=c,
        api_url="/api/v1/compare?" + query,
        api_query=query,
        footer=c["footer"],
    )
