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
from ketenradar.modules.trade.analysis.balance import direction
from ketenradar.modules.trade.api import build_thresholds
from ketenradar.results.facts import Facts

#: The explorer's methods; the first (EU 2021, the method of the balance) is every page's default.
METHODS = ("eu2021", "geodep", "geodep_country", "any", "all")
DEFAULT_METHOD = METHODS[0]
#: Dependency methods a headline count can use (not "all").
COUNT_METHODS = METHODS[:4]
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
    "dependent_geodep_country",
    "transit",
]


def served_thresholds(facts: Facts) -> dict[str, float]:
    """The thresholds of the trade facts served: those their build recorded in the facts'
    manifest (the screening's method thresholds and materiality minimums, the balance's
    ``mutual_min_value_ratio``); for facts built before builds recorded them, the current
    settings' (:func:`ketenradar.modules.trade.api.build_thresholds`; the data page then asks
    for a rebuild)."""
    return {**build_thresholds(), **facts.thresholds("screening")}


def threshold_changes(facts: Facts) -> list[dict[str, Any]]:
    """The thresholds whose current settings differ from those the served trade facts were
    built with (:meth:`ketenradar.results.facts.Facts.threshold_changes`)."""
    return facts.threshold_changes("screening", build_thresholds())


def balance_direction(
    importer_kusd: float, partner_kusd: float, min_ratio: float | None = None
) -> str:
    """Which way a balance points: mutual, importer_depends, partner_depends or none; mutual
    only when the smaller side's value is at least ``min_ratio`` of the larger's (pass the
    served facts' ``mutual_min_value_ratio``, :func:`served_thresholds`; ``None``: the
    setting ``KETENRADAR_MUTUAL_MIN_VALUE_RATIO``)
    (:func:`ketenradar.modules.trade.analysis.balance.direction`)."""
    ratio = settings().mutual_min_value_ratio if min_ratio is None else min_ratio
    return direction(importer_kusd, partner_kusd, ratio)


def screening(facts: Facts, importer: str, year: int | None) -> tuple[pd.DataFrame, int]:
    """The screening rows of one importer and year (default: the latest year)."""
    _choice("importer", importer, facts.values("screening", "importer"))
    years = [int(y) for y in facts.values("screening", "year", importer=importer)]
    year = years[-1] if year is None else year
    _choice("year", year, years)
    return facts.rows("screening", importer=importer, year=year), year


def dependent(df: pd.DataFrame, method: str) -> pd.Series:
    """Which screening rows count as dependent under ``method`` (eu2021, geodep,
    geodep_country, any: EU 2021 or GeoDep, all: every row)."""

    def flag(col: str) -> pd.Series:
        if col not in df.columns:  # facts built before the column existed
            return pd.Series(False, index=df.index)
        return df[col].fillna(False).astype(bool)

    eu, geo = flag("dependent_eu2021"), flag("dependent_geodep")
    return {
        "eu2021": eu,
        "geodep": geo,
        "geodep_country": flag("dependent_geodep_country"),
        "any": eu | geo,
        "all": eu | ~eu,
    }[method]


def releases(facts: Facts, table: str) -> str:
    """The releases of the datasets behind a fact table, as a reader knows them
    (``BACI V202401b``, ``CRM 2023``, ``OECD ICIO 2025 release``)."""
    m = facts.manifest()
    names = m["tables"].get(table, {}).get("datasets", [])
    out = []
    for d in m["datasets"]:
        if d["dataset"] not in names:
            continue
        source, release = str(d["source"]).upper().replace("_", " "), str(d["release"])
        known = source in release.upper() or release.upper().startswith(source.split()[-1])
        out.append(release if known else f"{source} {release}")
    return "; ".join(dict.fromkeys(out))


def coverage(facts: Facts, importer: str, year: int) -> dict[str, Any]:
    """What a trade headline covers, computed from the served facts: products imported in
    ``year`` of the products in the screening facts, their source and the years."""
    years = [int(y) for y in facts.values("screening", "year", importer=importer)]
    return {
        "products_imported": len(facts.rows("screening", importer=importer, year=year)),
        "products_covered": len(facts.values("screening", "product", importer=importer)),
        "source": releases(facts, "screening"),
        "year": year,
        "first_year": years[0] if years else year,
        "last_year": years[-1] if years else year,
    }


