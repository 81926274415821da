"""The input-output module's fact tables: the Netherlands' value-added exposure and balance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ketenradar.core.modules import Column, FactTable, ResultTable
from ketenradar.core.results import COLUMNS as SHARED
from ketenradar.core.results import schema

if TYPE_CHECKING:
    from ketenradar.core.facts import DeriveContext

#: The input-output module's column vocabulary: one definition and label per quantity
#: (docs/methods/input-output.md: E the economy, Z intermediate use, x output, v value added per
#: unit of output, L the Leontief inverse). A key ``"<table>.<column>"`` defines the column for
#: that table alone.
COLUMNS: dict[str, Column] = {
    "economy": Column(
        "economy",
        "io_economy",
        "",
        "The economy E whose dependency is measured (a region code of the table, or a bloc)",
    ),
    "year": Column("year", "year", "", "The year of the input-output table"),
    "basis": Column(
        "basis",
        "io_col_basis",
        "",
        "What value added is measured in: 'final_demand' (E's residents' final demand) or "
        "'final_output' (the final output of E's industries; the only basis the ICIO "
        "benchmark arrays allow)",
    ),
    "rank": Column(
        "rank",
        "io_col_rank",
        "",
        "Rank of the foreign source by embodied_va_musd (1 the largest); empty for domestic "
        "sources",
    ),
    "source_country": Column(
        "source_country",
        "io_col_source_country",
        "",
        "The supplying region: the table's region code (ISO3 for countries)",
    ),
    "source_country_name": Column(
        "source_country_name", "io_col_source_country_name", "", "The supplying region's name"
    ),
    "source_industry": Column(
        "source_industry",
        "io_col_source_industry",
        "",
        "The supplying industry's code in the table (ISIC rev. 4 based, e.g. C26)",
    ),
    "source_industry_name": Column(
        "source_industry_name",
        "io_col_source_industry_name",
        "",
        "The supplying industry's name",
    ),
    "kind": Column(
        "kind",
        "io_kind",
        "",
        "'goods' (ISIC rev. 4 sections A–F) or 'services' (every other section)",
    ),
    "source_kind": Column(
        "source_kind",
        "io_kind",
        "",
        "Whether the supplying industry makes 'goods' (ISIC rev. 4 sections A–F) or "
        "'services' (every other section)",
    ),
    "domestic": Column("domestic", "io_col_domestic", "", "The source lies inside the economy E"),
    "direct_inputs_musd": Column(
        "direct_inputs_musd",
        "io_col_direct_inputs_musd",
        "MUSD",
        "Intermediate inputs E's industries buy directly from the source: Σ_{j∈E} Z_ij",
    ),
    "direct_input_share": Column(
        "direct_input_share",
        "io_col_direct_input_share",
        "share 0–1",
        "direct_inputs_musd / all intermediate inputs of E's industries",
    ),
    "embodied_va_musd": Column(
        "embodied_va_musd",
        "io_col_embodied_va_musd",
        "MUSD",
        "The source's value added in E's final demand, v_i (L y_E)_i (Johnson & Noguera "
        "2012), or in the final output of E's industries when basis is final_output",
    ),
    "embodied_va_share": Column(
        "embodied_va_share",
        "io_col_embodied_va_share",
        "share 0–1",
        "embodied_va_musd / all value added in E's final demand (or final output)",
    ),
    "va_in_final_output_musd": Column(
        "va_in_final_output_musd",
        "io_col_va_in_final_output_musd",
        "MUSD",
        "The source's value added in the final output of E's industries: v_i (L ŷ_E)_i "
        "(Timmer et al. 2014)",
    ),
    "va_in_exports_musd": Column(
        "va_in_exports_musd",
        "io_col_va_in_exports_musd",
        "MUSD",
        "The source's value added in E's gross exports: v_i (L e_E)_i; empty when the table "
        "has no gross exports (the ICIO benchmark arrays)",
    ),
    "services_va_musd": Column(
        "services_va_musd",
        "io_col_services_va_musd",
        "MUSD",
        "The part of embodied_va_musd from the source country's services industries",
    ),
    "region": Column(
        "region", "io_region", "", "The region of the industry (a region of the economy E)"
    ),
    "industry": Column("industry", "io_industry", "", "The industry's code in the table"),
    "industry_name": Column("industry_name", "io_col_industry_name", "", "The industry's name"),
    "output_musd": Column("output_musd", "io_output", "MUSD", "The industry's gross output x_j"),
    "intermediate_inputs_musd": Column(
        "intermediate_inputs_musd",
        "io_inputs",
        "MUSD",
        "All intermediate inputs of the industry: Σ_i Z_ij",
    ),
    "foreign_inputs_musd": Column(
        "foreign_inputs_musd",
        "io_foreign_inputs",
        "MUSD",
        "Intermediate inputs from regions outside E",
    ),
    "foreign_input_share": Column(
        "foreign_input_share",
        "io_foreign_input_share",
        "share 0–1",
        "foreign_inputs_musd / intermediate_inputs_musd",
    ),
    "top_foreign_input_country": Column(
        "top_foreign_input_country",
        "io_top_input_country",
        "",
        "The region outside E that supplies most of the industry's intermediate inputs",
    ),
    "top_foreign_input_share": Column(
        "top_foreign_input_share",
        "io_col_top_foreign_input_share",
        "share 0–1",
        "That region's inputs / intermediate_inputs_musd",
    ),
    "foreign_va_content": Column(
        "foreign_va_content",
        "io_foreign_va_content",
        "share 0–1",
        "Foreign value added per unit of the industry's final output: Σ_{i∉E} v_i L_ij",
    ),
    "top_foreign_va_country": Column(
        "top_foreign_va_country",
        "io_top_va_country",
        "",
        "The region outside E with the largest value-added content in the industry",
    ),
    "top_foreign_va_content": Column(
        "top_foreign_va_content",
        "io_col_top_foreign_va_content",
        "share 0–1",
        "That region's value added per unit of the industry's final output",
    ),
    "exports_musd": Column(
        "exports_musd",
        "io_col_exports_musd",
        "MUSD",
        "The industry's gross exports e_j; empty when the table has none",
    ),
    "foreign_va_in_exports_musd": Column(
        "foreign_va_in_exports_musd",
        "io_col_foreign_va_in_exports_musd",
        "MUSD",
        "Foreign value added in the industry's exports: exports_musd · foreign_va_content",
    ),
    "io_balance.importer": Column(
        "importer", "importer", "", "The economy E (a region code of the table, or a bloc)"
    ),
    "io_balance.partner": Column(
        "partner", "partner", "", "The partner region P: the table's region code"
    ),
    "partner_iso3": Column(
        "partner_iso3",
        "io_col_partner_iso3",
        "",
        "The partner's ISO3 code (empty for aggregates such as the rest of the world)",
    ),
    "partner_name": Column("partner_name", "io_col_partner_name", "", "The partner's name"),
    "importer_dependent_va_musd": Column(
        "importer_dependent_va_musd",
        "country_col_importer_dependent_va_musd",
        "MUSD",
        "M[P, E]: the partner's value added in E's final demand (or final output), what E "
        "depends on P for",
    ),
    "importer_dependent_share": Column(
        "importer_dependent_share",
        "io_col_importer_dependent_share",
        "share 0–1",
        "importer_dependent_va_musd / all value added in E's final demand (or final output)",
    ),
    "partner_dependent_va_musd": Column(
        "partner_dependent_va_musd",
        "country_col_partner_dependent_va_musd",
        "MUSD",
        "M[E, P]: E's value added in the partner's final demand (or final output), what P "
        "depends on E for",
    ),
    "partner_dependent_share": Column(
        "partner_dependent_share",
        "io_col_partner_dependent_share",
        "share 0–1",
        "partner_dependent_va_musd / all value added in the partner's final demand (or final "
        "output)",
    ),
    "balance_ratio_va": Column(
        "balance_ratio_va",
        "country_balance_ratio_va",
        "ratio",
        "partner_dependent_va_musd / importer_dependent_va_musd: above 1 the partner depends "
        "more on E than E on the partner",
    ),
    "balance_ratio_share": Column(
        "balance_ratio_share",
        "io_col_balance_ratio_share",
        "ratio",
        "partner_dependent_share / importer_dependent_share",
    ),
    "scenario": Column(
        "scenario", "io_col_scenario", "", "The scenario's name (from the scenario file)"
    ),
    "model": Column(
        "model",
        "io_model",
        "",
        "The supply-side model: 'extraction' (partial hypothetical extraction, exact) or "
        "'ghosh' (first-order Ghosh multiplier)",
    ),
    "io_shock.economy": Column(
        "economy", "io_economy", "", "The economy whose industries lose output"
    ),
    "io_shock.industry": Column(
        "industry",
        "io_industry",
        "",
        "The industry's code in the table; TOTAL for the sum over the economy's industries",
    ),
    "output_loss_musd": Column(
        "output_loss_musd",
        "io_output_loss",
        "MUSD",
        "Fall of the industry's gross output under the scenario (positive = less output), "
        "at most output_musd",
    ),
    "output_loss_share": Column(
        "output_loss_share",
        "io_output_loss_share",
        "share 0–1",
        "output_loss_musd / output_musd (at most 1)",
    ),
    "va_musd": Column("va_musd", "io_va", "MUSD", "The industry's value added va_j"),
    "va_loss_musd": Column(
        "va_loss_musd",
        "io_va_loss",
        "MUSD",
        "Fall of value added with fixed value-added coefficients: v_j · output_loss_musd",
    ),
    "va_loss_share": Column(
        "va_loss_share", "io_va_loss_share", "share 0–1", "va_loss_musd / va_musd"
    ),
    "output_loss_capped": Column(
        "output_loss_capped",
        "io_col_output_loss_capped",
        "",
        "True where the model put the loss above the industry's output and it was capped at "
        "100 % (the first-order Ghosh model can; on the TOTAL row: any industry capped)",
    ),
}


def _columns(table: str, names: str) -> tuple[Column, ...]:
    return schema(table, names, COLUMNS, SHARED)


FACTS = (
    FactTable(
        "io_exposure_country",
        "value added of each source country in the final output of Dutch industries, "
        "OECD ICIO 2022",
        needs=("io_table",),
        derived="value added of each source country in the final output of Dutch "
        "industries, OECD ICIO {io_year}",
        columns=_columns(
            "io_exposure_country",
            "economy year source_country source_country_name domestic direct_inputs_musd "
            "embodied_va_musd va_in_final_output_musd va_in_exports_musd services_va_musd "
            "direct_input_share embodied_va_share basis",
        ),
    ),
    FactTable(
        "io_exposure_source",
        "the same per source country-industry (4,000 rows)",
        needs=("io_table",),
        derived="the same per source country-industry",
        columns=_columns(
            "io_exposure_source",
            "economy year rank source_country source_country_name source_industry "
            "source_industry_name source_kind domestic direct_inputs_musd direct_input_share "
            "embodied_va_musd embodied_va_share va_in_final_output_musd va_in_exports_musd "
            "basis",
        ),
    ),
    FactTable(
        "io_exposure_industry",
        "direct and value-added foreign dependency per Dutch industry, OECD ICIO 2022",
        needs=("io_table",),
        derived="direct and value-added foreign dependency per Dutch industry, OECD ICIO {io_year}",
        columns=_columns(
            "io_exposure_industry",
            "economy year region industry industry_name kind output_musd "
            "intermediate_inputs_musd foreign_inputs_musd foreign_input_share "
            "top_foreign_input_country top_foreign_input_share foreign_va_content "
            "top_foreign_va_country top_foreign_va_content exports_musd "
            "foreign_va_in_exports_musd",
        ),
    ),
    FactTable(
        "io_balance",
        "value added NLD ↔ each partner, OECD ICIO 2022 (production basis)",
        needs=("io_table",),
        derived="value added NLD ↔ each partner, OECD ICIO {io_year} (production basis)",
        columns=_columns(
            "io_balance",
            "importer partner partner_iso3 partner_name year basis importer_dependent_va_musd "
            "importer_dependent_share partner_dependent_va_musd partner_dependent_share "
            "balance_ratio_va balance_ratio_share",
        ),
    ),
)
TABLES = tuple(t.name for t in FACTS)

#: The column schema of a shock result (``ketenradar io shock``, ``POST /api/v1/io/shock``;
#: computed on request, not a fact table).
SHOCK_COLUMNS = _columns(
    "io_shock",
    "scenario model economy year region industry industry_name output_musd output_loss_musd "
    "output_loss_share va_musd va_loss_musd va_loss_share output_loss_capped",
)

#: The tables the module computes on request (not fact tables); with ``FACTS`` they are every
#: table the vocabulary ``COLUMNS`` serves.
RESULTS = (
    ResultTable(
        "io_shock",
        "the output and value added each industry loses when a supplier's output falls "
        "(`ketenradar io shock`, `POST /api/v1/io/shock`, the shock form of the io page)",
        SHOCK_COLUMNS,
    ),
)


def derive(ctx: DeriveContext) -> None:
    """Exposure by country, source and industry, and the value-added balance, of the NLD."""
    from ketenradar.datasets.iotable_store import available_years
    from ketenradar.modules.io import api as ioapi

    icio_sets = [
        d
        for d in ctx.kinds.get("io_table", [])
        if d.manifest.attributes.get("table_source", d.manifest.source) == "icio"
    ]
    if not icio_sets:
        ctx.skip(TABLES, "needs an OECD ICIO table in the store")
        ctx.pass_over(len(TABLES), "input-output skipped")
        return
    io_ds = ioapi.choose_table_dataset(ctx.store, "icio", ctx.io_year)
    yr = ctx.io_year if ctx.io_year is not None else max(available_years(io_ds))
    ctx.out.parameters |= {"io_dataset": io_ds.name, "io_year": yr}
    ctx.describe["io_year"] = yr
    icio = [io_ds.manifest.provenance()]
    kw = {"source": "icio", "year": yr, "dataset": io_ds.name, "data_dir": ctx.store_dir}
    for by in ("country", "source", "industry"):
        ctx.out.add(f"io_exposure_{by}", ioapi.exposure("NLD", by=by, **kw), icio)
        ctx.step(f"io exposure by {by}")
    ctx.out.add("io_balance", ioapi.balance("NLD", **kw), icio)
    ctx.step("io balance")
