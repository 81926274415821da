"""The view logic of the kansenkaart's demand and requirements pages (``pages.py``): the form's
query, the programme it describes, the demand computed by :func:`api.demand` (cached per
programme, currency and price year: the pages and their downloads ask for the same result),
and the tables and chart data the templates draw.

The programme is either a preset (``units`` units of one reference design, ``spacing`` years
apart from ``year``; one unit at the design's own size is the design's reference scenario, as
``examples/kansenkaart/<design>.yaml``) or a pasted YAML/JSON document validated by the
scenario parser (its errors name the field: ``units[0].mwe``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ketenradar.core.modules import Column
from ketenradar.core.results import Result
from ketenradar.modules.kansenkaart import api
from ketenradar.modules.kansenkaart.analysis.scenario import (
    DESIGN_IDS,
    Programme,
    parse_programme,
    programme_from_text,
)
from ketenradar.modules.kansenkaart.names import work_package_names
from ketenradar.modules.kansenkaart.references import DESIGNS, load_taxonomy, shared_root

#: The money columns of the demand table (in the currency its ``currency`` column names).
MONEY = ("factory_equipment", "site_labour", "site_material", "unallocated", "total")


def _(key: str) -> str:
    """A message key chosen at run time, marked for the message extractor (the template
    translates it with ``t``)."""
    return key


#: The message keys of the values the pages name (the templates translate them with ``t``).
DESIGN_LABELS = {
    "eedb_pwr12_be": _("kansenkaart_web_demand_design_eedb_pwr12_be"),
    "timcat_pwr12_me": _("kansenkaart_web_demand_design_timcat_pwr12_me"),
    "accert_ap1000": _("kansenkaart_web_demand_design_accert_ap1000"),
}
MONEY_UNITS = {
    "EUR": _("kansenkaart_web_demand_unit_eur"),
    "USD": _("kansenkaart_web_demand_unit_usd"),
}
MONEY_SHORT = {
    "EUR": _("kansenkaart_web_demand_mln_eur"),
    "USD": _("kansenkaart_web_demand_mln_usd"),
}
COVERAGE = {1: _("kansenkaart_web_demand_coverage_one"), 2: _("kansenkaart_web_demand_coverage")}
SAFETY_CLASSES = {
    "safety_related": _("kansenkaart_web_req_class_safety_related"),
    "partly_safety_related": _("kansenkaart_web_req_class_partly_safety_related"),
    "not_safety_related": _("kansenkaart_web_req_class_not_safety_related"),
}
CERTIFICATE_KINDS = {
    "certificate": _("kansenkaart_web_req_kind_certificate"),
    "code": _("kansenkaart_web_req_kind_code"),
    "personnel": _("kansenkaart_web_req_kind_personnel"),
    "screening": _("kansenkaart_web_req_kind_screening"),
}
ORIGIN_NAMES = {
    "US": _("kansenkaart_web_req_origin_US"),
    "FR": _("kansenkaart_web_req_origin_FR"),
    "DE": _("kansenkaart_web_req_origin_DE"),
}
#: What the templates need of these (``labels.design[...]`` and so on).
LABELS = {
    "design": DESIGN_LABELS,
    "money_unit": MONEY_UNITS,
    "money_short": MONEY_SHORT,
    "coverage": COVERAGE,
    "safety_class": SAFETY_CLASSES,
    "kind": CERTIFICATE_KINDS,
    "origin": ORIGIN_NAMES,
}

#: At most this many units in a preset (a document may list up to the parser's limit).
MAX_PRESET_UNITS = 20
#: A palette of 20 distinguishable colours, one per work package (taxonomy order).
COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip


class DemandQuery(BaseModel):
    """The demand page's form (its query string): the programme and the currency."""

    model_config = ConfigDict(extra="ignore")

    mode: Literal["preset", "document"] = "preset"
    design: Literal["eedb_pwr12_be", "timcat_pwr12_me", "accert_ap1000"] = "timcat_pwr12_me"
    units: int = Field(1, ge=1, le=MAX_PRESET_UNITS)
    year: int = Field(2030, ge=1950, le=2150)
    spacing: int = Field(2, ge=0, le=30)
    mwe: float | None = Field(None, gt=0, le=5000)
    learning_rate: float = Field(0.0, ge=0, lt=1)
    currency: Literal["EUR", "source"] = "EUR"
    price_year: int | None = Field(None, ge=1950, le=2100)
    programme: str | None = Field(None, max_length=20000)

    def params(self) -> dict[str, Any]:
        """The query as the page's links and downloads repeat it (defaults left out)."""
        keep = {"mode", "currency", "price_year"}
        keep |= {"programme"} if self.mode == "document" else {"design", "units", "year"}
        if self.mode == "preset":
            keep |= {"spacing", "mwe", "learning_rate"} if self.units > 1 or self.mwe else set()
        return {k: v for k, v in self.model_dump().items() if k in keep and v is not None}


def query_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """A query's validation errors as the page lists them: the field and what is allowed."""
    return [
        {
            "field": ".".join(str(p) for p in e["loc"]) or None,
            "detail": f"{e['msg']} (got {e.get('input')!r})",
        }
        for e in exc.errors()
    ]


