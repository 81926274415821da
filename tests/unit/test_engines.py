"""The engine seam (ketenradar.core.engines): the registry, capabilities, provenance, and the
Spark screening equal to DuckDB's column by column on synthetic data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute
import pytest
from conftest import (
    ENGINES,
    SPARK_TEST_MASTER,
    load_trade,
    open_test_engine,
    write_country_dict,
    write_product_dict,
    write_trade,
)

from ketenradar.core.engines import (
    GEOPOLRISK,
    SCREENING,
    SUPPLIER_SHARES,
    EngineCapabilityError,
    require,
)
from ketenradar.core.errors import UsageError
from ketenradar.core.groups import EU27
from ketenradar.datasets.engine import engine_names, open_engine
from ketenradar.modules.trade import api
from ketenradar.modules.trade.analysis.dependencies import ImporterSet, Thresholds, screen
from ketenradar.sources.ingest import add_dataset

#: relative tolerance of the Spark-DuckDB comparison: both sum the same doubles, in another
#: order (partitions), so sums may differ in the last bits
RTOL = 1e-9


def test_both_engines_are_registered_and_an_unknown_one_is_named() -> None:
    assert engine_names()[:1] == ["duckdb"]
    assert "spark" in engine_names()
    with pytest.raises(UsageError, match=r"unknown engine 'presto' \(engines: duckdb, spark"):
        open_engine("presto")


def test_capabilities_are_declared() -> None:
    duck = open_engine("duckdb")
    spark = open_test_engine("spark")
    try:
        for cap in (SCREENING, GEOPOLRISK, SUPPLIER_SHARES):
            require(duck, cap)
        require(spark, SCREENING)
        with pytest.raises(EngineCapabilityError, match="cannot run the supplier shares") as e:
            require(spark, SUPPLIER_SHARES)
        assert e.value.exit_code == 2 and e.value.field == "engine"
    finally:
        duck.close()
        spark.close()


def test_spark_sql_drops_duckdb_cte_hint() -> None:
    from ketenradar.datasets.spark import to_spark_sql

    sql = to_spark_sql("WITH t AS NOT MATERIALIZED (SELECT 1 AS a) SELECT a FROM t")
    assert "MATERIALIZED" not in sql.upper() and "WITH t AS" in sql


def hand_store(data_dir: Path, src: Path) -> Path:
    """A BACI dataset written by hand into ``data_dir``: NLD imports one product from CHN
    (300) and USA (100)."""
    src.mkdir()
    write_country_dict(src)
    write_product_dict(src, ["260111"])
    rows = [(2022, 156, 528, "260111", 300.0, 10.0), (2022, 842, 528, "260111", 100.0, 1.0)]
    write_trade(src, 2022, rows)
    add_dataset("baci", [src], data_dir=data_dir)
    return data_dir


@pytest.fixture
def store(tmp_path: Path, data_dir: Path) -> Path:
    """:func:`hand_store` in the test's data dir."""
    return hand_store(data_dir, tmp_path / "src")


@pytest.mark.parametrize(
    "engine_name",
    [
        "duckdb",
        pytest.param(
            "spark",
            marks=pytest.mark.xfail(
                raises=EngineCapabilityError,
                strict=True,
                reason="the Spark engine does not declare supplier_shares (a DuckDB query)",
            ),
        ),
    ],
)
def test_supplier_shares_needs_its_capability(store: Path, engine_name: str) -> None:
    df = api.supplier_shares("NLD", 2022, ["260111"], data_dir=store, engine=engine_name)
    assert df.set_index("supplier")["share"].to_dict() == pytest.approx({"CHN": 0.75, "USA": 0.25})


@pytest.mark.parametrize("engine_name", ENGINES)
def test_provenance_names_the_engine(store: Path, engine_name: str) -> None:
    df = api.screen("NLD", 2022, data_dir=store, engine=engine_name)
    assert df.iloc[0]["external_imports_kusd"] == pytest.approx(400.0)
    ran = df.attrs["provenance"]["engine"]
    assert ran["engine"] == engine_name and ran["version"]
    if engine_name == "spark":
        assert ran["master"] == SPARK_TEST_MASTER


