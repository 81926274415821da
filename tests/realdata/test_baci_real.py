"""Real data: BACI sample and dictionaries of three releases; raw-material trade 1995–2024.

These tests read ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``). They skip when it
is missing, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import require_shared

from ketenradar import api
from ketenradar.core.groups import EU27
from ketenradar.datasets import DataStore
from ketenradar.modules.trade import api as api_trade
from ketenradar.modules.trade.analysis.dependencies import ImporterSet, Thresholds
from ketenradar.modules.trade.analysis.reference import screen_pandas
from ketenradar.sources.baci_files import read_country_dictionary, read_product_dictionary

pytestmark = pytest.mark.realdata

SAMPLE = "BACI_sample_HS17_Y2020_V202301_exporters_ZAF_AFG.csv"


def _lines(p: Path) -> int:
    with open(p, "rb") as fh:
        return sum(1 for line in fh if line.strip()) - 1


@pytest.mark.parametrize(
    ("file", "n"),
    [
        ("baci/country_codes_V202201.csv", 238),
        ("baci/country_codes_V202301_semicolon.csv", 238),
        ("baci_raw_materials_hs92/country_codes_V202401b.csv", 238),
    ],
)
def test_country_dictionary_layouts(file: str, n: int) -> None:
    rows = read_country_dictionary(require_shared(file))
    assert len(rows) == n
    by = {r["code"]: r for r in rows}
    assert by[528]["iso3"] == "NLD"
    assert by[516]["iso3"] == "NAM"  # Namibia's ISO2 'NA' is not a missing value
    assert by[490]["iso3"] in (None, "S19")  # 'N/A' in V2022, 'S19' in V2024


@pytest.mark.parametrize(
    ("file", "n"),
    [
        ("baci/product_codes_HS17_V202201_with_bec.csv", 5384),
        ("baci/product_codes_HS17_V202301.csv", 5384),
        ("baci_raw_materials_hs92/product_codes_HS92_V202401b.csv", 5022),
    ],
)
def test_product_dictionary_layouts(file: str, n: int) -> None:
    rows = read_product_dictionary(require_shared(file))
    assert len(rows) == n
    assert all(len(r["product"]) == 6 for r in rows)
    codes = {r["product"] for r in rows}
    assert "010121" in codes or "010111" in codes  # leading zero restored


@pytest.mark.parametrize(
    ("countries", "products"),
    [
        ("country_codes_V202201.csv", "product_codes_HS17_V202201_with_bec.csv"),
        ("country_codes_V202301_semicolon.csv", "product_codes_HS17_V202301.csv"),
    ],
)
def test_sample_ingests_with_every_dictionary_layout(
    data_dir: Path, countries: str, products: str
) -> None:
    base = require_shared("baci")
    rep = api.add_dataset(
        "baci",
        [base / SAMPLE],
        data_dir=data_dir,
        countries=base / countries,
        products=base / products,
    )[0]
    assert rep.dataset == "baci_hs17_v202301"
    assert rep.manifest.tables["trade"]["rows"] == _lines(base / SAMPLE) == 70920
    ds = DataStore(data_dir).get(rep.dataset)
    df = duckdb.sql(f"SELECT * FROM read_parquet({[str(p) for p in ds.table_files('trade')]})").df()
    assert set(df["exporter"]) == {"ZAF", "AFG"}
    assert (df["product"].str.len() == 6).all()
    assert df["quantity_t"].isna().any()  # 'NA' quantities kept as missing
    assert df["value_kusd"].sum() == pytest.approx(
        pd.read_csv(base / SAMPLE, usecols=["v"])["v"].sum(), rel=1e-12
    )
    # every importer maps to ISO3 or a labelled special code
    c = duckdb.sql(f"SELECT * FROM read_parquet('{ds.table_files('countries')[0]}')").df()
    assert c.loc[c.is_special, "note"].notna().all()


@pytest.fixture(scope="module")
def raw_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = require_shared("baci_raw_materials_hs92")
    d = tmp_path_factory.mktemp("rawstore")
    rep = api.add_dataset("baci", [src], data_dir=d)[0]
    assert rep.dataset == "baci_hs92_v202401b"
    return d


def test_raw_materials_all_years(raw_store: Path) -> None:
    src = require_shared("baci_raw_materials_hs92")
    m = DataStore(raw_store).get("baci_hs92_v202401b").manifest
    years = m.tables["trade"]["years"]
    assert sorted(int(y) for y in years) == list(range(1995, 2025))
    for y in (1995, 2010, 2022, 2024):
        assert years[str(y)] == _lines(src / f"BACI_HS92_Y{y}_V202401b.csv")
    assert m.tables["trade"]["rows"] == 1264888


@pytest.mark.parametrize("importer", ["NLD", "EU27"])
def test_real_screening_equals_reference_definitions(raw_store: Path, importer: str) -> None:
    df = api.screen(importer, 2022, data_dir=raw_store)
    ds = DataStore(raw_store).get("baci_hs92_v202401b")
    files = [str(p) for p in ds.table_files("trade")]
    trade = duckdb.sql(f"SELECT * FROM read_parquet({files}) WHERE year BETWEEN 2020 AND 2022").df()
    members = ("NLD",) if importer == "NLD" else EU27
    ref = screen_pandas(
        trade, [ImporterSet(importer, members, "EU27", EU27)], 2022,
        thresholds=api_trade.default_thresholds(), available_years=[2020, 2021, 2022],
    )  # fmt: skip
    m = df.merge(ref, on="product", suffixes=("", "_ref"), validate="one_to_one")
    assert len(m) == len(df) == len(ref)
    for col in ["imports_kusd", "external_imports_kusd", "supplier_hhi", "exports_kusd",
                "world_export_hhi"]:  # fmt: skip
        pd.testing.assert_series_equal(
            m[col], m[col + "_ref"], check_names=False, rtol=1e-9, check_dtype=False
        )
    assert (m["dependent_eu2021"] == m["dependent_eu2021_ref"]).all()
    assert (m["dependent_geodep"].astype(bool) == m["dependent_geodep_ref"].astype(bool)).all()
    own, own_ref = m["dependent_geodep_country"], m["dependent_geodep_country_ref"]
    assert (own.astype(bool) == own_ref.astype(bool)).all()
    assert (m["materiality_met"] == m["materiality_met_ref"]).all()
    assert df["dependent_geodep"].notna().all()  # 2020–2022 are loaded


def test_real_screening_findings(raw_store: Path) -> None:
    """The findings discussed in docs/methods/dependencies-results.md."""
    nld = api.screen("NLD", 2022, data_dir=raw_store).set_index("product")
    eu = api.screen("EU27", 2022, data_dir=raw_store).set_index("product")
    # Ferro-niobium: Brazil supplies almost all of it, to the Netherlands and to the EU.
    for df in (nld, eu):
        r = df.loc["720293"]
        assert r["top_supplier"] == "BRA"
        assert r["top_supplier_share"] > 0.8
        assert r["dependent_eu2021"] and r["dependent_geodep"]
    # Lithium carbonate: Chile first.
    assert nld.loc["283691", "top_supplier"] == "CHL"
    assert nld.loc["283691", "dependent_eu2021"]
    # Counts are stable facts of this release (documented): with the materiality minimum
    # (default 100 thousand USD, 5 %) and as published (no minimum)
    assert int(nld["dependent_eu2021"].sum()) == 20
    assert int(nld["dependent_geodep"].sum()) == 5
    assert int(nld["dependent_geodep_country"].sum()) == 6
    published = api.screen("NLD", 2022, data_dir=raw_store, thresholds=Thresholds())
    assert int(published["dependent_eu2021"].sum()) == 21
    assert int(published["dependent_geodep"].sum()) == 7
    # CEPII's country-level GeoDep differs from the bloc-referenced one for 2 products
    p = published.set_index("product")
    differ = p["dependent_geodep"].astype(bool) != p["dependent_geodep_country"].astype(bool)
    assert int(differ.sum()) == 2


def test_quickstart_end_to_end(tmp_path: Path) -> None:
    """The README's main command: load the real data, screen NLD and EU27, write reports."""
    import os
    import subprocess
    import sys
    from html.parser import HTMLParser

    shared = require_shared()
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(tmp_path / "store"),
           "KETENRADAR_SHARED_DATA": str(shared)}  # fmt: skip
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "ketenradar", "quickstart", "--output", str(out)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    for imp in ("NLD", "EU27"):
        html = (out / f"screen_{imp}_2022.html").read_text()
        assert "720293" in html and imp in html
        csv = pd.read_csv(out / f"screen_{imp}_2022.csv", dtype={"product": str})
        assert csv.set_index("product").loc["720293", "top_supplier"] == "BRA"

        class Refs(HTMLParser):
            def __init__(self) -> None:
                super().__init__()
                self.external: list[str] = []

            def handle_starttag(self, tag: str, attrs: list) -> None:
                for k, v in attrs:
                    if k in ("src", "href") and v and ("//" in v):
                        self.external.append(v)

        p = Refs()
        p.feed(html)
        assert p.external == []  # opens offline: nothing loaded from another host
    # The quickstart also loads the EU CRM tables and the WGI and writes the criticality report.
    crit = pd.read_csv(out / "criticality.csv")
    ga = crit[crit["material"] == "gallium"].iloc[0]
    assert ga["sr_published"] == pytest.approx(3.9) and ga["critical_published"]
    assert "EI = 2.8" in (out / "criticality.html").read_text()
    # ... and the OECD ICIO 2022 table, with NLD's value-added exposure per source country.
    io = pd.read_csv(out / "io_exposure_NLD_country.csv")
    assert len(io) == 80 and io.loc[~io["domestic"], "source_country"].iloc[0] == "USA"
    assert len(pd.read_csv(out / "io_exposure_NLD_source.csv")) == 4000
