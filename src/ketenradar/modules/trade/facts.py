"""The trade module's fact tables: screening, top suppliers and the mutual-dependency balance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ketenradar.core.errors import NotFoundError
from ketenradar.core.modules import Column, FactTable
from ketenradar.core.results import COLUMNS as SHARED
from ketenradar.core.results import schema

if TYPE_CHECKING:
    import pandas as pd

    from ketenradar.core.facts import DeriveContext

#: Steps per importer and year (the balance and its products come from one call).
_STEPS = 3

#: The trade module's column vocabulary: one definition and label per quantity (J: the importer
#: set, R: its reference bloc, v: BACI's trade value; docs/methods/dependencies.md). A key
#: ``"<table>.<column>"`` defines the column for that table alone.
COLUMNS: dict[str, Column] = {
    "year": Column("year", "year", "", "The trade year screened (BACI)"),
    "reference_bloc": Column(
        "reference_bloc",
        "trade_col_reference_bloc",
        "",
        "The reference bloc R: suppliers outside it are external (EU27 for an importer inside "
        "the EU, else the importer itself)",
    ),
    "product": Column(
        "product", "product", "", "HS 6-digit product code (the trade dataset's HS edition)"
    ),
    "product_description": Column(
        "product_description",
        "trade_col_product_description",
        "",
        "BACI's description of the HS6 product",
    ),
    "imports_kusd": Column(
        "imports_kusd",
        "trade_col_imports_kusd",
        "kUSD",
        "All imports of the importer set's members, trade between members of a bloc "
        "included: Σ_{j∈J} Σ_{i≠j} v",
    ),
    "external_imports_kusd": Column(
        "external_imports_kusd",
        "trade_col_external_imports_kusd",
        "kUSD",
        "Imports from suppliers outside the reference bloc: Σ_{j∈J} Σ_{i∉R} v",
    ),
    "external_share": Column(
        "external_share",
        "external_share",
        "share 0–1",
        "external_imports_kusd / imports_kusd: the share of all imports bought outside R",
    ),
    "n_external_suppliers": Column(
        "n_external_suppliers",
        "trade_col_n_external_suppliers",
        "count",
        "Number of suppliers outside R with positive imports",
    ),
    "supplier_hhi": Column(
        "supplier_hhi",
        "product_supplier_hhi",
        "index 0–1",
        "Herfindahl–Hirschman index of the external suppliers' shares s_i of external imports: "
        "Σ_{i∉R} s_i²",
    ),
    "top_supplier": Column(
        "top_supplier",
        "top_supplier",
        "",
        "The external supplier with the largest share s_i (ISO3 code); empty without "
        "external imports",
    ),
    "top_supplier_share": Column(
        "top_supplier_share",
        "product_top_supplier_share",
        "share 0–1",
        "That supplier's share s_i of external imports (denominator: external_imports_kusd)",
    ),
    "top_supplier_kusd": Column(
        "top_supplier_kusd",
        "trade_col_top_supplier_kusd",
        "kUSD",
        "Imports from that supplier: top_supplier_share × external_imports_kusd",
    ),
    "materiality_met": Column(
        "materiality_met",
        "trade_col_materiality_met",
        "",
        "top_supplier_kusd ≥ KETENRADAR_MIN_DEPENDENCY_KUSD and ≥ "
        "KETENRADAR_MIN_DEPENDENCY_SHARE × imports_kusd: the project's materiality minimum, "
        "which every dependent_* flag also needs (not part of the published methods)",
    ),
    "exports_kusd": Column(
        "exports_kusd",
        "trade_col_exports_kusd",
        "kUSD",
        "Exports of the importer set to the rest of the world: Σ_{i∈J} Σ_{j∉J} v",
    ),
    "import_export_ratio": Column(
        "import_export_ratio",
        "trade_col_import_export_ratio",
        "ratio",
        "external_imports_kusd / exports_kusd; ∞ when exports are 0",
    ),
    "world_exports_kusd": Column(
        "world_exports_kusd",
        "trade_col_world_exports_kusd",
        "kUSD",
        "All exports of the product by every country in the year: X = Σ_e X_e",
    ),
    "world_export_hhi": Column(
        "world_export_hhi",
        "world_export_hhi",
        "index 0–1",
        "HHI of the exporting countries' shares of world exports: Σ_e (X_e / X)²",
    ),
    "reexport_ratio": Column(
        "reexport_ratio",
        "trade_col_reexport_ratio",
        "ratio",
        "exports_kusd / imports_kusd (all imports)",
    ),
    "transit": Column(
        "transit",
        "trade_col_transit",
        "",
        "reexport_ratio ≥ 0.9: the importer re-exports (almost) all it imports, as a trade "
        "hub does; a dependency flag then says more about the hub than about domestic use",
    ),
    "dependent_eu2021": Column(
        "dependent_eu2021",
        "dependent_eu2021",
        "",
        "Dependent under the EU 2021 method (SWD(2021) 352): supplier_hhi > 0.4 and "
        "external_share > 0.5 and import_export_ratio > 1, and materiality_met",
    ),
    "geodep_criteria_met": Column(
        "geodep_criteria_met",
        "trade_col_geodep_criteria_met",
        "count",
        "In how many of the years Y−2, Y−1, Y the GeoDep criteria hold (supplier_hhi > 0.4, "
        "world_export_hhi > 0.4, import_export_ratio > 1)",
    ),
    "dependent_geodep": Column(
        "dependent_geodep",
        "dependent_geodep",
        "",
        "Dependent under GeoDep (Lefebvre & Wibaux 2024) with reference bloc R: the criteria "
        "hold in at least 2 of the years Y−2, Y−1, Y, and materiality_met; empty when those "
        "years are not all loaded",
    ),
    "dependent_geodep_country": Column(
        "dependent_geodep_country",
        "trade_col_dependent_geodep_country",
        "",
        "Dependent under GeoDep as CEPII publishes it, country level: the same criteria with "
        "the importer itself as reference (every other country external, so intra-EU "
        "suppliers count in the HHI and the ratio is all imports over exports), in at least 2 "
        "of the years Y−2, Y−1, Y, and the materiality minimum on the top supplier outside the "
        "importer; equals dependent_geodep for a non-EU importer and for EU27",
    ),
    "ecosystem": Column(
        "ecosystem",
        "ecosystem",
        "",
        "The EU industrial ecosystem(s) of the product, '; '-separated "
        "(docs/methods/ecosystems.md)",
    ),
    "supplier": Column(
        "supplier",
        "supplier",
        "",
        "The supplying country (ISO3 code), or 'other' for all suppliers beyond the five largest",
    ),
    "value_kusd": Column(
        "value_kusd", "value_kusd", "kUSD", "Imports of the product from this supplier"
    ),
    "suppliers.share": Column(
        "share",
        "country_share_of_imports",
        "share 0–1",
        "value_kusd / all imports of the product (denominator: imports_kusd, trade between "
        "members of a bloc included; not external imports)",
    ),
    "external": Column(
        "external",
        "trade_col_external",
        "",
        "The supplier is outside the reference bloc; empty for 'other'",
    ),
    "importer_dependent_products": Column(
        "importer_dependent_products",
        "country_col_importer_dependent_products",
        "count",
        "The importer's dependent products (EU 2021, materiality minimum included) whose top "
        "external supplier is the partner",
    ),
    "importer_dependent_kusd": Column(
        "importer_dependent_kusd",
        "country_col_importer_dependent_kusd",
        "kUSD",
        "The importer's external imports of those products (from every external supplier, "
        "not only the partner)",
    ),
    "partner_dependent_products": Column(
        "partner_dependent_products",
        "country_col_partner_dependent_products",
        "count",
        "The partner's dependent products (the partner screened as importer with the same "
        "method) whose top supplier is a member of the importer set",
    ),
    "partner_dependent_kusd": Column(
        "partner_dependent_kusd",
        "country_col_partner_dependent_kusd",
        "kUSD",
        "The partner's external imports of those products",
    ),
    "balance_ratio_products": Column(
        "balance_ratio_products",
        "country_balance_ratio_products",
        "ratio",
        "partner_dependent_products / importer_dependent_products: above 1 the partner "
        "depends more on the importer than the reverse; ∞ when only the partner depends, "
        "empty when neither does",
    ),
    "balance_ratio_kusd": Column(
        "balance_ratio_kusd",
        "country_balance_ratio_kusd",
        "ratio",
        "partner_dependent_kusd / importer_dependent_kusd (as balance_ratio_products, by value)",
    ),
    "side": Column(
        "side",
        "trade_col_side",
        "",
        "'importer depends on partner' (the importer is dependent on the product and the "
        "partner is its top external supplier) or 'partner depends on importer' (the partner "
        "is dependent and a member of the importer set is its top supplier)",
    ),
    "dependent_imports_kusd": Column(
        "dependent_imports_kusd",
        "trade_col_dependent_imports_kusd",
        "kUSD",
        "The dependent side's external imports of the product (the importer's on the importer "
        "side, the partner's on the partner side)",
    ),
    "balance_products.supplier_hhi": Column(
        "supplier_hhi",
        "product_supplier_hhi",
        "index 0–1",
        "HHI of the external suppliers' shares of the dependent side's external imports",
    ),
    "balance_products.top_supplier": Column(
        "top_supplier",
        "top_supplier",
        "",
        "The dependent side's top external supplier (ISO3 code)",
    ),
    "balance_products.top_supplier_share": Column(
        "top_supplier_share",
        "product_top_supplier_share",
        "share 0–1",
        "That supplier's share of the dependent side's external imports",
    ),
}


def _columns(table: str, names: str) -> tuple[Column, ...]:
    return schema(table, names, COLUMNS, SHARED)


FACTS = (
    FactTable(
        "screening",
        "EU 2021 and GeoDep screening of NLD and EU27 imports of the 74 GeoPolRisk "
        "raw-material products, every year 1995–2024 (BACI HS92 V202401b)",
        needs=("trade_flows",),
        derived="EU 2021 and GeoDep screening of {imps} imports of every product in "
        "{dataset}, {span}",
        columns=_columns(
            "screening",
            "year importer reference_bloc product product_description imports_kusd "
            "external_imports_kusd external_share n_external_suppliers supplier_hhi "
            "top_supplier top_supplier_share top_supplier_kusd exports_kusd import_export_ratio "
            "world_exports_kusd world_export_hhi reexport_ratio transit materiality_met "
            "dependent_eu2021 geodep_criteria_met dependent_geodep dependent_geodep_country "
            "ecosystem",
        ),
    ),
    FactTable(
        "suppliers",
        "top-5 suppliers (and the rest) of NLD and EU27 per raw-material product and "
        "year, shares of all imports (intra-EU trade included, as in the screening; flagged "
        "external outside the EU)",
        needs=("trade_flows",),
        derived="top-5 suppliers (and the rest) of {imps} per product and year, shares of "
        "all imports, flagged external outside the reference bloc ({dataset}, {span})",
        columns=_columns(
            "suppliers",
            "importer year product supplier value_kusd share external",
        ),
    ),
    FactTable(
        "balance",
        "mutual dependency NLD and EU27 ↔ each partner on the raw-material products, "
        "every year 1995–2024",
        needs=("trade_flows",),
        derived="mutual dependency {imps} ↔ each partner ({dataset}, {span})",
        columns=_columns(
            "balance",
            "year importer partner importer_dependent_products importer_dependent_kusd "
            "partner_dependent_products partner_dependent_kusd balance_ratio_products "
            "balance_ratio_kusd",
        ),
    ),
    FactTable(
        "balance_products",
        "the products behind the balance: per year, the importer's dependent "
        "raw-material products and their top supplier, and each partner's dependent products "
        "whose top supplier is the importer (EU 2021)",
        needs=("trade_flows",),
        derived="the products behind the balance of {imps} ({dataset}, {span})",
        columns=_columns(
            "balance_products",
            "year importer partner side product product_description dependent_imports_kusd "
            "supplier_hhi top_supplier top_supplier_share",
        ),
    ),
)
TABLES = tuple(t.name for t in FACTS)


def balance_products(products: pd.DataFrame, importer: str) -> pd.DataFrame:
    """The products behind one balance, keyed like the ``balance`` table.

    ``products`` is :attr:`ketenradar.modules.trade.api.BalanceResult.products`, whose
    ``importer`` is whoever depends (the partner on the partner side). Here ``importer`` is the
    economy the balance is of, on both sides, and ``dependent_imports_kusd`` is the dependent
    side's external imports of the product.
    """
    out = products.rename(columns={"external_imports_kusd": "dependent_imports_kusd"})
    out = out.assign(importer=importer)
    cols = ["year", "importer", "partner", "side", "product", "product_description"]
    return out[cols + [c for c in out.columns if c not in cols]].reset_index(drop=True)


def derive(ctx: DeriveContext) -> None:
    """Screening, suppliers and balance of ``ctx.importers`` for every wanted year."""
    import pandas as pd

    from ketenradar.modules.trade import api
    from ketenradar.modules.trade.comparison import derive as derive_comparison

    derive_comparison(ctx)  # every EU27 member on its own: the comparison table (its own file)
    out, trade, imps = ctx.out, ctx.trade, ctx.importers
    if trade is None:
        ctx.skip(TABLES, "no trade dataset (BACI) in the store")
        ctx.pass_over(len(TABLES), "trade skipped")
        return
    wanted = ctx.wanted_years
    ctx.plan(len(imps) * len(wanted) * _STEPS - len(TABLES))
    start = ctx.done
    prov = [trade.manifest.provenance()]
    out.parameters |= {"importers": imps, "years": wanted, "trade_dataset": trade.name}
    # the thresholds the screening (and the balance's "mutual") is built with, recorded in
    # the facts' manifest: pages and downloads report these, not the settings of the day
    out.parameters["thresholds"] = api.build_thresholds()
    frames, done = [], []
    for imp in imps:
        for y in wanted:
            try:
                frames.append(api.screen(imp, y, dataset=trade.name, data_dir=ctx.store_dir))
                done.append((imp, y))
            except NotFoundError as exc:
                if ctx.strict:
                    raise
                out.notes.append(f"screening {imp} {y}: {exc}")
            ctx.step(f"screening {imp} {y}")
    if not frames:
        ctx.skip(TABLES, f"none of {', '.join(imps)} imports in {trade.name}")
        ctx.pass_over(start + len(imps) * len(wanted) * _STEPS - ctx.done, "trade skipped")
        return
    screening = pd.concat(frames, ignore_index=True)
    out.add("screening", screening, prov)
    sup = []
    for imp, y in done:
        sel = screening[(screening["importer"] == imp) & (screening["year"] == y)]
        prods = sorted(sel["product"].unique())
        s = api.supplier_shares(imp, y, prods, dataset=trade.name, data_dir=ctx.store_dir, top=5)
        s.insert(0, "year", y)
        s.insert(0, "importer", imp)
        sup.append(s)
        ctx.step(f"suppliers {imp} {y}")
    out.add("suppliers", pd.concat(sup, ignore_index=True), prov)
    bal, bal_products = [], []
    for imp, y in done:
        result = api.balance(imp, y, dataset=trade.name, data_dir=ctx.store_dir)
        bal.append(result.summary)
        bal_products.append(balance_products(result.products, imp))
        ctx.step(f"balance {imp} {y}")
    out.add("balance", pd.concat(bal, ignore_index=True), prov)
    out.add("balance_products", pd.concat(bal_products, ignore_index=True), prov)
    left = start + len(imps) * len(wanted) * _STEPS - ctx.done
    if left:  # importer-years without imports: their supplier and balance steps
        ctx.pass_over(left, "trade: years without imports passed over")
