"""The stockpile page (/{lang}/stockpile), its JSON API (POST /api/v1/stockpile/plan), its
downloads and its HTML report, on the hand-made store of the stockpile unit tests (BACI files
written by hand, World Mining Data and EU CRM end uses as tables): the same stock as
``api.plan`` for the same arguments, Dutch on /nl/ (reasons, numbers, no English words
outside text marked English), a bad scenario refused naming its field, the provenance in
every file, saved scenarios of analysts."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import PASSWORD, csrf_headers
from fastapi.testclient import TestClient
from test_dutch import _ENGLISH_NUMBER, _RAW, _WORDS, english_only_texts, visible
from unit.test_stockpile_candidates import store  # noqa: F401  (the module-scoped store)

from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.stockpile import api
from ketenradar.modules.stockpile import form as fm
from ketenradar.modules.stockpile.candidates import candidate_tables
from ketenradar.registry import service

ITEMS = ["cobalt", "copper", "nickel", "gallium"]
QUERY = "items=cobalt,copper,nickel,gallium&year=2022&paths=2000&seed=7"
CUT = "scenario.disruptions[0].suppliers[0].cut"


@pytest.fixture(scope="module")
def app(store: Path):  # noqa: F811
    """The real app over the hand-made store, with an analyst (Argon2id at its cheapest)."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (("TIME_COST", "1"), ("MEMORY_KIB", "64"), ("PARALLELISM", "1")):
            mp.setenv(f"KETENRADAR_ARGON2_{name}", value)
        application = create_app(settings=WebSettings.from_env(store))
        service.create_user(application.state.accounts, "ann", PASSWORD, "analyst")
    return application


@pytest.fixture(scope="module")
def client(app) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="module")
def analyst(app) -> TestClient:
    c = TestClient(app)
    r = c.post(
        "/api/v1/login", json={"username": "ann", "password": PASSWORD}, headers=csrf_headers(c)
    )
    assert r.status_code == 200
    return c


@pytest.fixture(scope="module")
def nl_page(client: TestClient) -> str:
    r = client.get(f"/nl/stockpile?run=1&{QUERY}")
    assert r.status_code == 200, r.text[:500]
    return r.text


def _cell(html: str, item: str, col: str) -> str:
    row = re.search(rf'<tr data-item="{item}".*?</tr>', html, re.S)
    assert row, item
    cell = re.search(rf'data-col="{col}"[^>]*>(.*?)</td>', row.group(0), re.S)
    assert cell, (item, col)
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def test_the_form_answers_in_both_languages(client: TestClient):
    for lang, run in (("nl", "Plan berekenen"), ("en", "Compute the plan")):
        r = client.get(f"/{lang}/stockpile")
        assert r.status_code == 200 and f'<html lang="{lang}">' in r.text
        assert f'id="stockpile-run">{run}<' in r.text
        assert 'aria-live="polite"' in r.text  # the "computing…" state is announced
        assert 'name="probability"' in r.text and 'name="scenario"' in r.text
        assert '<option value="naval_aesa_radar"' in r.text  # the packaged BOMs
        assert 'id="stockpile-result"' not in r.text  # nothing computed without run=1


def test_page_shows_the_plan_with_coverage_and_reasons(client: TestClient):
    html = client.get(f"/en/stockpile?run=1&{QUERY}").text
    df = api.plan(
        ITEMS, "NLD", 2022, paths=2000, seed=7, data_dir=client.app.state.settings.data_dir
    )
    df = df.frame("plan").set_index("item")
    assert 'data-items="4" data-with-stock="2"' in html
    assert "4 items, 2 with a stock" in html
    labels = {"public": "public", "public_private": "public-private", "private": "private"}
    for item in ("cobalt", "copper"):
        shown = float(_cell(html, item, "stock_t").replace(",", ""))
        assert shown == pytest.approx(df.loc[item, "stock_t"], rel=5e-3)  # 3 significant digits
        assert _cell(html, item, "form") == labels[df.loc[item, "form"]]
    # items without numbers show their note
    assert _cell(html, "nickel", "stock_t") == "–"
    assert _cell(html, "nickel", "note").startswith("no annual demand")
    # every reason of the advice
    dd = re.search(r'<dd data-item="cobalt">(.*?)</dd>', html, re.S).group(1)
    reasons = df.loc["cobalt", "form_reasons"].split(" | ")
    assert len(reasons) >= 2 and all(x in dd for x in reasons)


