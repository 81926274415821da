# ruff: noqa: N803, N806  (input-output matrix notation: Z, Y, as in tests/unit/test_io_*.py)
"""The input-output page and API: exposure per industry (goods and services), supply shocks.

Small tables in the OECD ICIO CSV layout are written here and loaded with
``ketenradar io load icio`` into temporary stores:

* the hand case of ``docs/methods/input-output.md`` (two regions, one industry each:
  ``Z = [[10, 20], [30, 40]]``, ``x = [100, 200]``, ``va = [60, 140]``), whose shock results
  are worked out by hand;
* a 4-region × 3-sector table with a services sector (``K``), on which the API must give
  exactly what :mod:`ketenradar.modules.io.api` gives when called directly, and shares that
  numpy recomputes from the matrix written to the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import csrf_headers, require_shared
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ketenradar.core.errors import UsageError
from ketenradar.interfaces.cli.app import app as cli_app
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.io import api as io_api
from ketenradar.modules.io.web import views as io_page
from ketenradar.results import starter

FD = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")
SVC_REGIONS = ["CHN", "DEU", "NLD", "ROW"]
SVC_SECTORS = ["C26", "C27", "K"]  # two goods industries and one service


def write_icio_csv(
    path: Path, regions: list[str], sectors: list[str], Z: np.ndarray, Y: np.ndarray
) -> Path:
    """A balanced table in the OECD ICIO CSV layout: ``Y[i, d]`` is household final demand
    of destination ``d`` (the other final-demand columns are 0), no taxes, ``OUT`` = row sums,
    ``VA`` = the rest of each column."""
    ind = [f"{r}_{s}" for r in regions for s in sectors]
    fd_cols = [f"{r}_{c}" for r in regions for c in FD]
    fd = np.zeros((len(ind), len(fd_cols)))
    fd[:, :: len(FD)] = Y
    x = Z.sum(axis=1) + Y.sum(axis=1)
    va = x - Z.sum(axis=0)
    assert (va > 0).all()
    body = np.hstack([Z, fd, x[:, None]])
    zeros = np.zeros(len(fd_cols))
    rows = np.vstack(
        [
            body,
            np.concatenate([np.zeros(len(ind)), zeros, [np.nan]]),  # TLS
            np.concatenate([va, zeros, [np.nan]]),  # VA
            np.concatenate([x, zeros, [np.nan]]),  # OUT
        ]
    )
    df = pd.DataFrame(rows, index=[*ind, "TLS", "VA", "OUT"], columns=[*ind, *fd_cols, "OUT"])
    df.index.name = "V1"
    df.to_csv(path)
    return path


def hand_matrices() -> tuple[np.ndarray, np.ndarray]:
    return np.array([[10.0, 20.0], [30.0, 40.0]]), np.array([[50.0, 20.0], [60.0, 70.0]])


def services_matrices() -> tuple[np.ndarray, np.ndarray]:
    n, R = len(SVC_REGIONS) * len(SVC_SECTORS), len(SVC_REGIONS)
    i = np.arange(n)[:, None]
    Z = 10.0 * (i + 1) + (np.arange(n)[None, :] + 1)
    Z[2::3, :] *= 0.5  # the service sector sells less to industries
    Y = 300.0 * (i + 1) + 10.0 * np.arange(R)[None, :]
    return Z, Y


def load(store: Path, csv: Path) -> Path:
    args = ["io", "load", "icio", str(csv), "--data-dir", str(store)]
    r = CliRunner().invoke(cli_app, args)
    assert r.exit_code == 0, r.output
    return store


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("io-hand")
    Z, Y = hand_matrices()
    return load(d / "store", write_icio_csv(d / "2020_SML.csv", ["NLD", "DEU"], ["C"], Z, Y))


@pytest.fixture(scope="module")
def svc_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("io-svc")
    Z, Y = services_matrices()
    csv = write_icio_csv(d / "2022_SML.csv", SVC_REGIONS, SVC_SECTORS, Z, Y)
    return load(d / "store", csv)


def client_for(store: Path) -> TestClient:
    return TestClient(create_app(settings=WebSettings.from_env(store)))


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return client_for(tmp_path_factory.mktemp("io-empty") / "store")


@pytest.fixture(scope="module")
def hand(hand_store: Path) -> TestClient:
    return client_for(hand_store)


@pytest.fixture(scope="module")
def svc(svc_store: Path) -> TestClient:
    return client_for(svc_store)


# --- exposure per industry ----------------------------------------------------------------


def test_starter_exposure_goods_and_services(empty: TestClient):
    r = empty.get("/api/v1/io/industries")
    assert r.status_code == 200
    d = r.json()
    assert (d["origin"], d["economy"], d["year"]) == ("starter", "NLD", 2022)
    ref = starter.read("io_exposure_industry")
    ref = ref[ref["economy"] == "NLD"]
    assert [x["industry"] for x in d["rows"]] == list(ref["industry"])
    assert {x["kind"] for x in d["rows"]} == {"goods", "services"}
    # the goods/services split, recomputed from the starter table with pandas
    live = ref[ref["output_musd"] > 0]
    summary = {s["kind"]: s for s in d["summary"]}
    for kind, sub in [*live.groupby("kind"), ("all", live)]:
        s = summary[kind]
        assert s["industries"] == len(sub)
        assert s["output_musd"] == pytest.approx(sub["output_musd"].sum())
        share = sub["foreign_inputs_musd"].sum() / sub["intermediate_inputs_musd"].sum()
        assert s["foreign_input_share"] == pytest.approx(share)
    assert summary["goods"]["foreign_input_share"] != summary["services"]["foreign_input_share"]
    # NLD (default economy) with nothing loaded: the starter pack answers; anything else: 409
    assert empty.get("/api/v1/io/industries", params={"economy": "NLD"}).json()["origin"] == (
        "starter"
    )
    r = empty.get("/api/v1/io/industries", params={"economy": "DEU"})
    assert r.status_code == 409 and "ketenradar io load icio PATH" in r.json()["detail"]
    # the older endpoint still serves the starter tables
    old = empty.get("/api/v1/io/exposure", params={"by": "industry"})
    assert old.status_code == 200 and len(old.json()["rows"]) == len(ref)
    assert 400 <= empty.get("/api/v1/io/exposure", params={"by": "sector"}).status_code < 500


def test_store_exposure_equals_engine_and_numpy(svc: TestClient, svc_store: Path):
    d = svc.get("/api/v1/io/industries", params={"economy": "NLD"}).json()
    assert (d["origin"], d["dataset"], d["year"]) == ("store", "icio", 2022)
    direct = io_api.exposure("NLD", by="industry", data_dir=svc_store)
    assert [x["industry"] for x in d["rows"]] == list(direct["industry"]) == SVC_SECTORS
    np.testing.assert_allclose(
        [x["foreign_va_content"] for x in d["rows"]], direct["foreign_va_content"], rtol=1e-12
    )
    # direct foreign input share, from the matrix written to the file
    Z, _ = services_matrices()
    nld = slice(6, 9)  # NLD is the third region
    foreign = np.r_[0:6, 9:12]
    want = Z[foreign, nld].sum(axis=0) / Z[:, nld].sum(axis=0)
    np.testing.assert_allclose([x["foreign_input_share"] for x in d["rows"]], want)
    s = {x["kind"]: x for x in d["summary"]}
    assert (s["goods"]["industries"], s["services"]["industries"]) == (2, 1)
    assert s["services"]["foreign_input_share"] == pytest.approx(want[2])
    goods = Z[foreign, 6:8].sum() / Z[:, 6:8].sum()
    assert s["goods"]["foreign_input_share"] == pytest.approx(goods)
    assert d["provenance"]["datasets"][0]["dataset"] == "icio"
    # a bloc: EU27 is DEU and NLD in this table; foreign = CHN and ROW
    eu = svc.get("/api/v1/io/industries", params={"economy": "EU27"}).json()
    assert [(x["region"], x["industry"]) for x in eu["rows"]] == [
        (r, s) for r in ("DEU", "NLD") for s in SVC_SECTORS
    ]
    cols = slice(3, 9)
    out = np.r_[0:3, 9:12]
    np.testing.assert_allclose(
        [x["foreign_input_share"] for x in eu["rows"]],
        Z[out, cols].sum(axis=0) / Z[:, cols].sum(axis=0),
    )
    # without parameters the page and API keep showing the starter pack
    assert svc.get("/api/v1/io/industries").json()["origin"] == "starter"


def test_exposure_bad_parameters(svc: TestClient):
    r = svc.get("/api/v1/io/industries", params={"economy": "NDL"})
    assert r.status_code == 400 and "closest: NLD" in r.json()["detail"]
    r = svc.get("/api/v1/io/industries", params={"economy": "NLD", "year": 2011})
    assert r.status_code == 404 and "years loaded: 2022" in r.json()["detail"]
    r = svc.get("/api/v1/io/industries", params={"year": 1800})
    assert r.status_code == 422 and "year" in r.json()["detail"]
    r = svc.get("/api/v1/io/industries", params={"source": "exiobase"})
    assert r.status_code == 422 and "icio" in r.json()["detail"]
    r = svc.get("/api/v1/io/industries", params={"source": "wiod"})
    assert r.status_code == 409 and "ketenradar io load wiod PATH" in r.json()["detail"]
    r = svc.get("/api/v1/io/industries", params={"dataset": "nope"})
    assert r.status_code == 404 and "icio" in r.json()["detail"]
    assert "store" not in r.json()["detail"]  # no server folder in the message


# --- shocks -------------------------------------------------------------------------------


def post(client: TestClient, body: dict):
    return client.post("/api/v1/io/shock", json=body, headers=csrf_headers(client))


def test_shock_hand_case(hand: TestClient):
    """The worked example: DEU's deliveries fall by half (tests/unit/test_io_methods.py)."""
    r = post(hand, {"supplier": "DEU", "fall": 0.5})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["rows"][0]["industry"] == "TOTAL" and d["total"]["industry"] == "TOTAL"
    # extraction: B* row 2 halved, x*_1 = (60·0.9 + 140·0.075) / 0.795
    loss = 100 - 64.5 / 0.795
    assert d["total"]["output_loss_musd"] == pytest.approx(loss)
    assert d["total"]["va_loss_musd"] == pytest.approx(0.6 * loss)  # v_NLD = 60 / 100
    assert d["total"]["output_loss_share"] == pytest.approx(loss / 100)
    assert d["rows"][1]["output_loss_musd"] == pytest.approx(loss)  # the only industry
    # Ghosh: Δz = 0.5·[30, 40], Δx_NLD = (15·0.8 + 20·0.15) / 0.69
    g = post(hand, {"supplier": "DEU", "fall": 0.5, "model": "ghosh"}).json()
    assert g["total"]["output_loss_musd"] == pytest.approx(15 / 0.69)
    e = post(hand, {"supplier": "DEU", "fall": 0.5, "model": "ghosh", "to": "economy"}).json()
    assert e["total"]["output_loss_musd"] == pytest.approx(15 * 0.8 / 0.69)
    prov = d["provenance"]
    assert prov["parameters"]["table"] == "icio 2020"
    assert "Dietzenbacher" in " ".join(prov["methods"])
    assert "io shock" in prov["command"] and "--supplier DEU" in prov["command"]
    assert prov["datasets"][0]["inputs"][0]["file"] == "2020_SML.csv"


