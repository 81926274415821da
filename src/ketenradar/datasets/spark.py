"""The Spark engine: the relational analyses on Apache Spark (local mode or a cluster).

The analyses are written once, in DuckDB's SQL dialect. This engine parses each query with
sqlglot as DuckDB SQL and writes it out as Spark SQL (:func:`to_spark_sql`): there is no second,
hand-kept copy of any analysis. One rewrite is made on the parsed tree: a CTE's
``[NOT] MATERIALIZED`` (a DuckDB planning hint Spark does not know) is dropped, which does not
change a result.

Datasets are read where Spark can reach them: the same Parquet files the DuckDB engine reads,
at their local path (local mode, or a filesystem every executor mounts at the same path), or
under ``KETENRADAR_SPARK_DATA_URI`` (``hdfs://…``, ``s3a://…``) where the data directory is
mirrored; the manifests are read by the driver from the data directory. The session is Spark's own
``getOrCreate`` one (so under ``spark-submit`` the submitted application's), one per master in
a process; each engine takes a :meth:`~pyspark.sql.SparkSession.newSession` of it, so the
temporary views of two engines never meet. Needs ``pip install 'ketenradar[spark]'`` (PySpark
and sqlglot) and a Java runtime (17 or newer).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlglot
from pyspark.sql import SparkSession
from sqlglot import exp

from ketenradar.core.engines import BALANCE, GEOPOLRISK, SCREENING, WORLD_CONCENTRATION
from ketenradar.core.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

_lock = threading.Lock()


@functools.lru_cache(maxsize=512)
def to_spark_sql(sql: str) -> str:
    """``sql`` (DuckDB dialect) written as Spark SQL by sqlglot."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as e:  # a bug in an analysis, not the user's input
        raise ValueError(f"sqlglot could not parse an analysis query: {e}") from e
    for cte in tree.find_all(exp.CTE):
        cte.set("materialized", None)
    return tree.sql(dialect="spark")


def _base_session(master: str | None, driver_memory: str) -> SparkSession:
    """The process's Spark session: the active one if any, else a new one on ``master``;
    with ``master`` None, on the master Spark is configured with (``spark-submit --master``,
    ``spark-defaults.conf``), else on ``local[*]``."""
    with _lock:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        from pyspark import SparkConf, SparkContext

        # the JVM first, so that SparkConf reads what spark-submit or spark-defaults.conf set;
        # the driver's memory only takes effect when this starts the JVM (not under
        # spark-submit, whose JVM runs already)
        SparkContext._ensure_initialized(
            conf=SparkConf(loadDefaults=False).set("spark.driver.memory", driver_memory)
        )
        configured = SparkConf().get("spark.master", None)
        master = master or configured or "local[*]"
        builder = (
            SparkSession.builder.master(master)
            .appName("ketenradar")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
        )
        if master.startswith("local"):
            # one machine: no web UI, few shuffle partitions (AQE coalesces them further)
            builder = builder.config("spark.ui.enabled", "false").config(
                "spark.sql.shuffle.partitions", "8"
            )
        try:
            session = builder.getOrCreate()
        except Exception as e:  # Java missing, master unreachable: say so in one line
            raise UsageError(
                f"could not start Spark on master '{master}': {str(e).splitlines()[0][:300]} "
                "(Spark needs a Java runtime 17+; see docs/scale-out.md)",
                field="engine",
            ) from e
        session.sparkContext.setLogLevel("ERROR")
        return session


class SparkEngine:
    """Relations as Spark temporary views; queries translated from DuckDB SQL by sqlglot."""

    name = "spark"
    #: the HTML report's supplier table is a parameterised DuckDB query, not translated
    capabilities = frozenset({SCREENING, BALANCE, WORLD_CONCENTRATION, GEOPOLRISK})

    def __init__(self, master: str | None = None, data_uri: str | None = None) -> None:
        from ketenradar.core.settings import settings

        s = settings()
        if master is None and "spark_master" in s.model_fields_set:
            master = s.spark_master  # set explicitly: wins over Spark's own configuration
        #: where the executors read the data directory (None: its own local path)
        self.data_uri = data_uri or s.spark_data_uri
        self.spark = _base_session(master, s.spark_driver_memory).newSession()
        self._views: set[str] = set()
        self._cached: dict[str, Any] = {}

    def register(self, name: str, table: pa.Table) -> None:
        """A temporary view ``name`` of an Arrow table (sent to the cluster)."""
        self.spark.createDataFrame(table).createOrReplaceTempView(name)
        self._views.add(name)

    def register_parquet(self, name: str, files: Sequence[str]) -> None:
        """A temporary view ``name`` over Parquet files (paths or URIs Spark can reach)."""
        if not files:
            raise ValueError(f"no Parquet files for relation {name!r}")
        self.spark.read.parquet(*[str(f) for f in files]).createOrReplaceTempView(name)
        self._views.add(name)

    def materialize(self, name: str, sql: str) -> None:
        """The result of ``sql``, computed now and cached by Spark (memory, then disk), as the
        temporary view ``name``."""
        df = self.spark.sql(to_spark_sql(sql)).cache()
        df.count()
        df.createOrReplaceTempView(name)
        self._cached[name] = df
        self._views.add(name)

    def unregister(self, name: str) -> None:
        """Drop the temporary view ``name`` (and what :meth:`materialize` cached for it)."""
        self.spark.catalog.dropTempView(name)
        self._views.discard(name)
        cached = self._cached.pop(name, None)
        if cached is not None:
            cached.unpersist()

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` (DuckDB dialect, translated) and collect the result as Arrow."""
        return self.spark.sql(to_spark_sql(sql)).toArrow()

    def describe(self) -> dict[str, Any]:
        """``{"engine": "spark", "version": ..., "master": ...}`` (the master Spark runs on)."""
        out = {
            "engine": self.name,
            "version": self.spark.version,
            "master": self.spark.sparkContext.master,
        }
        if self.data_uri:
            out["data_uri"] = self.data_uri
        return out

    def close(self) -> None:
        """Drop this engine's views (the Spark session stays for the next engine)."""
        for name in list(self._views):
            self.unregister(name)