def test_dutch_page_is_dutch(nl_page: str, client: TestClient):
    v = visible(nl_page)
    texts = [p for p in v.texts if not p.code]
    english = english_only_texts()
    assert not [p.text for p in texts if not p.english and p.text in english]
    assert not [p.text for p in texts if not p.english and _WORDS.search(p.text)]
    assert not [p.text for p in texts if _RAW.search(p.text)]
    numeric = [p.text for p in texts if p.numeric]
    assert len(numeric) > 20 and not [x for x in numeric if _ENGLISH_NUMBER.search(x)]
    assert "english-note" in v.ids  # the notes and methods are marked English, and say why
    assert "4 items, 2 met een voorraad" in nl_page
    # the reasons in Dutch: the rules' text_nl
    data = candidate_tables(ITEMS, "NLD", 2022, data_dir=client.app.state.settings.data_dir)
    row = data.frame("candidates").set_index("item").loc["cobalt"]
    advice = fm.advise(fm.form_factors_from_inputs(row))
    dd = re.search(r'<dd data-item="cobalt">(.*?)</dd>', nl_page, re.S).group(1)
    for reason in advice.reasons:
        assert reason.text_nl.replace("'", "&#39;") in dd
        assert reason.text_en not in dd
    # Dutch numbers: 1.234,5
    stock = _cell(nl_page, "cobalt", "stock_t")
    assert "," in stock or "." in stock or stock.isdigit()
    assert not _ENGLISH_NUMBER.search(stock)


