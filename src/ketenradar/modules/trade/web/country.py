"""The country page and the world map of dependence, as pure functions of the fact tables.

For an importer (NLD or EU27) and one partner country:

* what the importer depends on from the partner: the dependent products (EU 2021 or GeoDep
  screening) whose top external supplier is the partner, and every product the partner is
  among the importer's top-5 suppliers of, with its share (``screening``, ``suppliers``);
* what the partner depends on from the importer: the partner's own dependent products whose
  top supplier is the importer (a member of it), as counts and values (``balance``) and as
  the list of products (``balance_products``), both from
  :func:`ketenradar.modules.trade.analysis.balance.mutual_dependency`;
* the balance over time (every year of the ``balance`` table) and the value added both ways
  (``io_balance``, OECD ICIO 2022, NLD only).

:func:`world_map` gives one value per partner for the choropleth. No web framework here.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.core.groups import GroupRegistry
from ketenradar.core.vocabularies.baci_countries import SPECIAL_CODES
from ketenradar.modules.trade.web.content import (
    PARTNER_SIDE,
    balance_direction,
    coverage,
    dependent,
    finite,
    records,
    served_thresholds,
)
from ketenradar.results.facts import Facts

#: Methods for the list of dependent products; the first is the default and the method of the
#: balance (its counts and values are always EU 2021, the page says so beside them).
METHODS = ("eu2021", "geodep", "geodep_country", "any")
BALANCE_METHOD = "eu2021"

#: Measures the world map can show: column, table and what it means.
MEASURES: dict[str, tuple[str, str]] = {
    "importer_dependent_kusd": (
        "balance",
        "external imports of the importer's dependent "
        "products whose top supplier is the partner (thousand USD)",
    ),
    "importer_dependent_products": (
        "balance",
        "number of the importer's dependent products whose top supplier is the partner",
    ),
    "partner_dependent_kusd": (
        "balance",
        "the partner's imports of its dependent products "
        "whose top supplier is the importer (thousand USD)",
    ),
    "partner_dependent_products": (
        "balance",
        "number of the partner's dependent products whose top supplier is the importer",
    ),
    "balance_ratio_products": (
        "balance",
        "partner-on-importer over importer-on-partner "
        "(products); above 1 the partner depends more on the importer",
    ),
    "balance_ratio_kusd": ("balance", "the same ratio by value"),
    "importer_dependent_va_musd": (
        "io_balance",
        "value added of the partner in the importer's final output (USD million, OECD ICIO 2022)",
    ),
    "partner_dependent_va_musd": (
        "io_balance",
        "value added of the importer in the partner's final output (USD million, OECD ICIO 2022)",
    ),
    "balance_ratio_va": ("io_balance", "partner-on-importer over importer-on-partner, value added"),
}

#: BACI codes drawn on (and with value added from) another code's territory.
SAME_TERRITORY = {"S19": "TWN"}

#: Countries BACI reports inside a historical entity until a year (code, last year).
HISTORICAL = {"ZAF": ("ZA1", 1999)}

BALANCE_COLUMNS = [
    "importer_dependent_products",
    "importer_dependent_kusd",
    "partner_dependent_products",
    "partner_dependent_kusd",
    "balance_ratio_products",
    "balance_ratio_kusd",
]


@cache
def _registry() -> GroupRegistry:
    return GroupRegistry()


@cache
def _converter_names() -> dict[str, str]:
    """ISO3 → short name from the packaged country table (cached; the tests clear it by name)."""
    from ketenradar.core.countries import country_names

    return country_names()


def country_name(iso3: str) -> str:
    """A readable English name for an ISO3 code or one of BACI's special codes."""
    special = dict(SPECIAL_CODES.values())
    if iso3 in special:
        return special[iso3]
    if iso3 in _converter_names():
        return _converter_names()[iso3]
    if iso3.startswith("X") and iso3[1:].isdigit():
        return f"BACI code {int(iso3[1:])} (no ISO3 code)"
    return iso3


def _data_codes(facts: Facts) -> set[str]:
    codes: set[str] = set(facts.values("balance", "partner"))
    codes |= set(facts.values("suppliers", "supplier")) - {"other"}
    codes |= set(facts.values("screening", "top_supplier"))
    codes |= set(facts.values("io_balance", "partner"))
    return codes


