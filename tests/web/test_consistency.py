"""One definition per number (issue 15, points 1–4, 6, 7, 9): the same quantity read from the
overview, the world map, the country page and its API, the dependency explorer's API and its
CSV download, on the shipped starter pack (the real BACI facts), must agree; each value is
labelled by what it is, each share by its denominator, each headline by its coverage."""

from __future__ import annotations

import html as htmllib
import io
import math
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from ketenradar.core.modules import columns
from ketenradar.core.settings import settings
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.i18n import translator
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.results import starter

PARTNERS = ["USA", "CHN", "BRA", "ZAF"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(settings=WebSettings.from_env(tmp_path_factory.mktemp("web"))))


@pytest.fixture(scope="module")
def screening() -> pd.DataFrame:
    return starter.read("screening")


def _latest(screening: pd.DataFrame, importer: str) -> int:
    return int(screening.loc[screening["importer"] == importer, "year"].max())


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _text(html: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _headers(html: str) -> dict[str, str]:
    """The table headers that name their column (``data-column``), as read."""
    found = re.findall(r'<th data-column="([a-z_]+)">([^<]+)</th>', html)
    return {k: htmllib.unescape(v) for k, v in found}


@pytest.mark.parametrize("importer", ["NLD", "EU27"])
def test_dependent_products_per_partner_agree_everywhere(
    client: TestClient, screening: pd.DataFrame, importer: str
) -> None:
    """Products and value the importer depends on a partner for (EU 2021, the default of every
    page): overview = world map = country API = explorer API = CSV download = the screening."""
    year = _latest(screening, importer)
    scr = screening[(screening["importer"] == importer) & (screening["year"] == year)]
    dep = scr[scr["dependent_eu2021"].astype(bool)]
    expected = dep.groupby("top_supplier")["external_imports_kusd"].agg(["size", "sum"])
    overview = client.get(f"/api/v1/overview?economy={importer}").json()
    assert overview["method"] == "eu2021" and overview["year"] == year
    by_country = {r["country"]: r for r in overview["countries_depended_on"]}
    world = client.get(f"/api/v1/countries?importer={importer}&year={year}").json()
    assert world["method"] == "eu2021"
    on_map = {r["iso3"]: r for r in world["rows"]}
    checked = 0
    for partner in [p for p in PARTNERS if p in expected.index]:
        n, value = int(expected.loc[partner, "size"]), float(expected.loc[partner, "sum"])
        country = client.get(f"/api/v1/countries/{partner}?importer={importer}&year={year}")
        summary = country.json()["summary"]
        explorer = client.get(
            f"/api/v1/dependencies?importer={importer}&year={year}&supplier={partner}&page_size=500"
        ).json()
        assert explorer["method"] == "eu2021"
        csv = client.get(
            f"/api/v1/dependencies.csv?importer={importer}&year={year}&supplier={partner}"
        )
        assert csv.status_code == 200, csv.text
        rows = pd.read_csv(io.StringIO(csv.text), dtype={"product": str}, comment="#")
        if partner in by_country:
            assert by_country[partner]["products"] == n
            assert _close(by_country[partner]["external_imports_kusd"], value)
        assert on_map[partner]["importer_dependent_products"] == n
        assert _close(on_map[partner]["importer_dependent_kusd"], value)
        assert summary["importer_dependent_products"] == n
        assert _close(summary["importer_dependent_kusd"], value)
        assert explorer["total"] == n == len(explorer["rows"]) == len(rows)
        assert _close(explorer["total_external_imports_kusd"], value)
        assert _close(float(rows["external_imports_kusd"].sum()), value)
        assert set(rows["product"]) == set(dep.loc[dep["top_supplier"] == partner, "product"])
        checked += 1
    assert checked >= 2


def test_method_is_named_beside_every_count(client: TestClient) -> None:
    """The overview, the map and the country page print the method beside their counts; the
    overview's method selector changes the counts it names."""
    for lang in ("en", "nl"):
        t = translator(lang)
        eu = t("method_eu2021")
        html = client.get(f"/{lang}/").text
        assert 'data-method="eu2021"' in html
        assert t("trade_method_named").format(method=eu) in _text(html)
        text = _text(client.get(f"/{lang}/countries").text)
        assert t("trade_method_named").format(method=eu) in text
        country = _text(client.get(f"/{lang}/countries/USA").text)
        assert t("trade_method_named").format(method=eu) in country
        assert f"({eu})" in country
    geo = client.get("/api/v1/overview?method=geodep").json()
    eu = client.get("/api/v1/overview").json()
    assert geo["method"] == "geodep"
    assert (
        sum(r["products"] for r in geo["countries_depended_on"])
        <= geo["counts"]["dependent_geodep"]
    )
    assert (
        sum(r["products"] for r in eu["countries_depended_on"]) <= eu["counts"]["dependent_eu2021"]
    )
    assert "GeoDep" in _text(client.get("/en/?method=geodep").text)
    assert client.get("/api/v1/overview?method=nonsense").status_code == 400


def test_country_values_say_what_they_are(client: TestClient, screening: pd.DataFrame) -> None:
    """Point 2: LNG from the USA: the product's external imports (all external suppliers) and
    the imports from the USA are two different numbers under two different labels, and the
    headline sums exactly what its label says."""
    year = _latest(screening, "NLD")
    c = client.get(f"/api/v1/countries/USA?importer=NLD&year={year}").json()
    s = c["summary"]
    assert _close(
        s["importer_dependent_kusd"], sum(r["external_imports_kusd"] for r in c["we_depend_on"])
    )
    assert _close(
        s["importer_dependent_from_partner_kusd"],
        sum(r["from_partner_kusd"] for r in c["we_depend_on"]),
    )
    lng = {r["product"]: r for r in c["we_depend_on"]}["271111"]
    imported = {r["product"]: r for r in c["we_import"]}["271111"]
    # the second table's value is the imports from the USA: the first table's from_partner
    assert _close(imported["value_kusd"], lng["from_partner_kusd"])
    assert lng["external_imports_kusd"] > 1.2 * lng["from_partner_kusd"]
    row = screening[
        (screening["importer"] == "NLD")
        & (screening["year"] == year)
        & (screening["product"] == "271111")
    ].iloc[0]
    assert _close(lng["from_partner_kusd"], float(row["top_supplier_kusd"]))
    for lang in ("en", "nl"):
        t = translator(lang)
        html = client.get(f"/{lang}/countries/USA?year={year}").text
        labels = _headers(html)
        assert labels["external_imports_kusd"] == t("trade_col_external_imports_kusd")
        assert labels["value_kusd"] == t("country_from_partner_kusd").format(partner="USA")
        assert labels["external_imports_kusd"] != labels["value_kusd"]
        text = _text(html)
        assert t("country_value_from_partner").format(partner="USA") in text


def test_every_share_names_its_denominator(client: TestClient) -> None:
    """Point 3: share headers say 'of external imports' or 'of all imports', in the column
    schema (CLI, CSV sidecar, XLSX), the product page's table and its supplier chart."""
    en = translator("en")
    nl = translator("nl")
    schema = {c.name: c for c in columns("screening")}
    assert "of all imports" in en(schema["external_share"].label)
    assert "of external imports" in en(schema["top_supplier_share"].label)
    assert "external" in schema["top_supplier_share"].description
    share = {c.name: c for c in columns("suppliers")}["share"]
    assert "of all imports" in en(share.label)
    assert "alle invoer" in nl(share.label) and "externe invoer" in nl(
        schema["top_supplier_share"].label
    )
    html = client.get("/en/products/271111").text
    heads = _headers(html)
    assert heads["top_supplier_share"] == en("product_top_supplier_share")
    assert heads["share"] == en("country_share_of_imports") == "Share of all imports"
    assert f'data-label-share="{en("country_share_of_imports")}"' in html


def test_materiality_before_dependency_or_leverage(client: TestClient) -> None:
    """Point 4: no dependency (or leverage) below the minimum value and share; 'mutual' only
    when both sides weigh comparably by value."""
    s = settings()
    scr = starter.read("screening")
    for flag in ("dependent_eu2021", "dependent_geodep", "dependent_geodep_country"):
        dep = scr[scr[flag].fillna(False).astype(bool)]
        assert len(dep) > 0
        top = dep["external_imports_kusd"] * dep["top_supplier_share"]
        if flag != "dependent_geodep_country":  # judged on its own top supplier (outside J)
            assert (top >= s.min_dependency_kusd - 1e-6).all(), flag
            assert (top >= s.min_dependency_share * dep["imports_kusd"] - 1e-6).all(), flag
    assert not (scr["dependent_eu2021"] & ~scr["materiality_met"]).any()
    # the partner side (leverage): each partner's dependent product clears the same minimum
    bp = starter.read("balance_products")
    theirs = bp[bp["side"] == "partner depends on importer"]
    assert len(theirs) > 0
    assert (
        theirs["dependent_imports_kusd"] * theirs["top_supplier_share"]
        >= s.min_dependency_kusd - 1e-6
    ).all()
    # beryllium worth nothing and Azerbaijan's LNG worth 3 thousand USD are gone
    assert theirs[(theirs["partner"] == "AZE") & (theirs["product"] == "271111")].empty
    # mutual only when the smaller side is at least the settings' share of the larger
    for importer in ("NLD", "EU27"):
        world = client.get(f"/api/v1/countries?importer={importer}").json()
        for r in world["rows"]:
            a, b = r["importer_dependent_kusd"], r["partner_dependent_kusd"]
            if r["direction"] == "mutual":
                assert min(a, b) >= s.mutual_min_value_ratio * max(a, b)
            elif a > 0 and b > 0:
                assert min(a, b) < s.mutual_min_value_ratio * max(a, b)
    # the settings are the documented defaults
    assert (s.min_dependency_kusd, s.min_dependency_share) == (100.0, 0.05)


def test_headlines_say_their_coverage_and_years(
    client: TestClient, screening: pd.DataFrame
) -> None:
    """Points 6 and 7: the overview's headline says how many products of how many, from which
    release and years (computed from the facts), and each block says its source and year."""
    nld = screening[screening["importer"] == "NLD"]
    year = int(nld["year"].max())
    imported = int((nld["year"] == year).sum())
    covered = nld["product"].nunique()
    manifest = starter.manifest()
    baci = next(d for d in manifest["datasets"] if d["source"] == "baci")
    crm = next(d for d in manifest["datasets"] if d["source"] == "eu_crm")
    io_year = int(starter.read("io_exposure_country")["year"].max())
    o = client.get("/api/v1/overview").json()
    cov = o["coverage"]
    assert (cov["products_imported"], cov["products_covered"]) == (imported, covered)
    assert (cov["first_year"], cov["last_year"]) == (int(nld["year"].min()), year)
    assert baci["release"] in cov["source"]
    for lang in ("en", "nl"):
        t = translator(lang)
        text = _text(client.get(f"/{lang}/").text)
        assert t("trade_coverage").format(
            imported=imported, covered=covered, year=year, source=cov["source"],
            first=cov["first_year"], last=cov["last_year"],
        ) in text  # fmt: skip
        assert f"{o['blocks']['trade']['source']}, {year}" in text
        assert crm["release"] in text
        assert f"{o['blocks']['io']['source']}, {io_year}" in text
    explorer = _text(client.get("/en/dependencies").text)
    assert f"{imported} of the {covered} HS6 products" in explorer


def test_geodep_country_level_beside_bloc_referenced(client: TestClient) -> None:
    """Point 9: CEPII's country-level GeoDep is a column of its own, in the schema, the
    explorer (filter and column) and the overview's counts."""
    schema = {c.name for c in columns("screening")}
    assert {"dependent_geodep", "dependent_geodep_country"} <= schema
    d = client.get("/api/v1/dependencies?method=geodep_country&page_size=500").json()
    assert d["total"] > 0
    assert all(r["dependent_geodep_country"] for r in d["rows"])
    o = client.get("/api/v1/overview").json()
    assert o["counts"]["dependent_geodep_country"] == d["total"]
    scr = starter.read("screening")
    eu = scr[scr["importer"] == "EU27"]
    # for EU27 the bloc and the country-level reference are the same (empty before 1997)
    assert eu["dependent_geodep"].isna().equals(eu["dependent_geodep_country"].isna())
    known = eu.dropna(subset=["dependent_geodep"])
    assert (known["dependent_geodep"] == known["dependent_geodep_country"]).all()
    # for NLD (reference bloc EU27) they differ in some years: two definitions, two columns
    nld = scr[(scr["importer"] == "NLD")].dropna(subset=["dependent_geodep"])
    assert (nld["dependent_geodep"] != nld["dependent_geodep_country"]).any()
    html = client.get("/nl/dependencies?method=geodep_country").text
    assert translator("nl")("trade_col_dependent_geodep_country") in html
