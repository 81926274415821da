"""The trade module's JSON API: overview, the dependency explorer (JSON, CSV, Excel) and
products."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from ketenradar.interfaces.web.api import FactsDep, Importer, Year, attachment
from ketenradar.interfaces.web.frames import records
from ketenradar.modules.trade.web import content

router = APIRouter(prefix="/api/v1", tags=["trade"])


@router.get("/overview")
def overview(facts: FactsDep, economy: Importer = "NLD", year: Year = None) -> dict[str, Any]:
    """Headline counts, largest dependencies, countries depended on, CRMA flags, VA links."""
    return content.overview(facts, economy, year)


Method = Annotated[str, Query(description="eu2021, geodep, any or all")]
Text = Annotated[str | None, Query(max_length=200)]
Sort = Annotated[str, Query(description="column, '-' for descending", max_length=60)]
Page = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[
    int, Query(ge=1, description="rows per page, at most KETENRADAR_MAX_PAGE_SIZE (500)")
]


def explorer_query(
    importer: Importer = "NLD",
    year: Year = None,
    method: Method = "any",
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


@router.get("/dependencies.csv", response_class=Response)
def dependencies_csv(facts: FactsDep, params: ExplorerQuery) -> Response:
    """Exactly the rows the explorer shows (same filters, sort and page), as CSV."""
    res = content.dependencies(facts, **params)
    buf = io.StringIO()
    res["rows"].to_csv(buf, index=False)
    name = f"dependencies_{res['importer']}_{res['year']}_p{res['page']}.csv"
    return attachment(buf.getvalue(), "text/csv", name)


@router.get("/dependencies.xlsx", response_class=Response)
def dependencies_xlsx(facts: FactsDep, params: ExplorerQuery) -> Response:
    """Exactly the rows the explorer shows (same filters, sort and page), as an Excel workbook
    with a second sheet saying which data and method produced them."""
    import pandas as pd

    res = content.dependencies(facts, **params)
    foot = res["footer"]
    about = pd.DataFrame(
        [("filters", "; ".join(f"{k}={v}" for k, v in params.items() if v not in (None, "")))]
        + [("table " + k, v) for k, v in foot["tables"].items()]
        + [("sources", "; ".join(foot["sources"])), ("licences", "; ".join(foot["licences"]))]
        + [("built", f"{foot['tool']}, {foot['built_at']}")],
        columns=["item", "value"],
    )
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xl:
        res["rows"].to_excel(xl, sheet_name="dependencies", index=False)
        about.to_excel(xl, sheet_name="provenance", index=False)
    name = f"dependencies_{res['importer']}_{res['year']}_p{res['page']}.xlsx"
    return attachment(
        buf.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{name}",
    )


@router.get("/products/{hs6}.csv", response_class=Response)
def product_csv(
    facts: FactsDep,
    hs6: Annotated[str, Path(pattern=r"^\d{6}$", description="HS 6-digit code")],
    importer: Importer = "NLD",
) -> Response:
    """The product page's indicator table over the years, as CSV."""
    import pandas as pd

    p = content.product(facts, hs6, importer)
    buf = io.StringIO()
    pd.DataFrame(p["indicators"]).to_csv(buf, index=False)
    return attachment(buf.getvalue(), "text/csv", f"product_{hs6}_{importer}.csv")


@router.get("/products/{hs6}")
def product(
    facts: FactsDep,
    hs6: Annotated[str, Path(pattern=r"^\d{6}$", description="HS 6-digit code")],
    importer: Importer = "NLD",
) -> dict[str, Any]:
    """One product: indicators over the years, supplier shares over time."""
    return content.product(facts, hs6, importer)