def preset_document(q: DemandQuery) -> dict[str, Any]:
    """The programme document of a preset: ``units`` units of ``design`` from ``year``,
    ``spacing`` years apart (first concrete), at ``mwe`` (default the design's own)."""
    units = []
    for i in range(q.units):
        unit: dict[str, Any] = {"design": q.design, "first_concrete_year": q.year + i * q.spacing}
        if q.mwe is not None:
            unit["mwe"] = q.mwe
        units.append(unit)
    name = f"{q.units} x {q.design} from {q.year}"
    return {"name": name, "learning_rate": q.learning_rate, "units": units}


def programme_of(q: DemandQuery) -> Programme:
    """The programme the query describes (a document that fails: a ``DataError`` naming the
    field, e.g. ``units[0].mwe``)."""
    if q.mode == "document":
        return programme_from_text(q.programme or "", file="programme")
    return parse_programme(preset_document(q))


def reference_document(design: str) -> dict[str, Any]:
    """The reference scenario of a design: one unit at its own size (examples/kansenkaart/)."""
    return {
        "name": f"{design} reference unit",
        "units": [{"design": design, "mwe": DESIGNS[design]["reference_mwe"],
                   "first_concrete_year": 2030}],
    }  # fmt: skip


@functools.lru_cache(maxsize=32)
def _demand(doc: str, currency: str, price_year: int | None, shared: str) -> Result:
    return api.demand(json.loads(doc), currency=currency, price_year=price_year, shared=shared)


def demand_of(
    programme: Programme | Mapping[str, Any], currency: str = "EUR", price_year: int | None = None
) -> Result:
    """:func:`api.demand` of ``programme`` on the shared data of the settings, cached (the
    page, its chart and its downloads ask for the same result; do not change its frames)."""
    doc = programme.model_dump() if isinstance(programme, Programme) else dict(programme)
    key = json.dumps(doc, sort_keys=True, default=str)
    return _demand(key, currency, price_year, str(shared_root()))


_CURRENCY = re.compile(r"^([A-Z]+)(\d{4})$")


def currency_parts(code: str) -> tuple[str, int | None]:
    """``EUR2024`` → (``EUR``, 2024)."""
    m = _CURRENCY.match(code)
    return (m.group(1), int(m.group(2))) if m else (code, None)


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def taxonomy_order() -> list[str]:
    """The work packages in the taxonomy's order."""
    return list(load_taxonomy().work_packages)


def work_package_rows(dem: pd.DataFrame, lang: str) -> tuple[list[dict[str, Any]], list[int]]:
    """Per work package of the demand (taxonomy order): total, site labour hours, peak year,
    share and the amounts and hours per year (summed over the units); and the years."""
    tax = load_taxonomy()
    names = work_package_names(tax.work_packages, lang)
    years = sorted(int(y) for y in dem["year"].unique())
    by = dem.groupby(["work_package", "year"])[["total", "site_labour_hours"]].sum(min_count=1)
    grand = float(dem["total"].sum())
    rows = []
    for wp in [w for w in tax.work_packages if w in set(dem["work_package"])]:
        part = by.loc[wp]
        money = [_num(part["total"].get(y, 0.0)) or 0.0 for y in years]
        hours = [_num(part["site_labour_hours"].get(y)) for y in years]
        total = float(sum(money))
        peak = years[int(np.argmax(money))] if total > 0 else None
        known_hours = [h for h in hours if h is not None]
        rows.append(
            {
                "work_package": wp,
                "name": names.get(wp, wp),
                "total": total,
                "hours": float(sum(known_hours)) if known_hours else None,
                "peak_year": peak,
                "peak": max(money) if total > 0 else None,
                "share": total / grand if grand else None,
                "money": money,
                "hours_by_year": hours,
            }
        )
    return rows, years


def summary_frame(rows: list[dict[str, Any]], currency: str) -> pd.DataFrame:
    """The work-package table of the page as a frame (the ``work_packages`` download)."""
    return pd.DataFrame(
        [
            {
                "work_package": r["work_package"],
                "work_package_name": r["name"],
                "total": r["total"],
                "site_labour_hours": r["hours"],
                "peak_year": r["peak_year"],
                "peak_total": r["peak"],
                "share": r["share"],
                "currency": currency,
            }
            for r in rows
        ]
    )


#: The columns of the ``work_packages`` download (the page's table).
SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("work_package", "kansenkaart_work_package", "", "Work package of the taxonomy"),
    Column("work_package_name", "kansenkaart_work_package_name", "", "Name of the work package"),
    Column("total", "kansenkaart_total", "currency", "Total over the programme's years and units"),
    Column(
        "site_labour_hours",
        "kansenkaart_site_labour_hours",
        "hours",
        "Site labour hours over the programme (empty where the source has none)",
    ),
    Column("peak_year", _("kansenkaart_web_demand_peak_year"), "", "Year of the largest amount"),
    Column("peak_total", _("kansenkaart_web_demand_peak"), "currency", "The amount of that year"),
    Column("share", _("kansenkaart_web_demand_share"), "share 0–1", "Share of the programme total"),
    Column("currency", "kansenkaart_currency", "", "Currency and price year of the amounts"),
)