def resolve_country(facts: Facts, text: str) -> str:
    """The code of a country given as an ISO3 code (any case) or a name (``china``).

    Raises :class:`NotFoundError` naming the closest codes the data knows.
    """
    from ketenradar.core.countries import names_to_iso3

    raw = " ".join(str(text).split())
    if not raw:
        raise UsageError("country is empty: give an ISO3 code such as CHN")
    in_data = _data_codes(facts)
    known = in_data | set(_converter_names())
    code = raw.upper()
    if code in known:
        return code
    if len(raw) > 3:
        found = names_to_iso3([raw]).get(raw)
        if found in known:
            return found
    close = _closest(raw, in_data)
    hint = ", ".join(f"{c} ({country_name(c)})" for c in close)
    raise NotFoundError(
        f"no country '{raw}': not an ISO3 code or a country name"
        + (f" (closest: {hint})" if hint else " (use an ISO3 code such as CHN)")
    )


def _closest(raw: str, codes: set[str], n: int = 5) -> list[str]:
    """Codes like ``raw``: same letters in the same places (first letter counting most),
    then names spelled alike."""
    code = raw.upper()

    def score(c: str) -> float:
        return sum(a == b for a, b in zip(code, c, strict=False)) + 0.5 * (code[:1] == c[:1])

    close = []
    if len(code) <= 4:
        close = [c for c in sorted(codes, key=lambda c: (-score(c), c)) if score(c) >= 2][:n]
    names = {country_name(c).lower(): c for c in sorted(codes)}
    close += [names[m] for m in difflib.get_close_matches(raw.lower(), list(names), n=n)]
    return list(dict.fromkeys(close))[:n]


def _importer(facts: Facts, importer: str) -> str:
    importers = facts.values("balance", "importer")
    imp = str(importer).strip().upper()
    if imp not in importers:
        raise UsageError(
            f"importer '{importer}' is not available (choose one of: {', '.join(importers)})"
        )
    return imp


def members(importer: str) -> frozenset[str]:
    """The ISO3 members of an importer (``NLD`` → {NLD}, ``EU27`` → the 27)."""
    return _registry().resolve(importer).members


def _years(facts: Facts, importer: str) -> list[int]:
    return [int(y) for y in facts.values("balance", "year", importer=importer)]


def _year(facts: Facts, importer: str, year: int | None) -> tuple[int, list[int]]:
    years = _years(facts, importer)
    if year is None:
        return years[-1], years
    if year not in years:
        raise UsageError(
            f"year {year} is not available for {importer} (years {years[0]}–{years[-1]})"
        )
    return int(year), years


def _balance_over_time(facts: Facts, importer: str, iso3: str, years: list[int]) -> pd.DataFrame:
    rows = facts.rows("balance", importer=importer, partner=iso3).set_index("year")
    # a partner absent in a year has no dependent product either way that year
    out = rows.reindex(years)[BALANCE_COLUMNS].rename_axis("year").reset_index()
    for c in BALANCE_COLUMNS[:4]:
        out[c] = out[c].fillna(0)
    for c in ("importer_dependent_products", "partner_dependent_products"):
        out[c] = out[c].astype("int64")
    ratio = served_thresholds(facts)["mutual_min_value_ratio"]
    out["direction"] = [
        balance_direction(a, b, ratio)
        for a, b in zip(out["importer_dependent_kusd"], out["partner_dependent_kusd"], strict=True)
    ]
    return finite(out, ["balance_ratio_products", "balance_ratio_kusd"])


def _value_added(facts: Facts, importer: str, iso3: str) -> dict[str, Any] | None:
    if importer != "NLD":
        return None
    code = SAME_TERRITORY.get(iso3, iso3)
    row = facts.rows("io_balance", importer=importer, partner=code)
    if row.empty:
        return None
    cols = [
        "partner",
        "partner_name",
        "year",
        "basis",
        "importer_dependent_va_musd",
        "importer_dependent_share",
        "partner_dependent_va_musd",
        "partner_dependent_share",
        "balance_ratio_va",
        "balance_ratio_share",
    ]
    out = records(finite(row[cols], ["balance_ratio_va", "balance_ratio_share"]))[0]
    e = facts.rows("io_exposure_country", economy=importer, source_country=code)
    for c in ("direct_inputs_musd", "services_va_musd", "embodied_va_share"):
        out[c] = records(e[[c]])[0][c] if not e.empty else None
    return out


def country(
    facts: Facts,
    iso3: str,
    importer: str = "NLD",
    year: int | None = None,
    method: str = "eu2021",
) -> dict[str, Any]:
    """What ``importer`` depends on from a country and what the country depends on from it.

    ``iso3`` may be an ISO3 code in any case or a country name; the answer's ``iso3`` is the
    code. ``year`` defaults to the latest; ``method`` (eu2021, geodep, any) selects the list of
    dependent products (the balance counts use EU 2021, as the ``balance`` table does).
    """
    if method not in METHODS:
        raise UsageError(
            f"method '{method}' is not available (choose one of: {', '.join(METHODS)})"
        )
    importer = _importer(facts, importer)
    code = resolve_country(facts, iso3)
    if code in members(importer):
        raise UsageError(
            f"{code} is part of the importer {importer}: choose a partner outside it "
            f"(or another importer)"
        )
    year, years = _year(facts, importer, year)
    key = ("country", importer, code, year, method)
    return facts.cached(key, lambda: _country(facts, code, importer, year, years, method))


