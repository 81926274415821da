"""Live data: the web application serves the fact tables derived from the user's own store.

A small hand-made BACI dataset is loaded into a temporary store and ``ketenradar facts build``
(:func:`ketenradar.results.live.build`) derives the facts; the API must then serve the store's
numbers (equal to :func:`ketenradar.api.screen` and :func:`ketenradar.api.supplier_shares`
computed directly), say so in ``origin`` and the footer, keep serving the starter pack's
tables the store cannot derive, pick up a rebuild without a restart, and keep the previous
facts when a build fails.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import write_country_dict, write_product_dict, write_trade
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ketenradar import api
from ketenradar.core.errors import NotFoundError
from ketenradar.datasets import DataStore
from ketenradar.interfaces.cli.app import app as cli_app
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.materials.web import views as mp
from ketenradar.modules.trade.web import content
from ketenradar.results import live, starter
from ketenradar.results.facts import Facts

PRODUCTS = ["260111", "261000", "810520", "280461", "710813"]
EXPORTERS = [156, 842, 76, 276, 251, 528, 516]  # CHN USA BRA DEU FRA NLD NAM
IMPORTERS = [528, 276, 251, 842, 156]
DATASET = "baci_hs92_v202401b"


#: NLD supplies nearly all of the USA's imports of 280461 (the USA then depends on NLD).
LEVERAGE = (528, 842, "280461")


def trade_rows(year: int, scale: float = 1.0, boost: tuple | None = None) -> list[tuple]:
    """Deterministic flows; China dominates the odd products, so some are dependencies.

    ``boost`` (exporter, importer, product) multiplies that one flow by 200."""
    rows = []
    for pi, k in enumerate(PRODUCTS):
        for ei, i in enumerate(EXPORTERS):
            for ji, j in enumerate(IMPORTERS):
                if i == j:
                    continue
                base = 1 + (pi * 7 + ei * 3 + ji * 5 + year) % 11
                big = 60 if (i == 156 and pi % 2 == 0) else 4
                big *= 200 if (i, j, k) == boost else 1
                rows.append((year, i, j, k, round(scale * base * big, 3), "1.5"))
    return rows


def write_source(
    root: Path, years: list[int], scale: float = 1.0, boost: tuple | None = None
) -> Path:
    """A folder with a hand-made BACI release of ``years``."""
    src = root / f"src-{'-'.join(map(str, years))}-{scale}-{bool(boost)}"
    src.mkdir(parents=True)
    write_country_dict(src)
    write_product_dict(src, PRODUCTS)
    for y in years:
        write_trade(src, y, trade_rows(y, scale, boost))
    return src


def make_store(
    root: Path, years: list[int], scale: float = 1.0, boost: tuple | None = None
) -> Path:
    """A store holding a hand-made BACI dataset of ``years``."""
    data = root / "store"
    api.add_dataset("baci", [write_source(root, years, scale, boost)], data_dir=data)
    return data


def client_for(data_dir: Path) -> TestClient:
    return TestClient(create_app(settings=WebSettings.from_env(data_dir)))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = make_store(tmp_path_factory.mktemp("live"), [2021, 2022])
    live.build(data)
    return data


@pytest.fixture(scope="module")
def client(store: Path) -> TestClient:
    return client_for(store)


def test_explorer_serves_the_store_screening(store: Path, client: TestClient):
    for importer, year in (("NLD", 2022), ("EU27", 2021)):
        expected = api.screen(importer, year, data_dir=store).set_index("product")
        params = {"importer": importer, "year": year, "method": "all", "page_size": 500}
        got = client.get("/api/v1/dependencies", params=params).json()
        assert got["total"] == len(expected) == len(PRODUCTS)
        for row in got["rows"]:
            e = expected.loc[row["product"]]
            assert row["external_imports_kusd"] == pytest.approx(e["external_imports_kusd"])
            assert row["supplier_hhi"] == pytest.approx(e["supplier_hhi"])
            assert row["top_supplier"] == e["top_supplier"]
            assert row["top_supplier_share"] == pytest.approx(e["top_supplier_share"])
            assert row["dependent_eu2021"] == bool(e["dependent_eu2021"])
    # the hand-made data hold dependencies on China, so the overview has something to show
    o = client.get("/api/v1/overview", params={"economy": "NLD"}).json()
    nld = api.screen("NLD", 2022, data_dir=store)
    assert o["year"] == 2022  # the store's latest year, not the starter pack's 2024
    assert o["counts"]["products_screened"] == len(nld)
    assert o["counts"]["dependent_eu2021"] == int(nld["dependent_eu2021"].sum()) > 0
    assert {d["product"] for d in o["largest_dependencies"]} == set(
        nld.loc[nld["dependent_eu2021"] | nld["dependent_geodep"].fillna(False), "product"]
    )
    # the starter pack's years are no longer offered for the screening: it is the store's
    r = client.get("/api/v1/dependencies", params={"year": 2010})
    assert r.status_code == 400 and "2021, 2022" in r.json()["detail"]


def test_product_page_serves_the_store_suppliers(store: Path, client: TestClient):
    p = client.get("/api/v1/products/260111", params={"importer": "NLD"}).json()
    assert [r["year"] for r in p["indicators"]] == [2021, 2022]
    for year in (2021, 2022):
        expected = api.supplier_shares("NLD", year, ["260111"], data_dir=store, top=5)
        got = pd.DataFrame([s for s in p["suppliers"] if s["year"] == year])
        assert list(got["supplier"]) == list(expected["supplier"])
        assert got["share"].tolist() == pytest.approx(expected["share"].tolist())
        assert got["value_kusd"].tolist() == pytest.approx(expected["value_kusd"].tolist())
    page = client.get("/en/products/260111")
    assert page.status_code == 200 and "product 260111" in page.text
    assert client.get("/api/v1/products/270900").status_code == 404  # a starter-pack product


def test_origin_and_footer_say_store(store: Path, client: TestClient):
    facts: Facts = client.app.state.facts
    assert facts.origin("screening") == facts.origin("suppliers") == "store"
    assert facts.origin("balance") == "store"
    assert facts.origin("criticality") == facts.origin("io_exposure_country") == "starter pack"
    o = client.get("/api/v1/overview").json()
    assert o["footer"]["origin"] == {
        "screening": "store",
        "crma": "starter pack",
        "io_exposure_country": "starter pack",
    }
    assert f"{DATASET} (V202401b)" in o["footer"]["sources"]
    assert "(store)" in o["footer"]["built_at"] and "(starter pack)" in o["footer"]["built_at"]
    d = client.get("/api/v1/dependencies").json()["footer"]
    assert d["origin"] == {"screening": "store"}
    assert d["sources"] == [f"{DATASET} (V202401b)"]
    assert d["built_at"] == live.manifest(store)["built_at"]
    page = client.get("/en/dependencies")
    assert '<span class="origin" data-origin="store">(from your data)</span>' in page.text
    nl = client.get("/nl/").text
    assert "(uit uw gegevens)" in nl and "(uit het startpakket)" in nl
    m = client.get("/api/v1/facts").json()
    assert m["tables"]["screening"]["origin"] == "store"
    assert m["tables"]["screening"]["rows"] == 2 * 2 * len(PRODUCTS)
    assert m["tables"]["crma"]["origin"] == "starter pack"
    assert m["store"]["build_id"] == live.current(store).name
    assert "criticality" in m["store"]["skipped"]
    served = [(d["dataset"], d["origin"]) for d in m["datasets"]]
    assert served[0] == (DATASET, "store") and ("eu_crm", "starter pack") in served
    assert m["datasets"][0]["version"] == DataStore(store).get(DATASET).manifest.version


def test_tables_the_store_cannot_derive_come_from_the_starter_pack(client: TestClient):
    m = client.get("/api/v1/materials").json()
    crit = starter.read("criticality")
    assert len(m["criticality"]) == len(crit)
    gallium = [r for r in m["criticality"] if r["material"] == "gallium"]
    assert gallium[0]["sr_published"] == pytest.approx(3.9)
    io_ = client.get("/api/v1/io/exposure", params={"by": "industry"}).json()
    assert len(io_["rows"]) == len(starter.read("io_exposure_industry"))
    assert io_["footer"]["origin"] == {"io_exposure_industry": "starter pack"}
    # the what-if's inputs come from the build that serves the criticality tables
    inputs = mp.criticality_inputs(client.app.state.facts.folder_of("criticality_shares"))
    pd.testing.assert_frame_equal(inputs.shares, mp.criticality_inputs().shares)
    assert inputs.wgi_year == mp.criticality_inputs().wgi_year


def test_indexed_and_plain_paths_give_the_same_answers(store: Path):
    fast, plain = Facts(data_dir=store), Facts(data_dir=store, indexed=False)
    for params in (
        {"importer": "NLD", "method": "all"},
        {"importer": "EU27", "year": 2021, "method": "eu2021", "sort": "supplier_hhi"},
        {"importer": "NLD", "q": "2610", "method": "all"},
        {"importer": "NLD", "supplier": "chn", "method": "any", "page_size": 2, "page": 2},
    ):
        a, b = content.dependencies(fast, **params), content.dependencies(plain, **params)
        pd.testing.assert_frame_equal(
            a["rows"].reset_index(drop=True), b["rows"].reset_index(drop=True)
        )
        assert a["total"] == b["total"] and a["footer"] == b["footer"]
    for hs6 in PRODUCTS:
        assert content.product(fast, hs6, "EU27") == content.product(plain, hs6, "EU27")
    assert content.overview(fast, "NLD", 2021) == content.overview(plain, "NLD", 2021)
    assert fast.manifest() == plain.manifest()


def test_a_rebuild_is_served_without_a_restart(tmp_path: Path):
    data = make_store(tmp_path, [2022])
    client = client_for(data)  # running before any build: the starter pack
    first = client.get("/api/v1/dependencies", params={"method": "all"}).json()
    sc = starter.read("screening")
    latest = int(sc.loc[sc["importer"] == "NLD", "year"].max())
    assert first["year"] == latest and first["footer"]["origin"] == {"screening": "starter pack"}
    live.build(data)
    built = client.get("/api/v1/dependencies", params={"method": "all"}).json()
    assert built["year"] == 2022 and built["footer"]["origin"] == {"screening": "store"}
    old = {r["product"]: r["external_imports_kusd"] for r in built["rows"]}
    # the user loads a new release with another year and doubled values, and rebuilds
    api.add_dataset("baci", [write_source(tmp_path, [2022, 2023], scale=2.0)], data_dir=data)
    st = live.status(data)
    assert st["built"] and st["changed"] == [DATASET]  # the facts are stale
    live.build(data)
    assert live.status(data)["changed"] == []
    again = client.get("/api/v1/dependencies", params={"method": "all", "year": 2022}).json()
    new = {r["product"]: r["external_imports_kusd"] for r in again["rows"]}
    assert new == pytest.approx({k: 2 * v for k, v in old.items()})
    assert client.get("/api/v1/overview").json()["year"] == 2023
    # one previous build is kept for a server still reading it; older ones are removed
    builds = [p for p in live.facts_root(data).iterdir() if p.is_dir()]
    assert len(builds) == 2 and live.current(data) in builds
    # removing the user's facts brings the starter pack back, again without a restart
    assert live.remove(data)
    back = client.get("/api/v1/dependencies", params={"method": "all"}).json()
    assert back["year"] == latest and back["total"] == first["total"]


def test_a_failed_build_leaves_the_previous_facts(tmp_path: Path):
    data = make_store(tmp_path, [2021, 2022])
    live.build(data)
    client = client_for(data)
    before = client.get("/api/v1/dependencies", params={"method": "all"}).json()
    root = live.facts_root(data)
    current = (root / "CURRENT").read_text()
    listing = sorted(p.name for p in root.iterdir())
    with pytest.raises(NotFoundError, match="year 1999"):
        live.build(data, years=[1999])
    # a damaged trade file: the analyses fail half-way through the build
    part = DataStore(data).get(DATASET).table_files("trade")[-1]
    part.write_bytes(b"not a parquet file")
    with pytest.raises(Exception, match=r"(?i)parquet|magic|invalid|corrupt"):
        live.build(data)
    assert (root / "CURRENT").read_text() == current
    assert sorted(p.name for p in root.iterdir()) == listing  # nothing staged is left behind
    after = client.get("/api/v1/dependencies", params={"method": "all"}).json()
    assert after == before


def test_a_store_with_nothing_to_derive_builds_nothing(tmp_path: Path):
    with pytest.raises(NotFoundError, match="holds no dataset"):
        live.build(tmp_path / "empty")
    assert live.current(tmp_path / "empty") is None
    client = client_for(tmp_path / "empty")
    assert client.app.state.facts.origin("screening") == "starter pack"
    assert client.get("/api/v1/facts").json()["store"] is None


def test_cli_facts_build_and_show(tmp_path: Path):
    data = make_store(tmp_path, [2021, 2022])
    runner = CliRunner()
    r = runner.invoke(cli_app, ["facts", "show", "--data-dir", str(data)])
    assert r.exit_code == 0 and "starter pack is served" in r.output
    r = runner.invoke(cli_app, ["facts", "build", "--data-dir", str(data), "--year", "2022"])
    assert r.exit_code == 0, r.output
    assert f"screening: {2 * len(PRODUCTS)} rows" in r.output
    assert "criticality: from the starter pack" in r.output
    m = live.manifest(data)
    assert m["parameters"]["years"] == [2022]
    assert m["command"].startswith("ketenradar facts build") and "--year 2022" in m["command"]
    r = runner.invoke(cli_app, ["facts", "show", "--data-dir", str(data)])
    assert r.exit_code == 0 and "screening (store)" in r.output
    assert "crma (starter pack)" in r.output
    r = runner.invoke(cli_app, ["facts", "build", "--data-dir", str(data), "--year", "1990"])
    assert r.exit_code != 0 and "year 1990" in r.output


def test_cached_views_belong_to_one_build_and_are_bounded(tmp_path: Path):
    from ketenradar.core.settings import settings

    kept = settings().facts_cache_size

    data = make_store(tmp_path, [2022])
    live.build(data)
    facts, calls = Facts(data_dir=data), []

    def make(i: int):
        calls.append(i)
        return i * 10

    assert [facts.cached(("k", i), lambda i=i: make(i)) for i in range(3)] == [0, 10, 20]
    assert facts.cached(("k", 0), lambda: make(0)) == 0 and calls == [0, 1, 2]  # cached
    for i in range(3, kept + 3):  # many more keys: the least recently used go
        facts.cached(("k", i), lambda i=i: make(i))
    calls.clear()
    facts.cached(("k", 1), lambda: make(1))
    facts.cached(("k", kept + 2), lambda: make(kept + 2))
    assert calls == [1]
    live.build(data)  # a new build: nothing derived from the old one is served
    calls.clear()
    facts.cached(("k", kept + 2), lambda: make(kept + 2))
    assert calls == [kept + 2]
    plain = Facts(data_dir=data, indexed=False)
    calls.clear()
    plain.cached(("k", 0), lambda: make(0))
    plain.cached(("k", 0), lambda: make(0))
    assert calls == [0, 0]


def test_product_balance_equals_the_engine(tmp_path: Path):
    """The product page's place in the balance is api.balance's product list, both sides."""
    store = make_store(tmp_path, [2021, 2022], boost=LEVERAGE)
    live.build(store)
    client = client_for(store)
    result = api.balance("NLD", 2022, data_dir=store)
    summary = result.summary.set_index("partner")
    seen = {"importer depends on partner": 0, "partner depends on importer": 0}
    for hs6 in PRODUCTS:
        b = client.get(f"/api/v1/products/{hs6}").json()["balance"]
        assert b["year"] == 2022 and [r["year"] for r in b["over_time"]] == [2021, 2022]
        mine = result.products[result.products["product"] == hs6]
        for side, key in (
            ("importer depends on partner", "importer_depends_on"),
            ("partner depends on importer", "partners_depending"),
        ):
            expected = mine[mine["side"] == side].sort_values("external_imports_kusd")[::-1]
            got = b[key]
            assert [r["partner"] for r in got] == list(expected["partner"])
            assert [r["dependent_imports_kusd"] for r in got] == pytest.approx(
                list(expected["external_imports_kusd"])
            )
            for r in got:  # each partner carries its whole balance with NLD
                assert (
                    r["importer_dependent_products"]
                    == summary.loc[r["partner"]]["importer_dependent_products"]
                )
                assert r["partner_dependent_kusd"] == pytest.approx(
                    summary.loc[r["partner"]]["partner_dependent_kusd"]
                )
            seen[side] += len(got)
        last = b["over_time"][-1]
        assert last["partners_depending"] == len(b["partners_depending"])
    assert seen == {"importer depends on partner": 2, "partner depends on importer": 1}
    usa = client.get("/api/v1/countries/USA").json()["they_depend_on"]
    assert [r["product"] for r in usa] == ["280461"] and usa[0]["top_supplier"] == "NLD"