def reconciliation(design: str) -> dict[str, Any]:
    """The design's reference unit in the source's currency next to the source table: the
    top accounts with source amount, model amount and difference, and over every account
    the number compared and the largest difference (docs/methods/kansenkaart.md,
    "Reconciliation")."""
    acc = demand_of(reference_document(design), "source").frame("accounts")
    inc = acc[acc["excluded"].isna() & acc["source_total"].notna()]
    diff = (inc["total"] - inc["source_total"]).abs()
    low = int(inc["level"].min())
    top = inc[inc["level"] <= low + 1]
    if len(top) < 6:  # TIMCAT: A.1 = A.2 + A.9; show their accounts too (A.21 … A.26)
        top = inc[inc["level"] <= low + 2]
    code, year = currency_parts(str(acc["currency"].iat[0]))
    return {
        "design": design,
        "currency": code,
        "price_year": year,
        "compared": len(inc),
        "max_difference": float(diff.max()) if len(diff) else 0.0,
        "rows": [
            {
                "account": r.account,
                "description": r.description,
                "source": float(r.source_total),
                "model": float(r.total),
                "difference": float(r.total - r.source_total),
            }
            for r in top.itertuples()
        ],
    }


def page_view(programme: Programme, result: Result, lang: str) -> dict[str, Any]:
    """What the demand page shows of ``result``: the headline, the work-package table, the
    chart data, the reconciliation per design and the provenance."""
    dem = result.frame("demand")
    rows, years = work_package_rows(dem, lang)
    currencies = sorted({str(c) for c in dem["currency"].unique()})
    code, price_year = currency_parts(currencies[0]) if currencies else ("EUR", None)
    hours = dem["site_labour_hours"]
    has_hours = bool(hours.notna().any() and float(hours.fillna(0).sum()) > 0)
    designs = sorted({u.design for u in programme.units})
    chart = {
        "years": years,
        "has_hours": has_hours,
        "series": [
            {
                "id": r["work_package"],
                "name": r["name"],
                "colour": COLOURS[i % len(COLOURS)],
                "money": [m / 1e6 for m in r["money"]],
                "hours": [h if h is not None else None for h in r["hours_by_year"]],
            }
            for i, r in enumerate(rows)
        ],
    }
    total = float(dem["total"].sum())
    return {
        "name": programme.name,
        "units": len(programme.units),
        "designs": designs,
        "first_year": years[0] if years else None,
        "last_year": years[-1] if years else None,
        "currency": code,
        "price_year": price_year,
        "mixed_currencies": len(currencies) > 1,
        "total": total,
        "hours": float(hours.sum()) if has_hours else None,
        "learning_rate": programme.learning_rate,
        "rows": rows,
        "years": years,
        "has_hours": has_hours,
        "chart": chart,
        "reconciliation": [reconciliation(d) for d in designs],
        "programme_json": json.dumps(programme.model_dump(exclude_none=True), indent=2),
        "provenance": result.provenance.to_dict(),
    }


@functools.lru_cache(maxsize=8)
def requirements_of(lang: str, origin: str | None, shared: str) -> Result:
    """:func:`api.requirements` in ``lang`` for ``origin`` (``None``: every row), cached."""
    return api.requirements(lang=lang, origin=origin, shared=shared)


def requirements_view(lang: str, origin: str | None) -> tuple[Result, dict[str, Any]]:
    """The requirements page's tables: per work package (taxonomy order, with the
    requirements asked), and the certificates."""
    result = requirements_of(lang, origin, str(shared_root()))
    wps = result.frame("work_packages")
    reqs = result.frame("requirements")
    certs = result.frame("certificates")
    by_wp: dict[str, list[dict[str, Any]]] = {}
    for r in reqs.to_dict("records"):
        by_wp.setdefault(r["work_package"], []).append(_clean(r))
    packages = [
        {**_clean(r), "requirements": by_wp.get(r["work_package"], [])}
        for r in wps.to_dict("records")
    ]
    return result, {
        "work_packages": packages,
        "certificates": [_clean(r) for r in certs.to_dict("records")],
        "provenance": result.provenance.to_dict(),
    }


def _clean(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record with NaN as ``None``."""
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in record.items()}


JUDGEMENT = "project judgement"
ESTIMATE = "project estimate"


def split_judgement(text: str | None) -> tuple[bool, str]:
    """(whether ``text`` is the project's own judgement, the rest of the text):
    ``project judgement: pressure boundary`` → (True, ``pressure boundary``)."""
    t = (text or "").strip()
    if t.lower().startswith(JUDGEMENT):
        return True, t[len(JUDGEMENT) :].lstrip(" :;,-")
    return False, t


__all__ = [
    "DESIGN_IDS",
    "DemandQuery",
    "demand_of",
    "page_view",
    "preset_document",
    "programme_of",
    "query_errors",
    "reconciliation",
    "requirements_view",
    "split_judgement",
    "summary_frame",
]
