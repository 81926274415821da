"""Country pages and the world map of dependence: JSON API and pages (Dutch and English)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ketenradar.interfaces.web.api import FactsDep, Importer, Year
from ketenradar.interfaces.web.pages import check_lang, render
from ketenradar.modules.trade.web import country as views

api_router = APIRouter(prefix="/api/v1", tags=["country"])
page_router = APIRouter(include_in_schema=False)

Country = Annotated[
    str,
    Path(
        description="ISO3 code (any case, e.g. CHN or chn), a BACI code such as S19, or a "
        "country name (e.g. China)",
        min_length=2,
        max_length=60,
        pattern=r"^[\w .,'()\-]+$",
    ),
]
Method = Annotated[
    str, Query(description="dependent products listed: eu2021, geodep or any", max_length=10)
]
Measure = Annotated[
    str, Query(description="what the map shows: " + ", ".join(views.MEASURES), max_length=40)
]


@api_router.get("/countries")
def countries_map(
    facts: FactsDep,
    importer: Importer = "NLD",
    year: Year = None,
    measure: Measure = "importer_dependent_kusd",
) -> dict[str, Any]:
    """The world map of dependence: one value of ``measure`` per partner country.

    Trade measures come from the mutual-dependency balance (EU 2021 method, BACI) of the
    year; value-added measures from OECD ICIO 2022 (NLD only). Ratios are partner-on-importer
    over importer-on-partner; where the importer depends on nothing from the partner the
    ratio is infinite: ``value`` is null and ``direction`` is ``partner_depends``.
    """
    return views.world_map(facts, importer, year, measure)


@api_router.get("/countries/{iso3}")
def country(
    facts: FactsDep,
    iso3: Country,
    importer: Importer = "NLD",
    year: Year = None,
    method: Method = "eu2021",
) -> dict[str, Any]:
    """One partner country: the importer's dependent products it is top supplier of, the
    products it supplies with its share, what it depends on from the importer (counts and
    values), the balance over every year, and value added both ways (NLD, OECD ICIO 2022).

    An unknown code gives 404 with the closest codes the data knows.
    """
    return views.country(facts, iso3, importer, year, method)


def _measure_label(t: Any, measure: str) -> str:
    return t(f"country_measure_{measure}")


@page_router.get("/{lang}/countries", response_class=HTMLResponse)
def countries_page(
    request: Request,
    lang: str,
    importer: Importer = "NLD",
    year: Year = None,
    measure: Measure = "importer_dependent_kusd",
) -> Response:
    """The world map of dependence; a click on a country opens its page."""
    lang = check_lang(lang)
    facts = request.app.state.facts
    m = views.world_map(facts, importer, year, measure)
    params = {"importer": m["importer"], "measure": m["measure"]}
    if views.MEASURES[m["measure"]][0] == "balance":  # value added is for one year only
        params["year"] = m["year"]
    extra = [
        k for k in (m["rows"][0] if m["rows"] else {}) if k not in ("iso3", "name", "location")
    ]
    return render(
        request,
        lang,
        "countries.html",
        "countries",
        m=m,
        extra=extra,
        api_url="/api/v1/countries?" + urlencode(params),
        link_query=urlencode({k: v for k, v in params.items() if k != "measure"}),
        measure_label=_measure_label,
        footer=m["footer"],
    )


@page_router.get("/{lang}/countries/{iso3}", response_class=HTMLResponse)
def country_page(
    request: Request,
    lang: str,
    iso3: Country,
    importer: Importer = "NLD",
    year: Year = None,
    method: Method = "eu2021",
) -> Response:
    """One partner country: dependencies both ways, the balance over time, value added."""
    lang = check_lang(lang)
    facts = request.app.state.facts
    code = views.resolve_country(facts, iso3)
    if code != iso3:  # one shareable URL per country: /en/countries/CHN
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/{lang}/countries/{quote(code)}{query}", status_code=307)
    c = views.country(facts, code, importer, year, method)
    api_query = urlencode({"importer": c["importer"], "year": c["year"], "method": c["method"]})
    return render(
        request,
        lang,
        "country.html",
        "country",
        c=c,
        api_url=f"/api/v1/countries/{quote(code)}?{api_query}",
        methods=views.METHODS,
        footer=c["footer"],
    )