def test_shock_title_notes_and_labels_in_words(hand: TestClient):
    """The answer says the scenario in a sentence, its notes as text and the columns by their
    schema labels, in the language asked for (English by default); the raw provenance stays."""
    en = post(hand, {"supplier": "DEU", "fall": 0.25, "to": "economy"}).json()
    assert en["title"] == (
        "25% fall in deliveries from Germany to buyers in Netherlands only: effect on "
        "Netherlands, 2020 — partial extraction (exact)"
    )
    assert en["notes"][0] == (
        "The losses are upper bounds: buyers cannot replace a lost supplier (no substitution)."
    )
    assert en["labels"]["output_loss_musd"] == "Output loss (USD million)"
    assert en["provenance"]["notes"][0].startswith("losses are upper bounds")  # for scripts
    nl = post(hand, {"supplier": "DEU", "fall": 0.125, "model": "ghosh", "lang": "nl"}).json()
    assert nl["title"] == (
        "12,5% minder leveringen uit Duitsland aan alle afnemers in de wereld: gevolgen voor "
        "Nederland, 2020 — Ghosh (eerste orde)"
    )
    assert nl["notes"][0].startswith("De verliezen zijn bovengrenzen")
    assert nl["labels"]["output_loss_musd"] == "Productieverlies (mln USD)"
    assert nl["chart"]["top"] == 15 and "Productieverlies" in nl["chart"]["title"]
    bad = post(hand, {"supplier": "DEU", "fall": 0.5, "lang": "de"})
    assert bad.status_code == 422 and "lang" in bad.text


