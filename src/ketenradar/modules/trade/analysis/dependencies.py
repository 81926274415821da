"""Strategic import dependency screening at HS 6-digit level (EU 2021 and CEPII GeoDep).

Notation (v = trade value in thousand USD, i exporter, j importer, k product):

* J — the importer set (one country or a bloc); R — the reference bloc (EU27 when J lies
  inside the EU27, else J itself). Suppliers outside R are *external*.
* ``imports_kusd`` = Σ_{j∈J} Σ_{i≠j} v
* ``external_imports_kusd`` = Σ_{j∈J} Σ_{i∉R} v
* ``external_share`` = external_imports / imports
* ``supplier_hhi`` = Σ_{i∉R} s_i², s_i = Σ_{j∈J} v_i / external_imports
* ``exports_kusd`` = Σ_{i∈J} Σ_{j∉J} v
* ``import_export_ratio`` = external_imports / exports (∞ when exports are 0)
* ``world_export_hhi`` = Σ_e (X_e / X)², X_e = world exports of k by e
* ``dependent_eu2021``: supplier_hhi > 0.4 ∧ external_share > 0.5 ∧ ratio > 1
  (European Commission, SWD(2021) 352, *Strategic dependencies and capacities*)
* ``dependent_geodep``: (supplier_hhi > 0.4 ∧ world_export_hhi > 0.4 ∧ ratio > 1) in at least
  2 of the years Y−2, Y−1, Y (Lefebvre & Wibaux 2024, CEPII GeoDep), with reference bloc R
* ``dependent_geodep_country``: the same criteria with CEPII's own reference, the importer set
  itself (every supplier outside J is external; for a non-EU importer and for EU27 it equals
  ``dependent_geodep``)
* ``top_supplier_kusd`` = max_{i∉R} Σ_{j∈J} v: the imports from the top external supplier
* ``materiality_met``: top_supplier_kusd ≥ min_dependency_kusd ∧ top_supplier_kusd ≥
  min_dependency_share · imports_kusd. Every ``dependent_*`` flag also needs it (for
  ``dependent_geodep_country`` judged on the top supplier outside J), in year Y; with both
  minimums 0 the flags are the published methods (a deviation: docs/methods/dependencies.md)

The whole computation is one SQL query over the canonical ``trade`` table, written once in
DuckDB's dialect: it runs on any engine of :mod:`ketenradar.core.engines` (DuckDB on one
machine; Spark, which receives it translated by sqlglot).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pandas as pd
import pyarrow as pa

from ketenradar.core.engines import SCREENING, Engine, require
from ketenradar.datasets.kinds import WORLD_EXPORTS_SQL, world_exports_sql  # noqa: F401

METHOD_EU2021 = (
    "European Commission (2021), Strategic dependencies and capacities, SWD(2021) 352 final"
)
METHOD_GEODEP = (
    "Lefebvre, K. and Wibaux, P. (2024), GeoDep: a database of strategic dependencies, CEPII"
)
METHOD_GEODEP_COUNTRY = (
    METHOD_GEODEP + "; country-level reference (the importer itself), as CEPII publishes it"
)


@dataclass(frozen=True)
class Thresholds:
    """Thresholds of the dependency criteria (defaults as published)."""

    supplier_hhi: float = 0.4
    external_share: float = 0.5
    import_export_ratio: float = 1.0
    world_export_hhi: float = 0.4
    geodep_min_years: int = 2
    transit_ratio: float = 0.9
    #: materiality (the project's addition, 0 = as published): imports from the top external
    #: supplier at least this value (thousand USD) ...
    min_dependency_kusd: float = 0.0
    #: ... and at least this share of all imports of the product
    min_dependency_share: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """Plain mapping, for provenance."""
        return asdict(self)


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class ImporterSet:
    """An importer set J with its reference bloc R (both as ISO3 member tuples)."""

    label: str
    members: tuple[str, ...]
    reference_label: str
    reference: tuple[str, ...]


SCREEN_COLUMNS = [
    "year",
    "importer",
    "reference_bloc",
    "product",
    "product_description",
    "imports_kusd",
    "external_imports_kusd",
    "external_share",
    "n_external_suppliers",
    "supplier_hhi",
    "top_supplier",
    "top_supplier_share",
    "top_supplier_kusd",
    "exports_kusd",
    "import_export_ratio",
    "world_exports_kusd",
    "world_export_hhi",
    "reexport_ratio",
    "transit",
    "materiality_met",
    "dependent_eu2021",
    "geodep_criteria_met",
    "dependent_geodep",
    "dependent_geodep_country",
]


def _sets_tables(sets: Sequence[ImporterSet]) -> tuple[pa.Table, pa.Table, pa.Table]:
    ids = list(range(len(sets)))
    labels = pa.table(
        {
            "set_id": pa.array(ids, pa.int32()),
            "importer": [s.label for s in sets],
            "reference_bloc": [s.reference_label for s in sets],
        }
    )
    mem = [(i, c) for i, s in zip(ids, sets, strict=True) for c in s.members]
    ref = [(i, c) for i, s in zip(ids, sets, strict=True) for c in s.reference]
    members = pa.table(
        {"set_id": pa.array([m[0] for m in mem], pa.int32()), "country": [m[1] for m in mem]}
    )
    refs = pa.table(
        {"set_id": pa.array([r[0] for r in ref], pa.int32()), "country": [r[1] for r in ref]}
    )
    return labels, members, refs


def screen_sql(
    years: Sequence[int], share_from: bool, single: bool = False, world_table: str | None = None
) -> str:
    """The screening query over ``trade``, ``_sets``, ``_members``, ``_refs`` (and
    ``_share_group`` when ``share_from``), for the given years.

    With ``single`` (every importer set has one member) two steps simplify: the imports need
    no aggregation over members (trade has one row per year, exporter, importer, product),
    and a country's exports to the rest of the world are its world exports.
    """
    year_list = ", ".join(str(int(y)) for y in years)
    exp_general = """
        SELECT m.set_id, tr.year, tr.product, sum(tr.v) AS exports
        FROM tr JOIN _members m ON tr.exporter = m.country
        ANTI JOIN _members m2 ON m2.set_id = m.set_id AND m2.country = tr.importer
        GROUP BY ALL"""
    exp_single = """
        SELECT m.set_id, tr.year, tr.product, sum(tr.v) AS exports
        FROM tr JOIN _members m ON tr.exporter = m.country
        WHERE tr.importer <> tr.exporter
        GROUP BY ALL"""
    if world_table:
        world_src = f"SELECT * FROM {world_table} WHERE year IN ({year_list})"
    else:
        world_src = world_exports_sql("trade", years)
    join_members = (
        ""
        if single
        else "LEFT JOIN _members mm ON mm.set_id = imp.set_id AND mm.country = imp.exporter"
    )
    share_expr = (
        "coalesce(sum(i.v) FILTER (WHERE i.exporter IN (SELECT country FROM _share_group)), 0)"
        if share_from
        else "NULL::DOUBLE"
    )
    return f"""
    WITH tr AS NOT MATERIALIZED (
        SELECT year, exporter, importer, product, value_kusd AS v
        FROM trade WHERE year IN ({year_list})
    ),
    imp AS (  -- imports of the members of J, by supplier (intra-bloc included)
        SELECT m.set_id, tr.year, tr.product, tr.exporter, {"tr.v" if single else "sum(tr.v)"} AS v
        FROM tr JOIN _members m ON tr.importer = m.country
        WHERE tr.exporter <> tr.importer
        {"" if single else "GROUP BY ALL"}
    ),
    impx AS (
        SELECT imp.*, r.country IS NULL AS external,
               {"TRUE" if single else "mm.country IS NULL"} AS outside  -- supplier outside J
        FROM imp LEFT JOIN _refs r ON r.set_id = imp.set_id AND r.country = imp.exporter
        {join_members}
    ),
    agg AS (
        SELECT i.set_id, i.year, i.product,
               sum(i.v) AS imports,
               coalesce(sum(i.v) FILTER (WHERE i.external), 0) AS ext,
               sum(i.v * i.v) FILTER (WHERE i.external) AS ext_sq,
               count(*) FILTER (WHERE i.external AND i.v > 0) AS n_ext,
               arg_max(i.exporter, i.v) FILTER (WHERE i.external AND i.v > 0) AS top_supplier,
               max(i.v) FILTER (WHERE i.external) AS top_v,
               coalesce(sum(i.v) FILTER (WHERE i.outside), 0) AS own_ext,
               sum(i.v * i.v) FILTER (WHERE i.outside) AS own_sq,
               max(i.v) FILTER (WHERE i.outside) AS own_top_v,
               {share_expr} AS from_group
        FROM impx i GROUP BY ALL
    ),
    exp AS (  -- exports of J to countries outside J
        {exp_single if single else exp_general}
    ),
    world AS (
        SELECT year, product, world_exports_kusd AS world_exports,
               world_export_hhi AS world_hhi
        FROM ({world_src})
    )
    SELECT a.set_id, a.year, s.importer, s.reference_bloc, a.product,
           a.imports AS imports_kusd,
           a.ext AS external_imports_kusd,
           CASE WHEN a.imports > 0 THEN a.ext / a.imports END AS external_share,
           a.n_ext AS n_external_suppliers,
           CASE WHEN a.ext > 0 THEN a.ext_sq / (a.ext * a.ext) END AS supplier_hhi,
           a.top_supplier,
           CASE WHEN a.ext > 0 THEN a.top_v / a.ext END AS top_supplier_share,
           CASE WHEN a.ext > 0 THEN a.top_v END AS top_supplier_kusd,
           coalesce(e.exports, 0) AS exports_kusd,
           CASE WHEN coalesce(e.exports, 0) > 0 THEN a.ext / e.exports
                WHEN a.ext > 0 THEN 'Infinity'::DOUBLE END AS import_export_ratio,
           w.world_exports AS world_exports_kusd,
           w.world_hhi AS world_export_hhi,
           CASE WHEN a.imports > 0 THEN coalesce(e.exports, 0) / a.imports END AS reexport_ratio,
           CASE WHEN a.imports > 0 THEN a.from_group / a.imports END AS share_from_group,
           CASE WHEN a.own_ext > 0 THEN a.own_sq / (a.own_ext * a.own_ext) END AS own_hhi,
           CASE WHEN coalesce(e.exports, 0) > 0 THEN a.own_ext / e.exports
                WHEN a.own_ext > 0 THEN 'Infinity'::DOUBLE END AS own_ratio,
           a.own_top_v
    FROM agg a
    JOIN _sets s ON s.set_id = a.set_id
    LEFT JOIN exp e ON e.set_id = a.set_id AND e.year = a.year AND e.product = a.product
    LEFT JOIN world w ON w.year = a.year AND w.product = a.product
    WHERE a.imports > 0
    """


def screen(
    engine: Engine,
    sets: Sequence[ImporterSet],
    year: int,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    available_years: Sequence[int] = (),
    share_from: Sequence[str] | None = None,
    world_table: str | None = None,
) -> pd.DataFrame:
    """Screen every product imported by each importer set for ``year``.

    ``engine`` (:mod:`ketenradar.core.engines`) must hold a relation ``trade`` with the
    canonical trade_flows columns and a relation ``products(product, description)``;
    ``world_table`` names a relation holding :func:`world_exports_sql` precomputed (else it
    is computed from ``trade``). GeoDep needs years Y−2..Y; when any of them is missing
    from ``available_years``, ``dependent_geodep`` is empty (NA).
    Returns one row per importer set, product and year, sorted by importer and
    descending external imports.
    """
    require(engine, SCREENING)
    th = thresholds
    geo_years = [year - 2, year - 1, year]
    have_geo = all(y in set(available_years) for y in geo_years)
    years = geo_years if have_geo else [year]
    labels, members, refs = _sets_tables(sets)
    engine.register("_sets", labels)
    engine.register("_members", members)
    engine.register("_refs", refs)
    if share_from:
        engine.register("_share_group", pa.table({"country": list(share_from)}))
    try:
        single = all(len(s.members) == 1 for s in sets)
        base = screen_sql(years, bool(share_from), single, world_table)

        def crit(hhi: str, ratio: str) -> str:
            return f"""
            coalesce({hhi} > {th.supplier_hhi}, false)
            AND coalesce(world_export_hhi > {th.world_export_hhi}, false)
            AND coalesce({ratio} > {th.import_export_ratio}, false)
            """

        def material(top: str) -> str:
            return (
                f"coalesce(b.{top} >= {float(th.min_dependency_kusd)!r} "
                f"AND b.{top} >= {float(th.min_dependency_share)!r} * b.imports_kusd, false)"
            )

        geo = (
            f"""
            , g AS (
                SELECT set_id, product,
                       count(*) FILTER (WHERE {crit("supplier_hhi", "import_export_ratio")})
                           AS n_met,
                       count(*) FILTER (WHERE {crit("own_hhi", "own_ratio")}) AS n_met_own
                FROM base GROUP BY ALL
            )"""
            if have_geo
            else ""
        )
        n_years = th.geodep_min_years
        geo_flag, own_flag = "NULL::BOOLEAN", "NULL::BOOLEAN"
        if have_geo:
            geo_flag = f"g.n_met >= {n_years} AND {material('top_supplier_kusd')}"
            own_flag = f"g.n_met_own >= {n_years} AND {material('own_top_v')}"
        sql = f"""
        WITH base AS ({base}) {geo}
        SELECT b.year, b.importer, b.reference_bloc, b.product,
               p.description AS product_description,
               b.imports_kusd, b.external_imports_kusd, b.external_share,
               b.n_external_suppliers, b.supplier_hhi, b.top_supplier, b.top_supplier_share,
               b.top_supplier_kusd, b.exports_kusd, b.import_export_ratio,
               b.world_exports_kusd, b.world_export_hhi, b.reexport_ratio,
               coalesce(b.reexport_ratio >= {th.transit_ratio}, false) AS transit,
               {material("top_supplier_kusd")} AS materiality_met,
               (coalesce(b.supplier_hhi > {th.supplier_hhi}, false)
                AND coalesce(b.external_share > {th.external_share}, false)
                AND coalesce(b.import_export_ratio > {th.import_export_ratio}, false)
                AND {material("top_supplier_kusd")})
                   AS dependent_eu2021,
               {"g.n_met" if have_geo else "NULL::BIGINT"} AS geodep_criteria_met,
               {geo_flag} AS dependent_geodep,
               {own_flag} AS dependent_geodep_country,
               b.share_from_group
        FROM base b
        LEFT JOIN products p ON p.product = b.product
        {"LEFT JOIN g ON g.set_id = b.set_id AND g.product = b.product" if have_geo else ""}
        WHERE b.year = {int(year)}
        ORDER BY b.set_id, b.external_imports_kusd DESC, b.product
        """
        df = engine.query(sql).to_pandas()
    finally:
        for name in ("_sets", "_members", "_refs", "_share_group"):
            with contextlib.suppress(Exception):
                engine.unregister(name)
    df["dependent_geodep"] = df["dependent_geodep"].astype("boolean")
    df["dependent_geodep_country"] = df["dependent_geodep_country"].astype("boolean")
    df["geodep_criteria_met"] = df["geodep_criteria_met"].astype("Int64")
    df["year"] = df["year"].astype("int64")
    if not share_from:
        df = df.drop(columns=["share_from_group"])
    return df
