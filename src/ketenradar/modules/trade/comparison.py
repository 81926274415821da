"""The comparison fact table: the screening of every EU27 member, so a product or material can
be compared across the Netherlands, Germany, Belgium, France, every other member and the EU27.

Each member is screened on its own (``api.screen(member, year)``, the same analysis and
thresholds as the ``screening`` table; reference bloc EU27, so "external" means from outside
the EU). The Netherlands' rows therefore equal its rows in ``screening``; the EU27 itself is
read from ``screening``. To keep the pack small only the latest :data:`YEARS` years are
derived.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ketenradar.core.errors import NotFoundError
from ketenradar.core.modules import FactTable
from ketenradar.core.results import COLUMNS as SHARED
from ketenradar.core.results import schema
from ketenradar.modules.trade.facts import COLUMNS

if TYPE_CHECKING:
    from ketenradar.core.facts import DeriveContext

#: How many of the latest trade years the comparison holds.
YEARS = 5
#: The screening's columns the comparison keeps.
KEEP = (
    "year importer reference_bloc product product_description imports_kusd "
    "external_imports_kusd external_share n_external_suppliers supplier_hhi top_supplier "
    "top_supplier_share exports_kusd import_export_ratio world_export_hhi dependent_eu2021 "
    "geodep_criteria_met dependent_geodep"
)

COMPARISON = FactTable(
    "comparison",
    "EU 2021 and GeoDep screening of every EU27 member's imports of the 74 GeoPolRisk "
    f"raw-material products, each member on its own, the latest {YEARS} years 2020–2024 "
    "(BACI HS92 V202401b)",
    needs=("trade_flows",),
    derived="EU 2021 and GeoDep screening of every EU27 member's imports of every product in "
    f"{{dataset}}, each member on its own, the latest {YEARS} years of {{span}}",
    columns=schema("comparison", KEEP, COLUMNS, SHARED),
)


def derive(ctx: DeriveContext) -> None:
    """Screen every EU27 member for the latest :data:`YEARS` of ``ctx.wanted_years``."""
    import pandas as pd

    # imported here: core.groups reads the settings, and importing the CLI must not
    from ketenradar.core.groups import EU27
    from ketenradar.modules.trade import api

    if ctx.trade is None:
        ctx.skip(["comparison"], "no trade dataset (BACI) in the store")
        ctx.pass_over(1, "comparison skipped")
        return
    years = ctx.wanted_years[-YEARS:]
    ctx.plan(len(EU27) * len(years) - 1)
    cols = KEEP.split()
    frames = []
    for member in EU27:
        for y in years:
            try:
                df = api.screen(member, y, dataset=ctx.trade.name, data_dir=ctx.store_dir)
                frames.append(df[cols])
            except NotFoundError as exc:  # a member without imports in a year
                ctx.out.notes.append(f"comparison {member} {y}: {exc}")
            ctx.step(f"comparison {member} {y}")
    if not frames:
        ctx.skip(["comparison"], "no EU27 member imports in the trade dataset")
        return
    ctx.out.add(
        "comparison", pd.concat(frames, ignore_index=True), [ctx.trade.manifest.provenance()]
    )