def overview(
    facts: Facts, economy: str = "NLD", year: int | None = None, method: str = DEFAULT_METHOD
) -> dict[str, Any]:
    """Headline counts and the largest dependencies (under ``method``: eu2021, geodep,
    geodep_country or any), suppliers, CRMA flags and VA links, each block with its source
    and year."""
    _choice("method", method, list(COUNT_METHODS))
    df, year = screening(facts, economy, year)
    return facts.cached(
        ("overview", economy, year, method), lambda: _overview(facts, df, economy, year, method)
    )


def overview_tables(
    facts: Facts, df: pd.DataFrame, economy: str, method: str
) -> dict[str, pd.DataFrame]:
    """The overview's blocks in full (the page shows the first 10 rows of each; downloads
    every row): the dependent products under ``method`` by external imports
    (``dependencies``, every screening column of ``df``, the importer-year's screening), the
    countries they come from (``countries``), the CRMA flags (``crma``) and the foreign value
    added in the economy's final demand (``value_added``)."""
    dep = df[dependent(df, method)].sort_values("external_imports_kusd", ascending=False)
    by_supplier = (
        dep.groupby("top_supplier")
        .agg(products=("product", "size"), external_imports_kusd=("external_imports_kusd", "sum"))
        .reset_index()
        .sort_values(["products", "external_imports_kusd"], ascending=False)
        .rename(columns={"top_supplier": "country"})
    )
    crma = facts.table("crma")
    io = facts.table("io_exposure_country")
    return {
        "dependencies": dep,
        "countries": by_supplier,
        "crma": crma[crma["meets_65"].eq(False)],
        "value_added": io[(io["economy"] == economy) & ~io["domestic"]],
    }


def _overview(
    facts: Facts, df: pd.DataFrame, economy: str, year: int, method: str
) -> dict[str, Any]:
    full = overview_tables(facts, df, economy, method)
    top_deps = full["dependencies"].head(10)
    by_supplier = full["countries"].head(10)
    flagged = full["crma"]
    io = full["value_added"].head(10)
    io_years = sorted({int(y) for y in io["year"]})
    return {
        "economy": economy,
        "year": year,
        "method": method,
        "methods": list(COUNT_METHODS),
        "economies": [str(e) for e in facts.values("screening", "importer")],
        "years": [int(y) for y in facts.values("screening", "year", importer=economy)],
        "coverage": coverage(facts, economy, year),
        # the source and year of each block of the page (trade, CRMA, input-output)
        "blocks": {
            "trade": {"source": releases(facts, "screening"), "year": year},
            "crma": {"source": releases(facts, "crma"), "year": None},
            "io": {
                "source": releases(facts, "io_exposure_country"),
                "year": io_years[-1] if io_years else None,
            },
        },
        "counts": {
            "products_screened": len(df),
            "dependent_eu2021": int(dependent(df, "eu2021").sum()),
            "dependent_geodep": int(dependent(df, "geodep").sum()),
            "dependent_geodep_country": int(dependent(df, "geodep_country").sum()),
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
        "countries_depended_on": records(by_supplier),
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
    method: str = DEFAULT_METHOD,
    ecosystem: str | None = None,
    supplier: str | None = None,
    q: str | None = None,
    sort: str = "-external_imports_kusd",
    page: int = 1,
    page_size: int = 25,
    all_rows: bool = False,
) -> dict[str, Any]:
    """The dependency explorer: filtered, sorted, paginated screening rows (``all_rows``:
    every filtered row with every screening column, for downloads)."""
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
    if all_rows:
        page, page_size = 1, max(total, 1)
    pages = max(1, math.ceil(total / page_size))
    shown = df.iloc[(page - 1) * page_size : page * page_size]
    shown = shown if all_rows else shown[DEPENDENCY_COLUMNS]
    return {
        "importer": importer,
        "year": year,
        "method": method,
        "total": total,
        # every filtered row's external imports (not only this page's)
        "total_external_imports_kusd": float(df["external_imports_kusd"].sum()),
        "coverage": coverage(facts, importer, year),
        # the thresholds the served facts were screened with (the explorer's note)
        "thresholds": served_thresholds(facts),
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
        "thresholds": served_thresholds(facts),
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

    ratio = served_thresholds(facts)["mutual_min_value_ratio"]

    def side(name: str) -> list[dict[str, Any]]:
        df = now[now["side"] == name][cols].merge(summary, on="partner", how="left")
        df["direction"] = [
            balance_direction(a, b, ratio)
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