@pytest.mark.parametrize("model", ["extraction", "ghosh"])
def test_shock_equals_engine(svc: TestClient, svc_store: Path, model: str):
    body = {
        "economy": "NLD",
        "supplier": "CHN",
        "industries": ["C26", "K"],
        "fall": 0.4,
        "model": model,
    }
    r = post(svc, body)
    assert r.status_code == 200, r.text
    d = r.json()
    want = io_api.shock(
        "NLD",
        supplier="CHN",
        fall=0.4,
        industries=("C26", "K"),
        model_name=model,
        data_dir=svc_store,
    ).set_index("industry")
    got = pd.DataFrame(d["rows"]).set_index("industry")
    assert set(got.index) == set(want.index) == {"TOTAL", *SVC_SECTORS}
    for col in ("output_musd", "output_loss_musd", "output_loss_share", "va_loss_musd"):
        np.testing.assert_allclose(got.loc[want.index, col], want[col], rtol=1e-12)
    losses = [x["output_loss_musd"] for x in d["rows"][1:]]
    assert losses == sorted(losses, reverse=True) and min(losses) > 0
    assert d["total"]["output_loss_musd"] == pytest.approx(sum(losses))
    assert d["request"]["industries"] == ["C26", "K"] and d["model"] == model


def test_shock_without_table_is_409_with_the_command(empty: TestClient):
    r = post(empty, {"supplier": "CHN", "fall": 0.5})
    assert r.status_code == 409
    assert "ketenradar io load icio PATH" in r.json()["detail"]
    page = empty.get("/en/io")
    assert page.status_code == 200
    # the page says exactly what to run: the shared data folder's ICIO table when it is there
    from ketenradar.core.config import shared_data_dir

    found = (shared_data_dir() / "icio_oecd_2022" / "bench_cache.npz").is_file()
    command = (
        "ketenradar io load icio ../shared/data/icio_oecd_2022"
        if found
        else "ketenradar io load icio PATH"
    )
    assert 'id="io-no-table"' in page.text
    assert f'<code id="io-load-command">{command}</code>' in page.text
    assert "KETENRADAR_DATA_DIR" in page.text
    assert 'id="shock-form"' not in page.text
    nl = empty.get("/nl/io")
    assert "gegevensmap van de server" in nl.text and command in nl.text
    n = len(starter.read("io_exposure_industry"))
    assert page.text.count('<tr data-kind="') == n + 3  # industries + goods/services/all


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"supplier": "CHN", "fall": 0}, 422, ["fall", "greater than 0"]),
        ({"supplier": "CHN", "fall": 1.5}, 422, ["fall", "less than or equal to 1"]),
        ({"supplier": "CHN", "fall": "half"}, 422, ["fall"]),
        ({"supplier": "CHN"}, 422, ["fall", "required"]),
        ({"supplier": "CHN", "fall": 0.5, "model": "leontief"}, 422, ["extraction", "ghosh"]),
        ({"supplier": "CHN", "fall": 0.5, "to": "moon"}, 422, ["world", "economy"]),
        ({"supplier": "CHN", "fall": 0.5, "shocks": []}, 422, ["shocks"]),
        ({"supplier": "CHN", "fall": 0.5, "economy": "NDL"}, 400, ["NDL", "closest: NLD"]),
        ({"supplier": "CHM", "fall": 0.5}, 400, ["CHM", "closest: CHN"]),
        (
            {"supplier": "CHN", "fall": 0.5, "industries": ["C2"]},
            400,
            ["unknown industry C2", "closest: C27, C26"],
        ),
        ({"supplier": "CHN", "fall": 0.5, "year": 2011}, 404, ["years loaded: 2022"]),
        ({"supplier": "CHN", "fall": 0.5, "source": "wiod"}, 409, ["io load wiod PATH"]),
        ({"supplier": "CHN", "fall": 0.5, "dataset": "nope"}, 404, ["nope", "icio"]),
        ({"supplier": "CHN", "fall": 0.5, "economy": "<script>"}, 422, ["economy"]),
    ],
)
def test_shock_bad_input_is_4xx_naming_the_field(svc: TestClient, body, status, words):
    r = post(svc, body)
    assert r.status_code == status, r.text
    for w in words:
        assert w in r.json()["detail"]


