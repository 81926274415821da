"""Downloads of the trade pages: the overview, the explorer, a product, the world map, a
country, the treemap and the comparison, each every row as CSV, XLSX or Parquet with its
provenance (:mod:`ketenradar.interfaces.web.downloads`).

Each route mirrors its JSON route (same path and query, plus ``.csv``, ``.xlsx``,
``.parquet`` or ``.csv.provenance.json``). This router comes before the module's others so
that ``/countries/CHN.csv`` is a download, not a country named ``CHN.csv``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from ketenradar.core.modules import Column
from ketenradar.interfaces.web import downloads as dl
from ketenradar.interfaces.web.api import FactsDep, Importer, Year
from ketenradar.modules.trade.api import METHOD_EU2021, METHOD_GEODEP
from ketenradar.modules.trade.web import compare as cmp
from ketenradar.modules.trade.web import content
from ketenradar.modules.trade.web import country as cv
from ketenradar.modules.trade.web import treemap as tm
from ketenradar.modules.trade.web.api import ExplorerQuery
from ketenradar.modules.trade.web.routes import Country, Measure, Method

router = APIRouter(prefix="/api/v1", tags=["downloads"])

HS6 = Annotated[str, PathParam(pattern=r"^\d{6}$", description="HS 6-digit code")]
BALANCE_METHOD = (
    "Mutual dependency balance: the EU 2021 screening both ways between the importer and "
    "each partner (docs/methods/dependencies.md)"
)
VA_METHOD = "Value added in trade, OECD ICIO 2022 (docs/methods/input-output.md)"


@router.get("/dependencies.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def dependencies(
    request: Request, facts: FactsDep, params: ExplorerQuery, fmt: dl.FormatParam
) -> Response:
    """Every row the explorer's filters select (all pages; ``page`` and ``page_size`` are
    ignored), sorted as the explorer sorts, with every column of the screening."""
    query = {k: v for k, v in params.items() if k not in ("page", "page_size")}
    res = content.dependencies(facts, **query, all_rows=True)
    prov = dl.facts_provenance(
        request,
        facts,
        ["screening"],
        analysis="dependency screening (explorer)",
        methods=[METHOD_EU2021, METHOD_GEODEP],
        parameters=query | {"year": res["year"], "rows": res["total"]},
        thresholds=content.served_thresholds(facts),
    )
    result = dl.result_of({"dependencies": res["rows"]}, prov, dl.schema_of("screening"))
    stem = dl.filename("dependencies", res["importer"], res["year"], res["method"])
    return dl.respond(request, result, fmt, stem)


ProductTable = Annotated[
    Literal["indicators", "suppliers"], Query(description=dl.TABLE_DESCRIPTION)
]


@router.get("/products/{hs6}.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def product(
    request: Request,
    facts: FactsDep,
    hs6: HS6,
    fmt: dl.FormatParam,
    importer: Importer = "NLD",
    table: ProductTable = "indicators",
) -> Response:
    """The product page's tables over every year: ``indicators`` (the screening of the
    product, every column) and ``suppliers`` (every supplier's value and share, the chart)."""
    content.product(facts, hs6, importer)  # checks the importer and the product
    rows = facts.rows("screening", importer=importer, product=hs6).sort_values("year")
    sup = facts.rows("suppliers", importer=importer, product=hs6).sort_values(
        ["year", "share"], ascending=[True, False]
    )
    prov = dl.facts_provenance(
        request,
        facts,
        ["screening", "suppliers"],
        analysis=f"product {hs6}",
        methods=[METHOD_EU2021, METHOD_GEODEP],
        parameters={"product": hs6, "importer": importer},
        thresholds=content.served_thresholds(facts),
    )
    result = dl.result_of(
        {"indicators": rows, "suppliers": sup},
        prov,
        {"indicators": dl.schema_of("screening"), "suppliers": dl.schema_of("suppliers")},
    )
    stem = dl.filename("product", hs6, importer)
    return dl.respond(request, result, fmt, stem, table=table)


@router.get("/countries.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def countries(
    request: Request,
    facts: FactsDep,
    fmt: dl.FormatParam,
    importer: Importer = "NLD",
    year: Year = None,
    measure: Measure = "importer_dependent_kusd",
) -> Response:
    """The world map: every partner country with the measure's value and the balance
    quantities behind it."""
    m = cv.world_map(facts, importer, year, measure)
    table, _ = cv.MEASURES[m["measure"]]
    prov = dl.facts_provenance(
        request,
        facts,
        [table],
        analysis="world map of dependence",
        methods=[BALANCE_METHOD if table == "balance" else VA_METHOD],
        parameters={"importer": m["importer"], "year": m["year"], "measure": m["measure"]},
        thresholds=content.served_thresholds(facts) if table == "balance" else None,
        notes=[f"value: {m['meaning']}"],
    )
    rows = [{k: v for k, v in r.items() if k != "location"} for r in m["rows"]]
    result = dl.result_of({"countries": rows}, prov, dl.schema_of(table))
    stem = dl.filename("countries", m["importer"], m["year"], m["measure"])
    return dl.respond(request, result, fmt, stem)


CountryTable = Annotated[
    Literal["we_depend_on", "we_import", "they_depend_on", "balance_over_time"],
    Query(description=dl.TABLE_DESCRIPTION),
]


@router.get("/countries/{iso3}.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def country(
    request: Request,
    facts: FactsDep,
    iso3: Country,
    fmt: dl.FormatParam,
    importer: Importer = "NLD",
    year: Year = None,
    method: Method = "eu2021",
    table: CountryTable = "we_depend_on",
) -> Response:
    """One partner country's tables: the importer's dependent products it supplies
    (``we_depend_on``), every product it supplies (``we_import``), what it depends on from
    the importer (``they_depend_on``) and the balance over every year
    (``balance_over_time``)."""
    code = cv.resolve_country(facts, iso3)
    c = cv.country(facts, code, importer, year, method)
    tables: dict[str, Any] = {
        "we_depend_on": c["we_depend_on"],
        "we_import": c["we_import"],
        "they_depend_on": c["they_depend_on"],
        "balance_over_time": c["balance_over_time"],
    }
    prov = dl.facts_provenance(
        request,
        facts,
        ["balance", "balance_products", "screening", "suppliers"],
        analysis=f"country {code}",
        methods=[METHOD_EU2021, METHOD_GEODEP, BALANCE_METHOD],
        parameters={"country": code, "importer": c["importer"], "year": c["year"]}
        | {"method": c["method"]},
        thresholds=content.served_thresholds(facts),
        notes=[n["text"] for n in c.get("notes", []) if isinstance(n, dict) and "text" in n],
    )
    schema = dl.schema_of("balance_products", "screening", "suppliers", "balance")
    result = dl.result_of(tables, prov, schema)
    stem = dl.filename("country", code, c["importer"], c["year"])
    return dl.respond(request, result, fmt, stem, table=table)


OverviewTable = Annotated[
    Literal["dependencies", "countries", "crma", "value_added"],
    Query(description=dl.TABLE_DESCRIPTION),
]
OverviewMethod = Annotated[
    str, Query(description="eu2021 (default), geodep, geodep_country or any", max_length=20)
]
CRMA_METHOD = "Critical Raw Materials Act, Regulation (EU) 2024/1252, Art. 5(1) benchmarks"
#: The overview's columns that no fact table declares.
OVERVIEW_COLUMNS = (
    Column("country", "country", "", "The supplier country (the products' top supplier)"),
    Column(
        "products",
        "trade_dependent_products",
        "count",
        "Dependent products (under the method) whose top supplier is the country",
    ),
)


@router.get("/overview.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def overview(
    request: Request,
    facts: FactsDep,
    fmt: dl.FormatParam,
    economy: Importer = "NLD",
    year: Year = None,
    method: OverviewMethod = content.DEFAULT_METHOD,
    table: OverviewTable = "dependencies",
) -> Response:
    """The overview's blocks, every row (the page shows ten of each): the dependent products
    under ``method`` (``dependencies``, every screening column), the countries they come from
    (``countries``), the CRMA flags (``crma``) and the foreign value added in the economy's
    final demand (``value_added``)."""
    o = content.overview(facts, economy, year, method)
    df, _ = content.screening(facts, o["economy"], o["year"])
    tables = content.overview_tables(facts, df, o["economy"], o["method"])
    prov = dl.facts_provenance(
        request,
        facts,
        ["screening", "crma", "io_exposure_country"],
        analysis=f"overview {o['economy']} {o['year']}",
        methods=[METHOD_EU2021, METHOD_GEODEP, CRMA_METHOD, VA_METHOD],
        parameters={"economy": o["economy"], "year": o["year"], "method": o["method"]},
        thresholds=content.served_thresholds(facts),
        notes=[
            f"trade tables: {o['blocks']['trade']['source']}, {o['year']}",
            f"crma: {o['blocks']['crma']['source']}",
            f"value_added: {o['blocks']['io']['source']}, {o['blocks']['io']['year']}",
        ],
    )
    schema = {
        "dependencies": dl.schema_of("screening"),
        "countries": (*OVERVIEW_COLUMNS, *dl.schema_of("screening")),
        "crma": dl.schema_of("crma"),
        "value_added": dl.schema_of("io_exposure_country"),
    }
    result = dl.result_of(tables, prov, schema)
    stem = dl.filename("overview", o["economy"], o["year"], o["method"])
    return dl.respond(request, result, fmt, stem, table=table)


TreemapTable = Annotated[Literal["blocks", "flows"], Query(description=dl.TABLE_DESCRIPTION)]
TREEMAP_METHOD = (
    "Treemap of imports: the screening's totals per product (external: from outside the "
    "reference bloc; all: every import), split over the top five suppliers of the suppliers "
    "table and 'other' (the rest)"
)


def _treemap_columns(scope: str) -> tuple[Column, ...]:
    value = (
        "Imports from outside the reference bloc (EU27 members: from outside the EU)"
        if scope == "external"
        else "All imports"
    )
    return (
        Column("label", "name", "", "The block's name (product code and description, or country)"),
        Column("supplier", "supplier", "", "The supplier (ISO3), or 'other': every other supplier"),
        Column("value_kusd", f"treemap_value_{scope}", "kUSD", value),
        Column(
            "share",
            "treemap_share_of_total",
            "share 0–1",
            "The block's value over the treemap's total (the sum of value_kusd of every block)",
        ),
    )


@router.get("/treemap.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def treemap(
    request: Request,
    facts: FactsDep,
    fmt: dl.FormatParam,
    importer: Importer = "NLD",
    year: Year = None,
    by: tm.By = "product",
    scope: tm.Scope = "external",
    lang: tm.Lang = "en",
    table: TreemapTable = "blocks",
) -> Response:
    """The treemap's data, every row: each block of the outer level with its value and share
    of the total (``blocks``; the page lists 15) and every product–supplier flow (``flows``:
    the named suppliers and 'other', the rest of the product's total)."""
    lang = lang if lang in ("nl", "en") else "en"
    m = tm.treemap(facts, importer, year, by, scope, lang)
    full = tm.treemap(facts, importer, m["year"], by, scope, lang, full=True)
    prov = dl.facts_provenance(
        request,
        facts,
        ["screening", "suppliers"],
        analysis=f"treemap {importer} {m['year']} by {by}",
        methods=[TREEMAP_METHOD, METHOD_EU2021],
        parameters={"importer": importer, "year": m["year"], "by": by, "scope": scope}
        | {"total_kusd": m["total_kusd"], "products": m["coverage"]["products"]},
    )
    own = _treemap_columns(scope)
    result = dl.result_of(
        {"blocks": full["blocks"], "flows": full["flows"]},
        prov,
        {
            "blocks": (*own, *dl.schema_of("screening")),
            "flows": (*own[1:3], *dl.schema_of("screening", "suppliers")),
        },
    )
    stem = dl.filename("treemap", importer, m["year"], by, scope)
    return dl.respond(request, result, fmt, stem, table=table)


#: The comparison's columns of a material (summed over its HS codes) no fact table declares.
COMPARE_COLUMNS = (
    Column("name", "compare_economy", "", "The economy's name"),
    Column(
        "products",
        "compare_products",
        "count",
        "The material's HS6 products the economy imports",
    ),
    Column(
        "largest_product",
        "compare_largest_product",
        "",
        "The material's product with the largest imports from outside the EU",
    ),
)
COMPARE_METHOD = (
    "Comparison: each EU27 member screened on its own (reference bloc EU27), the EU27 from "
    "the screening; a material sums its HS codes (World Mining Data's HS map) and counts its "
    "dependent products"
)


@router.get("/compare.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def compare(
    request: Request,
    facts: FactsDep,
    fmt: dl.FormatParam,
    product: cmp.Product = None,
    material: cmp.Material = None,
    year: Year = None,
    lang: tm.Lang = "en",
) -> Response:
    """The comparison: one row per economy (the EU27 and each member) for the product or
    material, every column of the page."""
    c = cmp.compare(facts, product, material, year, lang if lang in ("nl", "en") else "en")
    tables = ["comparison", "screening", *(["geopolrisk"] if c["material"] else [])]
    prov = dl.facts_provenance(
        request,
        facts,
        tables,
        analysis=f"comparison of {c['material'] or c['product']} {c['year']}",
        methods=[COMPARE_METHOD, METHOD_EU2021, METHOD_GEODEP],
        parameters={"product": c["product"], "material": c["material"], "year": c["year"]}
        | {"hs_codes": c["hs_codes"]},
        thresholds=content.served_thresholds(facts),
        notes=[f"products: {c['description']}"],
    )
    schema = (*COMPARE_COLUMNS, *dl.schema_of("comparison", "screening"))
    result = dl.result_of({"compare": c["rows"]}, prov, schema)
    stem = dl.filename("compare", c["material"] or c["product"], c["year"])
    return dl.respond(request, result, fmt, stem)