def test_api_returns_the_stock_of_api_plan(client: TestClient):
    data_dir = client.app.state.settings.data_dir
    want = api.plan(ITEMS, "NLD", 2022, paths=2000, months=60, seed=11, service_level=0.9,
                    data_dir=data_dir).frame("plan")  # fmt: skip
    body = {"items": ITEMS, "year": 2022, "paths": 2000, "months": 60, "seed": 11}
    r = client.post(
        "/api/v1/stockpile/plan", json=body | {"service_level": 0.9}, headers=csrf_headers(client)
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert [row["item"] for row in got["rows"]] == ITEMS
    for row, (_, w) in zip(got["rows"], want.iterrows(), strict=True):
        if pd.isna(w["stock_t"]):
            assert row["stock_t"] is None and row["note"]
        else:
            assert row["stock_t"] == pytest.approx(w["stock_t"], rel=1e-12)
    assert got["coverage"] == {"items": 4, "with_stock": 2}
    assert got["provenance"]["parameters"]["seed"] == 11
    assert got["scenario"]["name"] == "top supplier halted"
    assert {c["name"] for c in got["columns"]} >= {"stock_t", "form_reasons"}
    assert "simulation" not in got or {"fan", "service_curve"} <= set(got["simulation"])


def test_the_default_scenario_fields_reach_the_scenario(client: TestClient):
    h = csrf_headers(client)
    base = {"items": ["cobalt", "copper"], "year": 2022, "paths": 2000, "seed": 3}
    low = client.post("/api/v1/stockpile/plan", json=base, headers=h).json()
    high = client.post(
        "/api/v1/stockpile/plan",
        json=base | {"halt": {"probability": 0.5, "duration_months": 24}},
        headers=h,
    ).json()
    d = high["scenario"]["disruptions"][0]
    assert d["probability"] == 0.5 and d["duration"]["months"] == 24
    for a, b in zip(low["rows"], high["rows"], strict=True):
        assert b["stock_t"] > a["stock_t"]  # more frequent, longer halts: a larger stock


def test_a_bad_scenario_is_refused_naming_the_field(client: TestClient):
    doc = {
        "name": "bad",
        "disruptions": [{"name": "x", "suppliers": [{"supplier": "CHN", "cut": 3}],
                         "probability": 0.1}],
    }  # fmt: skip
    r = client.post(
        "/api/v1/stockpile/plan",
        json={"items": ITEMS, "year": 2022, "scenario": doc},
        headers=csrf_headers(client),
    )
    assert r.status_code == 422
    err = r.json()
    assert err["field"] == CUT and "0 to 1" in err["detail"] and err["code"] == "invalid_data"
    # the page: the same error beside the form, the scenario kept in the editor
    text = "name: bad\ndisruptions:\n  - name: x\n    suppliers: [{supplier: CHN, cut: 3}]\n"
    text += "    probability: 0.1\n"
    r = client.get(f"/en/stockpile?run=1&{QUERY}&mode=document&scenario={quote(text)}")
    assert r.status_code == 422
    box = re.search(r'id="stockpile-errors".*?</div>', r.text, re.S).group(0)
    assert f'data-field="{CUT}"' in box and "0 to 1" in box
    assert "cut: 3" in r.text  # the textarea keeps what was typed
    # a field outside its bounds
    r = client.get("/en/stockpile?run=1&service_level=1.5")
    assert r.status_code == 422 and 'data-field="service_level"' in r.text
    r = client.post(
        "/api/v1/stockpile/plan",
        json={"items": ITEMS, "paths": 10**9},
        headers=csrf_headers(client),
    )
    assert r.status_code == 422 and "paths" in r.json()["field"]


def test_an_own_scenario_document_is_run(client: TestClient):
    text = (
        "name: CHN halts\ndisruptions:\n  - name: CHN\n    suppliers: [{supplier: CHN}]\n"
        "    onset_month: 1\n    duration: {distribution: fixed, months: 6}\n"
        "    ramp_up_months: null\n"
    )
    r = client.get(f"/en/stockpile?run=1&{QUERY}&mode=document&scenario={quote(text)}")
    assert r.status_code == 200, r.text[:400]
    assert "Scenario: your own" in r.text and "CHN halts" in r.text
    # copper comes from Namibia only: a Chinese halt leaves it without a stock
    assert _cell(r.text, "copper", "stock_t") in ("0", "–")
    assert float(_cell(r.text, "cobalt", "stock_t").replace(",", "")) > 0


def _page_body(client: TestClient, lang: str = "en") -> dict:
    """The JSON body the page's download boxes post (the plan on screen)."""
    page = client.get(f"/{lang}/stockpile?run=1&{QUERY}").text
    assert 'data-base="/api/v1/stockpile/plan" data-post' in page
    body = re.search(r'<script type="application/json" id="stockpile-body">(.*?)</script>', page)
    return json.loads(body.group(1))


def test_downloads_carry_the_provenance(client: TestClient):
    body = _page_body(client)
    assert body["items"] == ITEMS and body["seed"] == 7 and body["paths"] == 2000
    h = csrf_headers(client)
    r = client.post("/api/v1/stockpile/plan.csv", json=body, headers=h)
    assert r.status_code == 200 and 'rel="describedby"' in r.headers["link"]
    df = pd.read_csv(io.StringIO(r.text))
    assert list(df["item"]) == ITEMS
    want = api.plan(
        ITEMS, "NLD", 2022, paths=2000, seed=7, data_dir=client.app.state.settings.data_dir
    )
    assert df["stock_t"].tolist() == pytest.approx(
        want.frame("plan")["stock_t"].tolist(), rel=1e-9, nan_ok=True
    )
    side = client.post("/api/v1/stockpile/plan.csv.provenance.json", json=body, headers=h).json()
    prov = side.get("provenance", side)
    assert prov["analysis"] == "stockpile_plan" and prov["parameters"]["seed"] == 7
    assert prov["parameters"]["paths"] == 2000 and prov["datasets"]
    assert prov["command"].startswith("POST /api/v1/stockpile/plan.csv")
    r = client.post("/api/v1/stockpile/plan.parquet", json=body, headers=h)
    meta = pq.read_table(io.BytesIO(r.content)).schema.metadata
    assert json.loads(meta[b"ketenradar.provenance"])["analysis"] == "stockpile_plan"
    r = client.post("/api/v1/stockpile/plan.xlsx", json=body, headers=h)
    xlsx = pd.read_excel(io.BytesIO(r.content), sheet_name=None)
    assert {"plan", "provenance"} <= set(xlsx)


def test_the_report_is_one_self_contained_file(client: TestClient):
    body = _page_body(client, "nl")
    assert body["lang"] == "nl"
    r = client.post("/api/v1/stockpile/plan.html", json=body, headers=csrf_headers(client))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "attachment" in r.headers["content-disposition"]
    page = r.text
    assert "<style>" in page and "<script" not in page
    assert not re.search(r'(?:src|href)="', page)  # nothing to load
    assert '<tr data-item="cobalt">' in page and "4 items, 2 met een voorraad" in page
    assert "POST /api/v1/stockpile/plan.html" in page  # the provenance's command
    assert "niet meegeteld" in page  # the reasons, in Dutch


def test_saved_scenarios_save_list_open_delete(client: TestClient, analyst: TestClient):
    doc = {"name": "CHN halts", "disruptions": [{"name": "CHN", "suppliers": [{"supplier": "CHN"}],
           "probability": 0.2}]}  # fmt: skip
    r = analyst.post(
        "/api/v1/saved/stockpile_scenario",
        json={"name": "CHN halts", "body": json.dumps(doc), "private": False},
        headers=csrf_headers(analyst),
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    page = analyst.get("/en/stockpile").text
    assert f'href="/en/stockpile?saved={sid}#stockpile-scenario"' in page
    assert f'class="stockpile-delete" data-id="{sid}"' in page
    assert 'class="stockpile-delete"' not in client.get("/en/stockpile").text  # not signed in
    opened = analyst.get(f"/en/stockpile?saved={sid}").text
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", opened, re.S).group(1)
    assert json.loads(unescape(text)) == doc  # the saved document, in the editor
    assert 'value="document" checked' in opened and "CHN halts" in opened
    # a run shows the save form (analysts) with the scenario as run
    ran = analyst.get(f"/en/stockpile?run=1&{QUERY}").text
    assert 'id="stockpile-save"' in ran and 'id="stockpile-scenario-doc"' in ran
    # run with it: the scenario as run is the saved one
    saved = quote(unescape(text))
    ran = analyst.get(f"/en/stockpile?run=1&{QUERY}&mode=document&scenario={saved}").text
    assert "Scenario: your own" in ran and "CHN halts" in ran
    r = analyst.delete(f"/api/v1/saved/stockpile_scenario/{sid}", headers=csrf_headers(analyst))
    assert r.status_code == 204
    assert client.get(f"/en/stockpile?saved={sid}").status_code == 404


def test_a_packaged_bom_is_planned(client: TestClient):
    r = client.get("/en/stockpile?run=1&bom=mri_scanner&units_per_year=50&year=2022&paths=500")
    assert r.status_code == 200, r.text[:400]
    want = api.plan(
        [], "NLD", 2022, bom="mri_scanner", units_per_year=50, paths=500,
        data_dir=client.app.state.settings.data_dir,
    ).frame("plan")  # fmt: skip
    assert f'data-items="{len(want)}"' in r.text and "the materials of the BOM" in r.text
    for item in want["item"]:
        assert f'<tr data-item="{item}"' in r.text  # every material and component has its row
    assert '<option value="mri_scanner" selected>' in r.text  # the choice kept


# --- many at once: one computation per request, a ration for the rest --------------------------


@pytest.fixture
def plan_limits(monkeypatch: pytest.MonkeyPatch):
    """Set the plans' limits and return a fresh service for them."""
    from ketenradar.modules.stockpile.web import views as sv

    def set_limits(slots: int = 1, queue: int = 4, cache: int = 16) -> sv.PlanService:
        monkeypatch.setenv("KETENRADAR_MAX_CONCURRENT_PLANS", str(slots))
        monkeypatch.setenv("KETENRADAR_MAX_QUEUED_PLANS", str(queue))
        monkeypatch.setenv("KETENRADAR_PLAN_CACHE_SIZE", str(cache))
        sv._PLANS.clear()
        return sv.plan_service()

    yield set_limits
    sv._PLANS.clear()


def test_identical_plans_at_once_are_computed_once(store: Path, plan_limits):  # noqa: F811
    from conftest import together

    from ketenradar.modules.stockpile.web import views as sv

    svc = plan_limits(slots=1, queue=0)  # no queue: only single flight lets them all through
    ask = sv.Ask(items=["cobalt", "copper"], year=2022, paths=500, seed=5)
    got = together([lambda: sv.compute(ask, store, command="test") for _ in range(8)])
    assert not [g for g in got if isinstance(g, BaseException)], got
    assert svc.cache.stats.computed == 1 and svc.limit.refused == 0
    assert all(g is got[0] for g in got)
    direct = sv.compute_plan(ask, store, command="test").result.frame("plan")
    pd.testing.assert_series_equal(got[0].result.frame("plan")["stock_t"], direct["stock_t"])


def test_different_plans_are_rationed(store: Path, plan_limits):  # noqa: F811
    from conftest import together

    from ketenradar.modules.stockpile.web import views as sv

    svc = plan_limits(slots=1, queue=1)
    asks = [sv.Ask(items=["cobalt"], year=2022, paths=2000, seed=s) for s in range(6)]
    got = together([lambda a=a: sv.compute(a, store, command="test") for a in asks])
    busy = [g for g in got if isinstance(g, sv.PlanBusyError)]
    done = [g for g in got if isinstance(g, sv.Outcome)]
    assert len(busy) + len(done) == len(asks), [g for g in got if isinstance(g, Exception)]
    assert svc.limit.peak_running == 1 and len(busy) == svc.limit.refused >= 1
    assert all(b.http_status == 429 and b.retry_after > 0 for b in busy)
    assert "stock plans" in str(busy[0]) and len(done) >= 2