def _country(
    facts: Facts, code: str, importer: str, year: int, years: list[int], method: str
) -> dict[str, Any]:
    over_time = _balance_over_time(facts, importer, code, years)
    now = records(over_time[over_time["year"] == year])[0]

    scr = facts.rows("screening", importer=importer, year=year)
    # imports from the partner itself: its share of external imports times external imports
    scr = scr.assign(from_partner_kusd=scr["external_imports_kusd"] * scr["top_supplier_share"])
    dep = scr[dependent(scr, method) & (scr["top_supplier"] == code)]
    dep = dep.sort_values(["external_imports_kusd", "product"], ascending=[False, True])
    # the headline (balance, EU 2021): the same products, and what of their value is the partner's
    head = scr[dependent(scr, BALANCE_METHOD) & (scr["top_supplier"] == code)]
    now["importer_dependent_from_partner_kusd"] = float(head["from_partner_kusd"].sum())
    dep_cols = [
        "product",
        "product_description",
        "external_imports_kusd",
        "from_partner_kusd",
        "top_supplier_share",
        "supplier_hhi",
        "dependent_eu2021",
        "dependent_geodep",
    ]

    sup = facts.rows("suppliers", importer=importer, year=year)
    sup = sup[sup["supplier"] != "other"].copy()  # "other" sums the suppliers beyond the top 5
    sup["rank"] = sup.groupby("product")["value_kusd"].rank(ascending=False, method="first")
    sup = sup[sup["supplier"] == code]
    imp = sup.merge(
        scr[
            [
                "product",
                "product_description",
                "top_supplier",
                "dependent_eu2021",
                "dependent_geodep",
            ]
        ],
        on="product",
        how="left",
    ).sort_values(["value_kusd", "product"], ascending=[False, True])
    imp["rank"] = imp["rank"].astype("int64")
    imp["is_top_supplier"] = imp["top_supplier"].eq(code)
    imp_cols = [
        "product",
        "product_description",
        "value_kusd",
        "share",
        "rank",
        "external",
        "is_top_supplier",
        "dependent_eu2021",
        "dependent_geodep",
    ]

    theirs = facts.rows("balance_products", importer=importer, partner=code, year=year)
    theirs = theirs[theirs["side"] == PARTNER_SIDE].sort_values(
        ["dependent_imports_kusd", "product"], ascending=[False, True]
    )
    they_cols = [
        "product",
        "product_description",
        "dependent_imports_kusd",
        "top_supplier",
        "top_supplier_share",
        "supplier_hhi",
    ]

    va = _value_added(facts, importer, code)
    notes = []
    if importer != "NLD":
        notes.append(_note("va_nld_only", importer=importer, partner=code))
    elif va is None:
        notes.append(_note("va_not_in_icio", importer=importer, partner=code))
    elif code in SAME_TERRITORY:
        notes.append(_note("va_same_territory", partner=code, other=SAME_TERRITORY[code]))
    baci_alias = {v: k for k, v in SAME_TERRITORY.items()}
    if code in baci_alias:
        notes.append(_note("baci_alias", partner=code, other=baci_alias[code]))
    if code in HISTORICAL:
        notes.append(
            _note(
                "historical",
                partner=code,
                other=HISTORICAL[code][0],
                until=str(HISTORICAL[code][1]),
            )
        )
    return {
        "iso3": code,
        "name": country_name(code),
        "importer": importer,
        "importers": [i for i in _importers(facts) if code not in members(i)],
        "year": year,
        "years": years,
        "method": method,
        "balance_method": BALANCE_METHOD,
        "reference_bloc": str(scr["reference_bloc"].iloc[0]) if len(scr) else importer,
        "coverage": coverage(facts, importer, year),
        "summary": now,
        "we_depend_on": records(dep[dep_cols]),
        "we_import": records(imp[imp_cols]),
        "they_depend_on": records(theirs[they_cols]),
        "balance_over_time": records(over_time),
        "value_added": va,
        "notes": notes,
        "footer": facts.footer(
            [
                "balance",
                "balance_products",
                "screening",
                "suppliers",
                "io_balance",
                "io_exposure_country",
            ]
        ),
    }


