"""The kansenkaart's demand page (/{lang}/kansenkaart) and requirements page
(/{lang}/kansenkaart/requirements) on the real shared data (EEDB, TIMCAT, ACCERT): the same
totals as ``api.demand`` of the shipped reference scenario, the reconciliation with the source
tables, a bad programme refused naming its field, Dutch on /nl/, every work package of the
taxonomy on the requirements page, and the downloads with their provenance."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
from conftest import REPO, require_shared
from fastapi.testclient import TestClient
from test_dutch import _ENGLISH_NUMBER, _RAW, _WORDS, english_only_texts, visible

from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.kansenkaart import api
from ketenradar.modules.kansenkaart.names import work_package_names
from ketenradar.modules.kansenkaart.references import load_taxonomy

EXAMPLES = REPO / "examples" / "kansenkaart"
#: The English labels of these pages (none may show on /nl/).
ENGLISH_LABELS = [
    "Reference design", "Number of units", "Years between units", "Learning rate",
    "Show the demand", "Price year", "Peak year", "Share of the total", "Site labour",
    "Demand per year and work package", "Check against the source tables", "Difference",
    "Source tables", "million euros", "Per year", "hours", "Amounts", "Year",
    "the project's own judgement", "safety-related", "Time to obtain", "Cost to obtain",
    "Design origin", "All origins", "Work package", "Total",
]  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The real app over an empty store, reading the shared reference data."""
    shared = require_shared("nuclear_costs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KETENRADAR_SHARED_DATA", str(shared.parent))
        app = create_app(settings=WebSettings.from_env(tmp_path_factory.mktemp("kk") / "store"))
        yield TestClient(app)


def _chart(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="kansenkaart-chart-data">(.*?)</script>',
                  html, re.S)  # fmt: skip
    assert m, "no chart data"
    return json.loads(m.group(1))


def _row_totals(html: str) -> dict[str, float]:
    rows = re.findall(
        r'<tr data-wp="([a-z_]+)">\s*<th scope="row">[^<]*</th>\s*'
        r'<td class="num" data-col="total" data-value="([^"]+)"',
        html,
    )
    return {wp: float(v) for wp, v in rows}


@pytest.mark.parametrize("design", ["timcat_pwr12_me", "eedb_pwr12_be", "accert_ap1000"])
def test_reference_design_totals_equal_the_api(client: TestClient, design: str):
    r = client.get(f"/en/kansenkaart?design={design}&units=1&year=2030&run=1")
    assert r.status_code == 200
    html = r.text
    # the api on the shipped reference scenario of the design
    dem = api.demand(EXAMPLES / f"{design}.yaml").frame("demand")
    want = dem.groupby("work_package")["total"].sum()
    shown = _row_totals(html)
    assert set(shown) == set(want.index)
    for wp, v in shown.items():
        assert v == pytest.approx(float(want[wp]), rel=1e-9)
    # the chart: one series per work package, each year's stack the api's (in millions)
    chart = _chart(html)
    assert [s["id"] for s in chart["series"]] == list(shown)
    by_year = dem.groupby(["work_package", "year"])["total"].sum()
    for s in chart["series"]:
        assert sum(s["money"]) * 1e6 == pytest.approx(float(want[s["id"]]), rel=1e-9)
        for y, m in zip(chart["years"], s["money"], strict=True):
            assert m * 1e6 == pytest.approx(float(by_year.get((s["id"], y), 0.0)), abs=1e-3)
    assert chart["has_hours"] == (design != "eedb_pwr12_be")
    total = float(re.search(r'<tfoot>.*?data-value="([^"]+)"', html, re.S).group(1))
    assert total == pytest.approx(float(dem["total"].sum()), rel=1e-9)
    # the coverage near the headline
    assert re.search(r"1 unit \([^<]+\), 20\d\d–20\d\d", html)
    # the reconciliation: every account of the source within a dollar
    rec = re.search(r'class="kansenkaart-reconciliation" data-design="([a-z0-9_]+)" '
                    r'data-compared="(\d+)" data-max-difference="([^"]+)"', html)  # fmt: skip
    assert rec and rec.group(1) == design
    assert int(rec.group(2)) >= 30 and float(rec.group(3)) < 1.0
    # the provenance footer names the design's source table
    assert design in html and "kansenkaart-demand-csv" in html


