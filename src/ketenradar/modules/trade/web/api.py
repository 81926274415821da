"""The trade module's JSON API: overview, the dependency explorer (JSON, CSV, Excel) and
products."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from ketenradar.interfaces.web.api import FactsDep, Importer, Year
from ketenradar.interfaces.web.frames import records
from ketenradar.modules.trade.web import content

router = APIRouter(prefix="/api/v1", tags=["trade"])


@router.get("/overview")
def overview(
    facts: FactsDep,
    economy: Importer = "NLD",
    year: Year = None,
    method: Annotated[
        str, Query(description="eu2021 (default), geodep, geodep_country or any", max_length=20)
    ] = content.DEFAULT_METHOD,
) -> dict[str, Any]:
    """Headline counts, largest dependencies and countries depended on (under ``method``),
    CRMA flags, VA links; ``coverage`` and ``blocks`` say the source and year of each."""
    return content.overview(facts, economy, year, method)


Method = Annotated[
    str, Query(description="eu2021 (default), geodep, geodep_country, any or all", max_length=20)
]
Text = Annotated[str | None, Query(max_length=200)]
Sort = Annotated[str, Query(description="column, '-' for descending", max_length=60)]
Page = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[
    int, Query(ge=1, description="rows per page, at most KETENRADAR_MAX_PAGE_SIZE (500)")
]


def explorer_query(
    importer: Importer = "NLD",
    year: Year = None,
    method: Method = content.DEFAULT_METHOD,
    ecosystem: Text = None,
    supplier: Text = None,
    q: Text = None,
    sort: Sort = "-external_imports_kusd",
    page: Page = 1,
    page_size: PageSize = 25,
) -> dict[str, Any]:
    """The explorer's parameters, shared by the JSON and CSV endpoints and the page."""
    return {
        "importer": importer,
        "year": year,
        "method": method,
        "ecosystem": ecosystem,
        "supplier": supplier,
        "q": q,
        "sort": sort,
        "page": page,
        "page_size": page_size,
    }


ExplorerQuery = Annotated[dict[str, Any], Depends(explorer_query)]


@router.get("/dependencies")
def dependencies(facts: FactsDep, params: ExplorerQuery) -> dict[str, Any]:
    """The dependency explorer: filter, sort, paginate the screening."""
    res = content.dependencies(facts, **params)
    return res | {"rows": records(res["rows"])}


# CSV, XLSX and Parquet of the explorer and a product (every row, with provenance):
# ketenradar.modules.trade.web.downloads (/api/v1/dependencies.csv, /api/v1/products/{hs6}.csv)


@router.get("/products/{hs6}")
def product(
    facts: FactsDep,
    hs6: Annotated[str, Path(pattern=r"^\d{6}$", description="HS 6-digit code")],
    importer: Importer = "NLD",
) -> dict[str, Any]:
    """One product: indicators over the years, supplier shares over time."""
    return content.product(facts, hs6, importer)