def test_shock_needs_csrf_token(svc: TestClient):
    r = svc.post("/api/v1/io/shock", json={"supplier": "CHN", "fall": 0.5})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = svc.post(
        "/api/v1/io/shock",
        json={"supplier": "CHN", "fall": 0.5},
        headers={"X-CSRF-Token": "forged"},
    )
    assert r.status_code == 403


def test_run_shock_validates_without_the_web(hand_store: Path):
    """The pure view function checks a request the same way (for callers other than the API)."""
    req = io_page.shock_request({"supplier": "DEU", "fall": 1, "industries": "C, C"})
    assert req["industries"] == ["C"] and req["fall"] == 1.0 and req["model"] == "extraction"
    for bad, word in [
        ({"supplier": "DEU", "fall": True}, "fall"),
        ({"supplier": "DEU", "fall": float("nan")}, "fall"),
        ({"supplier": "DEU", "fall": -0.1}, "fall"),
        ({"fall": 0.5}, "supplier"),
        ({"supplier": "DEU", "fall": 0.5, "model": "io"}, "extraction"),
        ({"supplier": "DEU", "fall": 0.5, "year": "2020"}, "year"),
        ({"supplier": "DEU", "fall": 0.5, "what": 1}, "allowed"),
    ]:
        with pytest.raises(UsageError, match=word):
            io_page.shock_request(bad)
    res = io_page.run_shock(hand_store, {"supplier": "DEU", "fall": 0.5})
    assert res["total"]["output_loss_musd"] == pytest.approx(100 - 64.5 / 0.795)


