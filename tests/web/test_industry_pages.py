"""The industry pages (/{lang}/industry, /{lang}/industry/costs) on the real shared data (the
EUTL export, Eurostat nrg_pc_205, Ember, the map data): the same figures as the API, the
NEa check, the clusters adding up, the targets' statuses, the calculator's stack equal to
``api.costs``, impossible values refused naming the field, Dutch on /nl/, the downloads with
their provenance, and an empty store that says what to load."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared
from fastapi.testclient import TestClient
from test_dutch import _ENGLISH_NUMBER, _RAW, _WORDS, english_only_texts, visible

from ketenradar import api as facade
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.industry import api

PROFILE = "consumption_mwh=200000&load_factor=0.9"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("industry") / "store"
    facade.add_dataset("ets_eutl", [require_shared("ets_eutl")], data_dir=data)
    facade.add_dataset(
        "eurostat_prices", [require_shared("electricity_prices_eurostat")], data_dir=data
    )
    facade.add_dataset("ember", [require_shared("ember")], data_dir=data)
    return data


@pytest.fixture(scope="module")
def client(store: Path) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KETENRADAR_SHARED_DATA", str(require_shared()))
        yield TestClient(create_app(settings=WebSettings.from_env(store)))


def _cells(html: str, table: str) -> dict[str, list[str]]:
    body = re.search(rf'<table id="{table}">(.*?)</table>', html, re.S)
    assert body, table
    rows = re.findall(r'<tr data-[a-z]+="([^"]+)"[^>]*>(.*?)</tr>', body.group(1), re.S)
    return {k: re.findall(r'<td class="num"[^>]*>([^<]*)</td>', v) for k, v in rows}


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def test_the_dashboard_shows_the_api_figures(client: TestClient, store: Path) -> None:
    r = client.get("/en/industry")
    assert r.status_code == 200 and 'aria-current="page"' in r.text
    totals = api.emissions(data_dir=store).frame("emissions").set_index("year")
    cells = _cells(r.text, "industry-totals")
    assert _num(cells["2022"][0]) == pytest.approx(totals.loc[2022, "verified_t"] / 1e6, abs=0.005)
    assert cells["2022"][1] == "330"
    assert "68.51 Mt from 330 installations" in r.text and "publishes 68.5 Mt" in r.text
    # the clusters add up to the national total in every complete year
    clusters = _cells(r.text, "industry-clusters")
    assert {"Rotterdam-Moerdijk", "Chemelot", "cluster 6", "unassigned"} <= set(clusters)
    assert _num(clusters["Rotterdam-Moerdijk"][-1]) == pytest.approx(24.57, abs=0.01)
    assert sum(_num(v[-1]) for v in clusters.values()) == pytest.approx(68.51, abs=0.06)
    # the map: one point per installation with a verified number (330 in 2022) but the 13
    # unassigned (platforms at sea: their coordinates are the office's), whose 0.77 Mt the
    # caption names; together all of 2022's emissions
    points = re.findall(
        r'<a href="/en/industry/installations/(NL_\d+)"><circle [^>]*data-mt="([^"]+)" '
        r'data-placed="(\w+)"',
        r.text,
    )
    mts = [float(mt) for _, mt, _ in points]
    unplaced = re.search(r"Not on the map: ([\d.]+) Mt", r.text)
    assert len(points) == 317 and unplaced
    assert _num(unplaced.group(1)) == _num(clusters["unassigned"][-1])
    assert sum(mts) + _num(unplaced.group(1)) == pytest.approx(68.51, abs=0.01)
    placed = [p for _, _, p in points]
    assert placed.count("region") == 15 and placed.count("address") == 302
    assert "in 2022: 317 installations" in r.text
    assert ("NL_144", "5.822618", "address") in points
    # geocoded to Amsterdam though at the Vondelingenplaat (Rotterdam): at Groot-Rijnmond's
    # centre, in the colour of its cluster, not in the wrong port
    assert ("NL_189", "region") in [(i, p) for i, _, p in points]
    assert 'role="img" aria-labelledby="industry-map-caption"' in r.text
    t = re.findall(r'data-target="([^"]+)">.*?data-value="([^"]+)"', r.text, re.S)
    assert dict(t) == {
        "letter_003_industry_20mt": "on track",
        "eu_ets_2030_minus_62pct": "off track",
    }
    assert "requests 1.73 times the budget" in r.text
    companies = _cells(r.text, "industry-companies")
    assert _num(companies["Tata Steel Nederland"][4]) == pytest.approx(5.82, abs=0.01)  # 2022
    assert '<tr data-company="AnQore"><th scope="row">AnQore</th><td colspan' in r.text
    # the KPIs of letter 003: this store has no CBS or World Bank data: said, with the command
    kpis = dict(re.findall(r'<tr data-kpi="([^"]+)">.*?data-value="([^"]+)"', r.text, re.S))
    assert kpis == {
        "industry_ghg": "no data",
        "rd_share_gdp": "no data",
        "industry_share_gdp": "no data",
        "primary_abiotic_raw_materials": "no data",
    }
    assert "data add wdi ../shared/data/nl_kpis/worldbank_wdi" in r.text


def test_the_calculator_equals_the_api(client: TestClient, store: Path) -> None:
    r = client.get(f"/en/industry/costs?{PROFILE}&run=1")
    assert r.status_code == 200
    ref = api.costs({"consumption_mwh": 200000, "load_factor": 0.9}, data_dir=store)
    c = ref.frame("costs").set_index(["country", "year"])
    assert "Cost per MWh in 2025 (Eurostat band IG)" in r.text
    stack = _cells(r.text, "industry-stack")
    for geo in ("NL", "DE", "FR", "BE"):
        assert _num(stack[geo][5]) == pytest.approx(c.loc[(geo, 2025), "total_eur_mwh"], abs=0.06)
    chart = json.loads(
        re.search(r'id="industry-costs-chart-data">(.*?)</script>', r.text, re.S).group(1)
    )
    assert chart["countries"] == ["Netherlands", "Germany", "France", "Belgium"]
    assert chart["totals"][0] == pytest.approx(c.loc[("NL", 2025), "total_eur_mwh"])
    gaps = _cells(r.text, "industry-gaps")
    nl, fr = c.loc[("NL", 2025), "total_eur_mwh"], c.loc[("FR", 2025), "total_eur_mwh"]
    assert _num(gaps["FR"][-1]) == pytest.approx(nl - fr, abs=0.06)
    # another year, and the compensation at 80 EUR/t: 0.75 x 80 x 0.72 x 0.8 = 34.56 a MWh
    r = client.get(f"/en/industry/costs?{PROFILE}&ikc=1&co2_price=80&year=2024&run=1")
    stack = _cells(r.text, "industry-stack")
    assert _num(stack["NL"][4]) == pytest.approx(-34.56, abs=0.06)  # shown to 0.1
    # the download holds every row of the same result, with its provenance
    d = client.get(f"/api/v1/industry/costs.csv?{PROFILE}&table=gaps")
    assert d.status_code == 200
    gaps_csv = pd.read_csv(io.StringIO(d.text))
    assert len(gaps_csv) == 3 * 7 * 6  # neighbours x years x (5 components + total)
    side = client.get(f"/api/v1/industry/costs.csv.provenance.json?{PROFILE}&table=gaps")
    assert side.json()["analysis"] == "industry costs"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("consumption_mwh=200000&load_factor=1.5", "load_factor"),
        ("consumption_mwh=-3&load_factor=0.5", "consumption_mwh"),
        ("consumption_mwh=5000&load_factor=0.5&ikc=1", "document"),
        ("consumption_mwh=5000&load_factor=0.5&first_year=2025&last_year=2019", "document"),
    ],
)
def test_impossible_values_are_refused_naming_the_field(client: TestClient, query, field):
    r = client.get(f"/nl/industry/costs?{query}&run=1")
    assert r.status_code == 422
    assert f'data-field="{field}"' in r.text
    assert client.get(f"/api/v1/industry/costs.csv?{query}").status_code == 422


def test_dutch_pages_are_dutch(client: TestClient) -> None:
    english = english_only_texts()
    for url in ("/nl/industry", f"/nl/industry/costs?{PROFILE}&ikc=1&co2_price=80&run=1"):
        html = client.get(url).text
        texts = [p for p in visible(html).texts if not p.code]
        assert not [p.text for p in texts if not p.english and p.text in english], url
        assert not [p.text for p in texts if not p.english and _WORDS.search(p.text)], url
        assert not [p.text for p in texts if _RAW.search(p.text)], url
        numeric = [p.text for p in texts if p.numeric]
        assert numeric and not [x for x in numeric if _ENGLISH_NUMBER.search(x)], url
    html = client.get("/nl/industry").text
    assert "op koers" in html and "niet op koers" in html and "Nederland" in html


def test_the_downloads_of_the_dashboard(client: TestClient) -> None:
    for url, rows in (
        ("/api/v1/industry/emissions.csv", 21),
        ("/api/v1/industry/clusters.csv?table=unassigned", None),
        ("/api/v1/industry/targets.csv?table=trajectory", None),
        ("/api/v1/industry/instruments.csv?table=oversubscription", 1),
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        df = pd.read_csv(io.StringIO(r.text))
        assert rows is None or len(df) == rows, url
        assert 'rel="describedby"' in r.headers["link"]
    assert client.get("/api/v1/industry/clusters.xlsx").status_code == 200


def test_an_empty_store_says_what_to_load(tmp_path: Path) -> None:
    c = TestClient(create_app(settings=WebSettings.from_env(tmp_path / "empty")))
    r = c.get("/nl/industry")
    assert r.status_code == 200
    assert "ketenradar data add ets_eutl ../shared/data/ets_eutl" in r.text
    assert 'id="industry-instruments"' in r.text  # the instruments need no data
    r = c.get(f"/en/industry/costs?{PROFILE}&run=1")
    assert r.status_code == 200 and 'id="industry-missing"' in r.text
    assert "data add eurostat_prices" in r.text or "data add ember" in r.text
    # a download says in its provenance what is missing, with no rows
    r = c.get("/api/v1/industry/emissions.csv")
    assert r.status_code == 200 and len(pd.read_csv(io.StringIO(r.text))) == 0
    side = c.get("/api/v1/industry/emissions.csv.provenance.json").json()
    assert any("data add ets_eutl" in n for n in side["notes"])


def test_an_installation_page(client: TestClient, store: Path) -> None:
    r = client.get("/en/industry")
    assert '<a href="/en/industry/installations/NL_144">' in r.text  # the largest installations
    r = client.get("/en/industry/installations/NL_144")
    assert r.status_code == 200
    assert "Tata Steel IJmuiden B.V." in r.text and 'data-cluster="Noordzeekanaalgebied"' in r.text
    years = _cells(r.text, "industry-installation-years")
    assert _num(years["2022"][0]) == pytest.approx(5.823, abs=0.001)  # 5,822,618 t
    assert _num(years["2024"][0]) == pytest.approx(5.895, abs=0.001)  # the large table
    nl = client.get("/nl/industry/installations/NL_144").text
    texts = [p for p in visible(nl).texts if not p.code]
    assert not [p.text for p in texts if not p.english and _WORDS.search(p.text)]
    assert client.get("/en/industry/installations/NL_0").status_code == 404


def test_a_company_page(client: TestClient, store: Path) -> None:
    """A company is its KvK number: Tata Steel IJmuiden B.V. (34040331) holds NL_144 and,
    2013–2020, a second installation; its yearly totals are `industry emissions --company`;
    the dashboard's maatwerk table, the largest installations and the installation page link
    to it; names spelled two ways (Equinix (Netherlands) B.V./BV) are one company."""
    dash = client.get("/en/industry").text
    assert '<a href="/en/industry/companies/34040331">Tata Steel Nederland</a>' in dash
    assert '<a href="/en/industry/companies/34040331">Tata Steel IJmuiden B.V.</a>' in dash
    inst = client.get("/en/industry/installations/NL_144").text
    assert 'href="/en/industry/companies/34040331"' in inst
    r = client.get("/en/industry/companies/34040331")
    assert r.status_code == 200 and "Tata Steel IJmuiden B.V." in r.text
    assert 'data-agreement="Tata Steel Nederland"' in r.text and "Joint Letter of Intent" in r.text
    ref = api.emissions(company="34040331", data_dir=store).frame("emissions").set_index("year")
    years = _cells(r.text, "industry-company-years")
    for y in (2013, 2020, 2022, 2025):
        assert _num(years[str(y)][0]) == pytest.approx(ref.loc[y, "verified_t"] / 1e6, abs=5e-4)
        assert int(years[str(y)][1]) == ref.loc[y, "installations"]
    assert _num(years["2022"][0]) == pytest.approx(5.823, abs=0.001)
    assert ref.loc[2019, "installations"] == 2 and ref.loc[2022, "installations"] == 1
    rows = re.findall(r'<tr data-installation="(NL_\d+)">', r.text)
    assert rows[0] == "NL_144" and len(rows) == 2
    equinix = client.get("/en/industry/companies/24429748").text
    assert "Equinix (Netherlands) B.V." in equinix and "Equinix (Netherlands) BV" in equinix
    nl = client.get("/nl/industry/companies/34040331").text
    assert "Maatwerkafspraak (brief 002)" in nl and "KvK-nummer" in nl
    texts = [p for p in visible(nl).texts if not p.code]
    assert not [p.text for p in texts if not p.english and _WORDS.search(p.text)]
    # not a KvK number, or no installation under it: not found
    for bad in ("12345678", "3404033", "abc", "34040331x"):
        assert client.get(f"/en/industry/companies/{bad}").status_code == 404