def test_programme_of_several_units_and_source_currency(client: TestClient):
    doc = (EXAMPLES / "programme_nl_2x_pwr.yaml").read_text(encoding="utf-8")
    r = client.get(f"/nl/kansenkaart?mode=document&programme={quote(doc)}&currency=source&run=1")
    assert r.status_code == 200
    want = api.demand(EXAMPLES / "programme_nl_2x_pwr.yaml", currency="source").frame("demand")
    shown = _row_totals(r.text)
    assert sum(shown.values()) == pytest.approx(float(want["total"].sum()), rel=1e-9)
    assert "2 eenheden (TIMCAT PWR12 gemiddelde ervaring" in r.text
    assert "miljoen Amerikaanse dollar (prijspeil 2018)" in r.text
    assert "leereffect 10%" in r.text


def test_bad_document_is_refused_naming_the_field(client: TestClient):
    doc = (
        "name: x\nunits:\n  - design: timcat_pwr12_me\n    mwe: -5\n    first_concrete_year: 2030\n"
    )
    for lang in ("en", "nl"):
        r = client.get(f"/{lang}/kansenkaart?mode=document&programme={quote(doc)}&run=1")
        assert r.status_code == 422
        assert 'data-field="units[0].mwe"' in r.text
        assert 'id="kansenkaart-errors"' in r.text
        assert "kansenkaart-chart-data" not in r.text
        # the document stays in the editor
        assert "mwe: -5" in unescape(r.text)
    r = client.get("/en/kansenkaart?mode=document&programme=units%3A+3&run=1")
    assert r.status_code == 422 and 'data-field="name"' in r.text
    r = client.get("/nl/kansenkaart?units=0&run=1")
    assert r.status_code == 422 and 'data-field="units"' in r.text


def test_both_languages_render(client: TestClient):
    for lang in ("en", "nl"):
        for url in (f"/{lang}/kansenkaart", f"/{lang}/kansenkaart/requirements"):
            r = client.get(url)
            assert r.status_code == 200, url
            assert 'aria-current="page"' in r.text


def test_dutch_page_is_dutch(client: TestClient):
    english = english_only_texts()
    for url in (
        "/nl/kansenkaart?design=timcat_pwr12_me&units=2&run=1",
        "/nl/kansenkaart/requirements",
        "/nl/kansenkaart/requirements?origin=DE",
    ):
        html = client.get(url).text
        v = visible(html)
        texts = [p for p in v.texts if not p.code]
        assert not [p.text for p in texts if not p.english and p.text in english], url
        assert not [p.text for p in texts if not p.english and _WORDS.search(p.text)], url
        assert not [p.text for p in texts if _RAW.search(p.text)], url
        numeric = [p.text for p in texts if p.numeric]
        assert numeric and not [x for x in numeric if _ENGLISH_NUMBER.search(x)], url
        plain = [p.text for p in texts if not p.english]
        for label in ENGLISH_LABELS:
            pat = re.compile(r"(?<!\w)" + re.escape(label) + r"(?!\w)")
            assert not [t for t in plain if pat.search(t)], (url, label)
    html = client.get("/nl/kansenkaart?design=timcat_pwr12_me&units=2&run=1").text
    chart = _chart(html)
    names = work_package_names(load_taxonomy().work_packages, "nl")
    assert [s["name"] for s in chart["series"]] == [names[s["id"]] for s in chart["series"]]
    assert 'data-year="Jaar"' in html and "Vraag, miljoen euro" in html
    assert "Arbeid op de bouwplaats, uren" in html