def synthetic_trade(seed: int) -> pd.DataFrame:
    """Trade of a seeded, randomly sized synthetic world (fictional values): 3 years, some
    EU members among the countries, many products, sparse flows, heavy-tailed values."""
    rng = np.random.default_rng(seed)
    countries = sorted({*rng.choice(EU27, 9, replace=False), "NLD", "CHN", "USA", "BRA", "JPN"})
    countries += [f"X{i:02d}" for i in range(int(rng.integers(5, 15)))]
    products = [f"{p:06d}" for p in rng.choice(999_999, int(rng.integers(40, 120)), replace=False)]
    n = int(rng.integers(5_000, 15_000))
    product = rng.choice(products, n)
    # each product has a dominant exporter, who makes most of its flows (concentrated world
    # supply, so that GeoDep flags some products)
    dominant = dict(zip(products, rng.choice(countries, len(products)), strict=True))
    exporter = np.where(
        rng.random(n) < 0.6, [dominant[p] for p in product], rng.choice(countries, n)
    )
    df = pd.DataFrame(
        {
            "year": rng.choice([2020, 2021, 2022], n),
            "exporter": exporter,
            "importer": rng.choice(countries, n),
            "product": product,
            "value_kusd": np.round(rng.lognormal(3, 2.5, n), 3),
        }
    )
    df = df[df["exporter"] != df["importer"]]
    return df.groupby(["year", "exporter", "importer", "product"], as_index=False).sum()


def _sets(trade: pd.DataFrame, which: str) -> list[ImporterSet]:
    if which == "NLD":
        return [ImporterSet("NLD", ("NLD",), "EU27", EU27)]
    if which == "EU27":
        members = tuple(sorted(set(trade["importer"]) & set(EU27)))
        return [ImporterSet("EU27", members, "EU27", EU27)]
    return [
        ImporterSet(c, (c,), "EU27" if c in EU27 else c, EU27 if c in EU27 else (c,))
        for c in sorted(trade.loc[trade["year"] == 2022, "importer"].unique())
    ]


@pytest.fixture(scope="module")
def engines_with_synthetic_trade():
    trade = synthetic_trade(seed=20261207)
    duck, spark = open_test_engine("duckdb"), open_test_engine("spark")
    load_trade(duck, trade)
    load_trade(spark, trade)
    yield trade, duck, spark
    duck.close()
    spark.close()


@pytest.mark.parametrize("which", ["NLD", "EU27", "all"])
@pytest.mark.parametrize("share_from", [None, ("CHN", "USA")])
def test_spark_screening_equals_duckdb(engines_with_synthetic_trade, which, share_from) -> None:
    """Every column, every row, both GeoDep forms (three years loaded), with materiality."""
    trade, duck, spark = engines_with_synthetic_trade
    sets = _sets(trade, which)
    th = Thresholds(min_dependency_kusd=10.0, min_dependency_share=0.05)
    kw = {"available_years": [2020, 2021, 2022], "thresholds": th, "share_from": share_from}
    want = screen(duck, sets, 2022, **kw)
    got = screen(spark, sets, 2022, **kw)
    assert len(want) > (20 if which != "all" else 500)
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    key = ["importer", "product"]
    got, want = got.sort_values(key, ignore_index=True), want.sort_values(key, ignore_index=True)
    assert want["dependent_eu2021"].any() and want["dependent_geodep"].any()
    for col in want.columns:
        a, b = got[col], want[col]
        if pd.api.types.is_float_dtype(b):
            ok = np.isclose(a.to_numpy(float), b.to_numpy(float), rtol=RTOL, atol=0, equal_nan=True)
            assert ok.all(), f"{col}: {int((~ok).sum())} rows differ"
        else:
            assert a.astype(object).where(a.notna(), None).tolist() == (
                b.astype(object).where(b.notna(), None).tolist()
            ), col


def test_spark_reads_a_store_with_quotes_and_spaces_and_a_mirror_uri(tmp_path: Path) -> None:
    """The data directory's own path (a space and a quote in it) and, with ``data_uri``, the
    same files under a URI: Spark reads the mirror, the driver the manifests."""
    import shutil

    import pyarrow.parquet as pq

    store = hand_store(tmp_path / 'it\'s a "store" dir', tmp_path / "src")
    df = api.screen("NLD", 2022, data_dir=store, engine="spark")
    assert df.iloc[0]["external_imports_kusd"] == pytest.approx(400.0)
    # a mirror of the data directory in which every trade value is doubled
    mirror = tmp_path / "mirror"
    shutil.copytree(store, mirror)
    for f in (mirror / "datasets").rglob("trade/*.parquet"):
        t = pq.read_table(f)
        i = t.schema.get_field_index("value_kusd")
        pq.write_table(t.set_column(i, "value_kusd", pa.compute.multiply(t["value_kusd"], 2)), f)
    spark = open_engine("spark", master=SPARK_TEST_MASTER, data_uri=mirror.as_uri())
    df = api.screen("NLD", 2022, data_dir=store, engine=spark)
    assert df.iloc[0]["external_imports_kusd"] == pytest.approx(800.0)
    assert df.attrs["provenance"]["engine"]["data_uri"] == mirror.as_uri()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_world_concentration_hand_computed(store: Path, engine_name: str) -> None:
    df = api.world_concentration(2022, data_dir=store, engine=engine_name)
    r = df.iloc[0]
    # exporters CHN 300 and USA 100: X = 400, HHI = 0.75² + 0.25² = 0.625
    assert (r["product"], r["n_exporters"]) == ("260111", 2)
    assert r["world_exports_kusd"] == pytest.approx(400.0)
    assert r["world_export_hhi"] == pytest.approx(0.625)
    assert df.attrs["provenance"]["engine"]["engine"] == engine_name


