"""What each page and API call shows, as pure functions of the fact tables.

No web framework here: every function takes :class:`~ketenradar.results.facts.Facts` and plain
parameters, validates them (a :class:`~ketenradar.core.errors.UsageError` names the bad parameter
and the allowed values: the API turns it into a 4xx) and returns plain data.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.core.settings import settings
from ketenradar.interfaces.web.frames import choice as _choice
from ketenradar.interfaces.web.frames import finite, records
from ketenradar.modules.trade.analysis.dependencies import DEFAULT_THRESHOLDS
from ketenradar.results.facts import Facts

METHODS = ("eu2021", "geodep", "any", "all")
DEPENDENCY_COLUMNS = [
    "importer",
    "year",
    "product",
    "product_description",
    "ecosystem",
    "external_imports_kusd",
    "external_share",
    "supplier_hhi",
    "top_supplier",
    "top_supplier_share",
    "import_export_ratio",
    "world_export_hhi",
    "dependent_eu2021",
    "dependent_geodep",
    "transit",
]


def balance_direction(importer_kusd: float, partner_kusd: float) -> str:
    """Which way a balance points: mutual, importer_depends, partner_depends or none."""
    if importer_kusd > 0 and partner_kusd > 0:
        return "mutual"
    if importer_kusd > 0:
        return "importer_depends"
    if partner_kusd > 0:
        return "partner_depends"
    return "none"


def screening(facts: Facts, importer: str, year: int | None) -> tuple[pd.DataFrame, int]:
    """The screening rows of one importer and year (default: the latest year)."""
    _choice("importer", importer, facts.values("screening", "importer"))
    years = [int(y) for y in facts.values("screening", "year", importer=importer)]
    year = years[-1] if year is None else year
    _choice("year", year, years)
    return facts.rows("screening", importer=importer, year=year), year


def dependent(df: pd.DataFrame, method: str) -> pd.Series:
    """Which screening rows count as dependent under ``method`` (eu2021, geodep, any, all)."""
    eu = df["dependent_eu2021"].fillna(False).astype(bool)
    geo = df["dependent_geodep"].fillna(False).astype(bool)
    return {"eu2021": eu, "geodep": geo, "any": eu | geo, "all": eu | ~eu}[method]


def overview(facts: Facts, economy: str = "NLD", year: int | None = None) -> dict[str, Any]:
    """Headline counts and the largest dependencies, suppliers, CRMA flags and VA links."""
    df, year = screening(facts, economy, year)
    return facts.cached(("overview", economy, year), lambda: _overview(facts, df, economy, year))


def _overview(facts: Facts, df: pd.DataFrame, economy: str, year: int) -> dict[str, Any]:
    dep = df[dependent(df, "any")]
    top_deps = dep.sort_values("external_imports_kusd", ascending=False).head(10)
    by_supplier = (
        dep.groupby("top_supplier")
        .agg(products=("product", "size"), external_imports_kusd=("external_imports_kusd", "sum"))
        .reset_index()
        .sort_values(["products", "external_imports_kusd"], ascending=False)
        .head(10)
    )
    crma = facts.table("crma")
    flagged = crma[crma["meets_65"].eq(False)]
    io = facts.table("io_exposure_country")
    io = io[(io["economy"] == economy) & ~io["domestic"]].head(10)
    return {
        "economy": economy,
        "year": year,
        "economies": [str(e) for e in facts.values("screening", "importer")],
        "years": [int(y) for y in facts.values("screening", "year", importer=economy)],
        "counts": {
            "products_screened": len(df),
            "dependent_eu2021": int(dependent(df, "eu2021").sum()),
            "dependent_geodep": int(dependent(df, "geodep").sum()),
            "crma_65_exceeded": int(flagged["material"].nunique()),
        },
        "largest_dependencies": records(
            top_deps[
                [
                    "product",
                    "product_description",
                    "external_imports_kusd",
                    "top_supplier",
                    "top_supplier_share",
                    "dependent_eu2021",
                    "dependent_geodep",
                ]
            ]
        ),
        "countries_depended_on": records(by_supplier.rename(columns={"top_supplier": "country"})),
        "crma_flags": records(
            flagged[["material", "name", "stage", "max_third_country"]].assign(
                share=flagged["max_third_country_share_eu_sourcing"]
            )
        ),
        "foreign_value_added": records(
            io[
                [
                    "source_country",
                    "source_country_name",
                    "embodied_va_musd",
                    "embodied_va_share",
                    "services_va_musd",
                    "basis",
                    "year",
                ]
            ]
        ),
        "footer": facts.footer(["screening", "crma", "io_exposure_country"]),
    }


def dependencies(
    facts: Facts,
    *,
    importer: str = "NLD",
    year: int | None = None,
    method: str = "any",
    ecosystem: str | None = None,
    supplier: str | None = None,
    q: str | None = None,
    sort: str = "-external_imports_kusd",
    page: int = 1,
    page_size: int = 25,
) -> dict[str, Any]:
    """The dependency explorer: filtered, sorted, paginated screening rows."""
    _choice("method", method, list(METHODS))
    if page < 1:
        raise UsageError(f"page must be 1 or more, not {page}")
    largest = settings().max_page_size
    if not 1 <= page_size <= largest:
        raise UsageError(
            f"page_size must lie between 1 and {largest} (KETENRADAR_MAX_PAGE_SIZE), "
            f"not {page_size}"
        )
    key = sort.lstrip("-")
    _choice("sort column", key, DEPENDENCY_COLUMNS)
    df, year = screening(facts, importer, year)
    # the importer-year's rows sorted once per sort order (product breaks ties, so sorting
    # before filtering gives the same order as after); the filters keep that order
    desc = sort.startswith("-")
    view = (importer, year, key, desc)
    df = facts.cached(
        ("explorer", *view),
        lambda: df.sort_values(
            [key, "product"], ascending=[not desc, True], na_position="last"
        ).reset_index(drop=True),
    )
    keep = facts.cached(("explorer-method", *view, method), lambda: dependent(df, method))
    if ecosystem:
        # the column lists ecosystems separated by "; ": match a whole item
        listed = facts.cached(
            ("explorer-ecosystems", *view), lambda: "; " + df["ecosystem"].fillna("") + "; "
        )
        keep = keep & listed.str.contains(f"; {ecosystem}; ", regex=False)
    if supplier:
        keep = keep & (df["top_supplier"] == supplier.upper())
    if q:
        needle = q.strip().lower()
        lower = facts.cached(
            ("explorer-text", *view),
            lambda: df["product_description"].fillna("").str.lower(),
        )
        keep = keep & (
            df["product"].str.startswith(needle) | lower.str.contains(needle, regex=False)
        )
    df = df[keep]
    total = len(df)
    pages = max(1, math.ceil(total / page_size))
    shown = df.iloc[(page - 1) * page_size : page * page_size][DEPENDENCY_COLUMNS]
    return {
        "importer": importer,
        "year": year,
        "method": method,
        "total": total,
        "page": page,
        "pages": pages,
        "page_size": page_size,
        "sort": sort,
        "rows": shown,
        "footer": facts.footer(["screening"]),
    }


def product(facts: Facts, hs6: str, importer: str = "NLD") -> dict[str, Any]:
    """One product: indicators over the years, supplier shares over time and where it sits
    in the mutual-dependency balance."""
    _choice("importer", importer, facts.values("screening", "importer"))
    return facts.cached(("product", importer, hs6), lambda: _product(facts, hs6, importer))


def _product(facts: Facts, hs6: str, importer: str) -> dict[str, Any]:
    rows = facts.rows("screening", importer=importer, product=hs6).sort_values("year")
    if rows.empty:
        raise NotFoundError(f"no product {hs6} in the screening of {importer}")
    sup = facts.rows("suppliers", importer=importer, product=hs6).sort_values(
        ["year", "share"], ascending=[True, False]
    )
    return {
        "product": hs6,
        "description": rows["product_description"].iloc[-1],
        "importer": importer,
        "importers": [str(i) for i in facts.values("screening", "importer")],
        "thresholds": DEFAULT_THRESHOLDS.as_dict(),
        "indicators": records(rows[[c for c in DEPENDENCY_COLUMNS if c != "importer"]]),
        "suppliers": records(sup[["year", "supplier", "value_kusd", "share", "external"]]),
        "balance": product_balance(facts, hs6, importer),
        "footer": facts.footer(["screening", "suppliers", "balance", "balance_products"]),
    }


#: Sides of the mutual-dependency balance, as ``balance_products`` names them.
IMPORTER_SIDE = "importer depends on partner"
PARTNER_SIDE = "partner depends on importer"
_PARTNER_BALANCE = [
    "importer_dependent_products",
    "importer_dependent_kusd",
    "partner_dependent_products",
    "partner_dependent_kusd",
    "balance_ratio_products",
    "balance_ratio_kusd",
]


def product_balance(facts: Facts, hs6: str, importer: str = "NLD") -> dict[str, Any]:
    """Where one product sits in the importer's mutual-dependency balance (EU 2021).

    For the latest year: the partner the importer depends on for the product (its top
    external supplier, when the product is dependent) and the partners that depend on the
    importer for it, each with that partner's whole balance with the importer (``balance``),
    so a reader sees whether the product is leverage or exposure. ``over_time`` counts both
    sides for every year of the ``balance`` table.
    """
    years = [int(y) for y in facts.values("balance", "year", importer=importer)]
    rows = facts.rows("balance_products", importer=importer, product=hs6)
    out: dict[str, Any] = {"year": years[-1] if years else None, "method": "eu2021"}
    if not years:
        return out | {"importer_depends_on": [], "partners_depending": [], "over_time": []}
    now = rows[rows["year"] == years[-1]]
    summary = facts.rows("balance", importer=importer, year=years[-1])[
        ["partner", *_PARTNER_BALANCE]
    ]
    cols = [
        "partner",
        "dependent_imports_kusd",
        "top_supplier",
        "top_supplier_share",
        "supplier_hhi",
    ]

    def side(name: str) -> list[dict[str, Any]]:
        df = now[now["side"] == name][cols].merge(summary, on="partner", how="left")
        df["direction"] = [
            balance_direction(a, b)
            for a, b in zip(
                df["importer_dependent_kusd"], df["partner_dependent_kusd"], strict=True
            )
        ]
        df = df.sort_values(["dependent_imports_kusd", "partner"], ascending=[False, True])
        return records(finite(df, ["balance_ratio_products", "balance_ratio_kusd"]))

    rows = rows.sort_values(["year", "dependent_imports_kusd"], ascending=[True, False])
    ours = rows[rows["side"] == IMPORTER_SIDE].groupby("year")
    theirs = rows[rows["side"] == PARTNER_SIDE].groupby("year")
    top = ours["partner"].first().to_dict()
    ours_kusd = ours["dependent_imports_kusd"].sum().to_dict()
    names = theirs["partner"].agg(list).to_dict()
    theirs_kusd = theirs["dependent_imports_kusd"].sum().to_dict()
    per_year = [
        {
            "year": y,
            "importer_depends_on": top.get(y),
            "importer_dependent_kusd": float(ours_kusd.get(y, 0.0)),
            "partners_depending": len(names.get(y, [])),
            "partners_dependent_kusd": float(theirs_kusd.get(y, 0.0)),
            "partners": names.get(y, []),
        }
        for y in years
    ]
    return out | {
        "importer_depends_on": side(IMPORTER_SIDE),
        "partners_depending": side(PARTNER_SIDE),
        "over_time": per_year,
    }