def test_requirements_page_lists_every_work_package(client: TestClient):
    tax = load_taxonomy()
    for lang in ("en", "nl"):
        html = client.get(f"/{lang}/kansenkaart/requirements").text
        names = work_package_names(tax.work_packages, lang)
        table = re.search(r'<table id="kansenkaart-req-table">(.*?)</table>', html, re.S).group(1)
        rows = re.findall(r'<tr data-wp="([a-z_]+)">\s*<th scope="row">([^<]*)</th>', table)
        assert {wp for wp, _ in rows} == set(tax.work_packages)
        assert all(unescape(name) == names[wp] for wp, name in rows)
        judgement = "eigen oordeel van het project" if lang == "nl" else "the project's own"
        assert judgement in unescape(html)
        certs = api.requirements().frame("certificates")
        assert html.count('<tr data-certificate="') >= len(certs)
    # NQA-1 shares as the api computes them (Dutch percentages)
    wps = api.requirements().frame("work_packages").set_index("work_package")
    html = client.get("/nl/kansenkaart/requirements").text
    cell = re.search(r'<tr data-wp="reactor_vessel_internals">.*?data-col="nqa1_share">([^<]*)<',
                     html, re.S).group(1)  # fmt: skip
    assert (
        cell.strip().replace("\xa0", "")
        == f"{round(wps.loc['reactor_vessel_internals', 'nqa1_share'] * 100)}%"
    )


def test_requirements_by_origin(client: TestClient):
    html = client.get("/en/kansenkaart/requirements?origin=FR").text
    origins = set(re.findall(r'<td data-col="origins">([^<]*)</td>', html))
    assert origins and "US" not in origins and "DE" not in origins
    want = api.requirements(origin="FR").frame("requirements")
    assert html.count('<tr data-certificate="') == len(want) + len(
        api.requirements().frame("certificates")
    )
    r = client.get("/nl/kansenkaart/requirements?origin=XX")
    assert r.status_code == 400 and 'data-field="origin"' in r.text


def test_downloads_with_provenance(client: TestClient):
    q = "design=timcat_pwr12_me&units=2&year=2031&spacing=3&lang=nl"
    r = client.get(f"/api/v1/kansenkaart/demand.csv?{q}&table=work_packages")
    assert r.status_code == 200 and "describedby" in r.headers["link"]
    df = pd.read_csv(io.StringIO(r.text))
    doc = {"name": "x", "units": [{"design": "timcat_pwr12_me", "first_concrete_year": y}
                                  for y in (2031, 2034)]}  # fmt: skip
    want = api.demand(doc).frame("demand").groupby("work_package")["total"].sum()
    got = df.set_index("work_package")["total"]
    assert set(got.index) == set(want.index)
    assert (got - want.reindex(got.index)).abs().max() < 1e-3 * want.max()
    assert "Civiele werken en gebouwen" in set(df["work_package_name"])
    side = client.get(f"/api/v1/kansenkaart/demand.csv.provenance.json?{q}&table=work_packages")
    prov = side.json()
    text = json.dumps(prov)
    assert "timcat_pwr12_me" in text and "kansenkaart demand" in text
    x = client.get(f"/api/v1/kansenkaart/demand.xlsx?{q}")
    sheets = pd.read_excel(io.BytesIO(x.content), sheet_name=None)
    assert {"demand", "accounts", "work_packages", "provenance"} <= set(sheets)
    assert sheets["demand"]["total"].sum() == pytest.approx(float(want.sum()), rel=1e-9)
    req = client.get("/api/v1/kansenkaart/requirements.csv?table=certificates&lang=nl")
    assert req.status_code == 200
    assert len(pd.read_csv(io.StringIO(req.text))) == len(api.requirements().frame("certificates"))
    bad = client.get("/api/v1/kansenkaart/demand.csv?units=99")
    assert bad.status_code == 400 and bad.json()["field"] == "units"


def test_examples_folder_exists():
    assert isinstance(EXAMPLES, Path) and (EXAMPLES / "timcat_pwr12_me.yaml").is_file()