#: What the notes on a country say (English; the page translates them by ``code``).
NOTES = {
    "va_nld_only": "Value added (OECD ICIO 2022) is computed for NLD only.",
    "va_not_in_icio": "{partner} is not a separate economy in OECD ICIO 2022 (it is part of the "
    "rest of the world): no value added both ways.",
    "va_same_territory": "Value added is OECD ICIO's {other} ({other_name}).",
    "baci_alias": "BACI reports the trade of {partner} as {other} ({other_name}).",
    "historical": "Until {until} BACI reports {partner} inside {other} ({other_name}).",
}


def _note(code: str, **params: str) -> dict[str, Any]:
    if "other" in params:
        params["other_name"] = country_name(params["other"])
    return {"code": code, "params": params, "text": NOTES[code].format(**params)}


def _importers(facts: Facts) -> list[str]:
    return sorted(facts.values("balance", "importer"), key=lambda i: (i != "NLD", i))


def world_map(
    facts: Facts,
    importer: str = "NLD",
    year: int | None = None,
    measure: str = "importer_dependent_kusd",
) -> dict[str, Any]:
    """One value of ``measure`` per partner country, for the world map of dependence.

    Each row: ``iso3``, ``name``, ``location`` (the ISO3 territory the map draws it on;
    ``null`` for BACI aggregates without one), ``value``, the four balance quantities and
    ``direction`` (mutual, importer_depends, partner_depends). Ratios with nothing on the
    importer's side are infinite: ``value`` is then ``null`` and ``direction`` says so.
    """
    if measure not in MEASURES:
        raise UsageError(
            f"measure '{measure}' is not available (choose one of: {', '.join(MEASURES)})"
        )
    importer = _importer(facts, importer)
    key = ("world_map", importer, year, measure)
    return facts.cached(key, lambda: _world_map(facts, importer, year, measure))


def _world_map(facts: Facts, importer: str, year: int | None, measure: str) -> dict[str, Any]:
    table, meaning = MEASURES[measure]
    if table == "balance":
        year, years = _year(facts, importer, year)
        df = facts.rows("balance", importer=importer, year=year)
        imp_col, par_col = "importer_dependent_kusd", "partner_dependent_kusd"
        extra = BALANCE_COLUMNS[:4]
    else:
        df = facts.rows("io_balance", importer=importer)
        if df.empty:
            raise UsageError(
                f"measure '{measure}' (value added, OECD ICIO 2022) is available for NLD only"
            )
        years = sorted(int(y) for y in df["year"].unique())
        if year is not None and year not in years:
            raise UsageError(f"measure '{measure}' is for {years[-1]} only, not {year}")
        year = years[-1]
        df = df[df["year"] == year]
        imp_col, par_col = "importer_dependent_va_musd", "partner_dependent_va_musd"
        extra = [imp_col, par_col]
    df = df.sort_values([measure, "partner"], ascending=[False, True], na_position="last")
    ratio = served_thresholds(facts)["mutual_min_value_ratio"]
    out = pd.DataFrame(
        {
            "iso3": df["partner"],
            "name": [country_name(c) for c in df["partner"]],
            "location": [_location(c) for c in df["partner"]],
            "value": df[measure].replace([np.inf, -np.inf], np.nan),
            **{c: df[c] for c in extra},
            "direction": [
                balance_direction(a, b, ratio)
                for a, b in zip(df[imp_col], df[par_col], strict=True)
            ],
        }
    )
    values = out["value"].dropna()
    return {
        "importer": importer,
        "importers": _importers(facts),
        "year": year,
        "years": years,
        "measure": measure,
        "measures": list(MEASURES),
        "method": BALANCE_METHOD if table == "balance" else None,
        "coverage": coverage(facts, importer, year) if table == "balance" else None,
        "meaning": meaning,
        "ratio": measure.startswith("balance_ratio"),
        "max": None if values.empty else float(values.max()),
        "rows": records(out),
        "footer": facts.footer([table]),
    }


#: The map geometry the pages draw with (plotly.js's world_110m topojson, vendored from npm).
GEOMETRY = (
    Path(__file__).parents[3]
    / "interfaces"
    / "web"
    / "static"
    / "vendor"
    / "plotly.js"
    / "world_110m.json"
)


@cache
def drawable() -> frozenset[str]:
    """The ISO3 codes the world map's geometry has a shape for (195 at 1:110m; small
    states such as Singapore or Bahrain have none and appear in the table only)."""
    topo = json.loads(GEOMETRY.read_text(encoding="utf-8"))
    return frozenset(g["id"] for g in topo["objects"]["countries"]["geometries"] if "id" in g)


def _location(code: str) -> str | None:
    code = SAME_TERRITORY.get(code, code)
    return code if code in drawable() else None