def test_under_spark_submit_the_submitted_master_is_used(store: Path, tmp_path: Path) -> None:
    """``spark-submit --master local[1] job.py``: the analyses run on the submitted master
    when KETENRADAR_SPARK_MASTER is not set (docs/scale-out.md)."""
    import os
    import subprocess
    import sys

    job = tmp_path / "job.py"
    job.write_text(
        "import sys\n"
        "from ketenradar.modules.trade import api\n"
        "df = api.screen('NLD', 2022, data_dir=sys.argv[1], engine='spark')\n"
        "print('RESULT', df.attrs['provenance']['engine']['master'],"
        " df.iloc[0]['external_imports_kusd'])\n"
    )
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if k != "KETENRADAR_SPARK_MASTER"}
    env |= {"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "PYSPARK_PYTHON": sys.executable}
    res = subprocess.run(
        [str(bin_dir / "spark-submit"), "--master", "local[1]", str(job), str(store)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "RESULT local[1] 400.0" in res.stdout


def test_materialize_keeps_a_result_until_unregistered(engine) -> None:
    load_trade(engine, synthetic_trade(seed=3))
    engine.materialize(
        "by_year", "SELECT year, count(*) AS n, sum(value_kusd) AS v FROM trade GROUP BY ALL"
    )
    engine.register("trade", pa.table({"year": pa.array([2022], pa.int16())}))  # replaced
    got = engine.query("SELECT year, n FROM by_year ORDER BY year").to_pylist()
    want = synthetic_trade(seed=3).groupby("year").size()
    assert got == [{"year": y, "n": int(n)} for y, n in want.items()]
    engine.unregister("by_year")
    with pytest.raises(Exception, match=r"(?i)by_year"):
        engine.query("SELECT * FROM by_year")


def test_comext_hs6_years_are_the_same_on_each_engine(engine) -> None:
    """The connector's CN8-month → HS6-year rule (its one definition) on each engine: each
    month at its own rate; a confidential code keeps its chapter (27SSSSSS → 27XXXX)."""
    from ketenradar.sources.comext import hs6_annual_sql

    monthly = pa.table(
        {
            "period": pa.array([202201, 202202, 202202, 202203], pa.int32()),
            "exporter": ["CHN", "CHN", "CHN", "USA"],
            "importer": ["NLD"] * 4,
            "cn8": ["26011100", "26011190", "27SSSSSS", "26011100"],
            "value_keur": [100.0, 50.0, 10.0, 20.0],
            "quantity_t": [1.0, None, 2.0, 3.0],
        }
    )
    rates = pa.table({"period": pa.array([202201, 202202, 202203], pa.int32()),
                      "usd_per_eur": [1.5, 1.2, 1.0]})  # fmt: skip
    engine.register("m", monthly)
    engine.register("r", rates)
    got = engine.query(f"SELECT * FROM ({hs6_annual_sql('m', 'r')}) ORDER BY exporter, product")
    assert got.to_pylist() == [
        {"year": 2022, "exporter": "CHN", "importer": "NLD", "product": "260111",
         "value_kusd": pytest.approx(100 * 1.5 + 50 * 1.2), "quantity_t": 1.0},
        {"year": 2022, "exporter": "CHN", "importer": "NLD", "product": "27XXXX",
         "value_kusd": pytest.approx(12.0), "quantity_t": 2.0},
        {"year": 2022, "exporter": "USA", "importer": "NLD", "product": "260111",
         "value_kusd": pytest.approx(20.0), "quantity_t": 3.0},
    ]  # fmt: skip