# --- the page -----------------------------------------------------------------------------


def test_page_with_a_loaded_table(svc: TestClient):
    r = svc.get("/en/io")
    assert r.status_code == 200
    assert 'id="shock-form"' in r.text and 'value="icio:2022"' in r.text
    assert 'id="io-no-table"' not in r.text
    assert '<option value="CHN">' in r.text  # region codes of the loaded table
    assert 'data-origin="starter"' in r.text
    r = svc.get("/nl/io", params={"economy": "NLD"})
    assert r.status_code == 200 and 'data-origin="store"' in r.text
    assert "Diensten" in r.text and "Aanbodschok" in r.text
    assert 'data-url="/api/v1/io/industries?economy=NLD"' in r.text
    assert r.text.count('<tr data-kind="') == len(SVC_SECTORS) + 3
    assert "icio (OECD ICIO 2025 release)" in r.text  # footer: the loaded dataset
    r = svc.get("/en/io", params={"economy": "NDL"})
    assert r.status_code == 400 and "closest: NLD" in r.text


# --- the real table -----------------------------------------------------------------------


@pytest.mark.realdata
def test_real_icio_table_agrees_with_the_starter_pack(tmp_path: Path):
    """Loaded from the real OECD ICIO 2022 arrays, the store path gives the starter pack's
    exposure per Dutch industry, and the example shock of docs/methods/input-output.md."""
    store = load(tmp_path / "store", require_shared("icio_oecd_2022"))
    c = client_for(store)
    d = c.get("/api/v1/io/industries", params={"economy": "NLD"}).json()
    assert d["origin"] == "store" and d["year"] == 2022
    got = pd.DataFrame(d["rows"]).set_index("industry")
    ref = starter.read("io_exposure_industry").set_index("industry")
    assert list(got.index) == list(ref.index)
    assert (got["kind"] == ref["kind"]).all()
    for col in ("output_musd", "foreign_input_share", "foreign_va_content"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-9)
    r = post(c, {"supplier": "CHN", "industries": ["C26", "C27"], "fall": 0.5})
    assert r.status_code == 200, r.text
    total = r.json()["total"]
    # "3.7 billion USD of gross output (0.18 %) and 1.5 billion USD of value added (0.16 %)"
    assert round(total["output_loss_musd"] / 1000, 1) == 3.7
    assert round(total["va_loss_musd"] / 1000, 1) == 1.5
    assert round(100 * total["output_loss_share"], 2) == 0.18
