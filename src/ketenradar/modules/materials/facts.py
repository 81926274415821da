"""The materials module's fact tables: EU criticality and its inputs, supply concentration, the
CRMA benchmarks and GeoPolRisk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ketenradar.core.modules import Column, FactTable
from ketenradar.core.results import COLUMNS as SHARED
from ketenradar.core.results import schema

if TYPE_CHECKING:
    from ketenradar.core.facts import DeriveContext

CRITICALITY_TABLES = (
    "criticality",
    "criticality_ir",
    "criticality_shares",
    "criticality_end_use",
    "criticality_scores",
    "criticality_wgi",
)

#: The materials module's column vocabulary: one definition and label per quantity
#: (docs/methods/criticality.md, concentration.md, geopolrisk.md). A key
#: ``"<table>.<column>"`` defines the column for that table alone.
COLUMNS: dict[str, Column] = {
    "material": Column(
        "material",
        "material",
        "",
        "Material id of the project's vocabulary (docs/methods/materials.md)",
    ),
    "name": Column("name", "name", "", "The material's display name"),
    "eu_name": Column("eu_name", "mat_col_eu_name", "", "The material's name in the EU CRM tables"),
    "stage": Column("stage", "stage", "", "Supply stage: extraction or processing"),
    "assessment_year": Column(
        "assessment_year",
        "mat_col_assessment_year",
        "",
        "Year of the EU criticality assessment whose published values are compared",
    ),
    "crm_2023": Column(
        "crm_2023",
        "mat_crm_2023",
        "",
        "On the EU 2023 list of critical raw materials (Regulation (EU) 2024/1252, Annex II)",
    ),
    "strategic_2023": Column(
        "strategic_2023",
        "mat_strategic_2023",
        "",
        "A strategic raw material (Regulation (EU) 2024/1252, Annex I)",
    ),
    "hhi_wgi_t_gs": Column(
        "hhi_wgi_t_gs",
        "mat_col_hhi_wgi_t_gs",
        "index 0–10",
        "HHI_WGI,t over global supply: Σ_c S_c²·WGI_c·t_c with the stage's global supply "
        "shares S_c, WGI rescaled 0–10 and the trade variable t",
    ),
    "hhi_wgi_t_eu": Column(
        "hhi_wgi_t_eu",
        "mat_col_hhi_wgi_t_eu",
        "index 0–10",
        "HHI_WGI,t over EU sourcing (only shares ≥ 1 % are published: a slight underestimate)",
    ),
    "top_country_gs": Column(
        "top_country_gs",
        "mat_col_top_country_gs",
        "",
        "The country with the largest share of global supply in the stage (ISO3 code)",
    ),
    "top_share_gs": Column(
        "top_share_gs",
        "mat_col_top_share_gs",
        "share 0–1",
        "That country's share of global supply",
    ),
    "n_countries_gs": Column(
        "n_countries_gs",
        "mat_col_n_countries_gs",
        "count",
        "Countries with a positive share of global supply in the stage",
    ),
    "share_sum_gs": Column(
        "share_sum_gs",
        "mat_col_share_sum_gs",
        "share 0–1",
        "Sum of the published global supply shares (1 when complete, up to rounding)",
    ),
    "share_sum_eu": Column(
        "share_sum_eu",
        "mat_col_share_sum_eu",
        "share 0–1",
        "Sum of the published EU sourcing shares: the coverage of the shares ≥ 1 %",
    ),
    "n_without_wgi": Column(
        "n_without_wgi",
        "mat_col_n_without_wgi",
        "count",
        "Suppliers without a WGI value, counted at the midpoint 5",
    ),
    "ir": Column(
        "ir",
        "mat_col_ir",
        "share 0–1",
        "The EU import reliance used: (extra-EU imports − exports) / (EU production + "
        "imports − exports), from the parameter table, else computed from BACI trade and "
        "World Mining Data (criticality_ir), else 1.0 assumed (see ir_source)",
    ),
    "ir_source": Column(
        "ir_source",
        "mat_col_ir_source",
        "",
        "Where the IR used comes from: 'parameter' (the parameter table), 'trade' (computed "
        "from BACI trade and World Mining Data, table criticality_ir) or 'assumed' (1.0)",
    ),
    "eol_rir": Column(
        "eol_rir",
        "mat_col_eol_rir",
        "share 0–1",
        "End-of-life recycling input rate: the share of the material's input that comes from "
        "recycled end-of-life scrap (2023 values, World Mining Data's HS-code map)",
    ),
    "si_sr": Column(
        "si_sr",
        "mat_col_si_sr",
        "index 0–1",
        "Substitution index for supply risk, from the parameter table; empty when not in "
        "the open data",
    ),
    "si_ei": Column(
        "si_ei",
        "mat_col_si_ei",
        "index 0–1",
        "Substitution index for economic importance, from the parameter table; empty when "
        "not in the open data",
    ),
    "si_source": Column(
        "si_source",
        "mat_col_si_source",
        "",
        "'parameter' when both substitution indices come from the parameter table; else "
        "which are assumed 1.0 (no substitution) in sr and ei",
    ),
    "sr_mix": Column(
        "sr_mix",
        "mat_col_sr_mix",
        "index",
        "Supply risk before recycling and substitution: "
        "HHI_WGI,t(GS)·IR/2 + HHI_WGI,t(EU)·(1 − IR/2) with the IR used",
    ),
    "sum_aq_meur": Column(
        "sum_aq_meur",
        "mat_col_sum_aq_meur",
        "MEUR",
        "Σ_s A_s·Q_s: each end-use share times the EU value added of its NACE sector",
    ),
    "ei_unscaled": Column(
        "ei_unscaled",
        "mat_col_ei_unscaled",
        "index 0–10",
        "Economic importance before substitution: 10·Σ A·Q / max(Q), max(Q) the value added "
        "of the largest manufacturing sector",
    ),
    "end_use_unallocated": Column(
        "end_use_unallocated",
        "mat_col_end_use_unallocated",
        "share 0–1",
        "Share of end use without a NACE sector, left out of Σ A·Q",
    ),
    "sr": Column(
        "sr",
        "mat_col_sr",
        "index",
        "Supply risk of the stage, the project's own computation: sr_mix·(1 − EoL_RIR)·SI_SR "
        "with the IR of ir_source and SI_SR from the parameter table, else assumed 1.0",
    ),
    "ei": Column(
        "ei",
        "mat_col_ei",
        "index 0–10",
        "Economic importance, the project's own computation: ei_unscaled·SI_EI with SI_EI "
        "from the parameter table, else assumed 1.0; empty without end-use data",
    ),
    "critical": Column(
        "critical",
        "critical",
        "",
        "Critical on the own values: EI ≥ 2.8 and SR ≥ 1.0 (the SR of the bottleneck stage); "
        "empty when EI or SR is",
    ),
    "sr_published": Column(
        "sr_published",
        "mat_col_sr_published",
        "index",
        "Supply risk the European Commission published for the assessment year",
    ),
    "ei_published": Column(
        "ei_published",
        "mat_col_ei_published",
        "index 0–10",
        "Economic importance the European Commission published for the assessment year",
    ),
    "critical_published": Column(
        "critical_published",
        "mat_col_critical_published",
        "",
        "Critical on the published values: EI ≥ 2.8 and SR ≥ 1.0",
    ),
    "sr_calibrated": Column(
        "sr_calibrated",
        "mat_col_sr_calibrated",
        "index",
        "Supply risk calibrated on the published SR: sr_mix·(1 − EoL_RIR)·SI_SR with the "
        "SI_SR the published SR implies (equals sr_published on the bottleneck stage, up to "
        "rounding); not an independent estimate",
    ),
    "ei_calibrated": Column(
        "ei_calibrated",
        "mat_col_ei_calibrated",
        "index 0–10",
        "Economic importance calibrated on the published EI (the implied SI_EI; the published "
        "EI itself without end-use data); not an independent estimate",
    ),
    "critical_calibrated": Column(
        "critical_calibrated",
        "mat_col_critical_calibrated",
        "",
        "Critical on the calibrated values (what-if runs start from these)",
    ),
    "bottleneck_stage": Column(
        "bottleneck_stage",
        "mat_bottleneck_stage",
        "",
        "The stage with the higher sr_mix; the material's SR is that stage's",
    ),
    "implied_sr_factor": Column(
        "implied_sr_factor",
        "mat_implied_sr_factor",
        "index",
        "sr_published / sr_mix: the (1 − EoL_RIR)·SI_SR the published SR implies at the IR used",
    ),
    "implied_sr_factor_ir0": Column(
        "implied_sr_factor_ir0",
        "mat_col_implied_sr_factor_ir0",
        "index",
        "The implied SR factor at IR = 0 (with the one at IR = 1 it brackets the factor "
        "whatever the true IR)",
    ),
    "implied_sr_factor_ir1": Column(
        "implied_sr_factor_ir1",
        "mat_col_implied_sr_factor_ir1",
        "index",
        "The implied SR factor at IR = 1",
    ),
    "implied_si_sr": Column(
        "implied_si_sr",
        "mat_col_implied_si_sr",
        "index",
        "The SI_SR the published SR implies: implied_sr_factor / (1 − EoL_RIR), on the "
        "bottleneck stage only",
    ),
    "implied_si_ei": Column(
        "implied_si_ei",
        "mat_col_implied_si_ei",
        "index",
        "The SI_EI the published EI implies: ei_published / ei_unscaled",
    ),
    "reproduced": Column(
        "reproduced",
        "mat_col_reproduced",
        "",
        "Whether the own SR (bottleneck stage) and EI equal the published ones within the "
        "published rounding of ±0.05; empty without a published or an own value",
    ),
    "note": Column(
        "note",
        "mat_note",
        "",
        "In words, why a value cannot be reproduced (factor not in the open data, no shares "
        "for a stage, group-level score, …)",
    ),
    "ir_stage": Column(
        "ir_stage",
        "stage",
        "",
        "The supply stage of the HS codes in World Mining Data's HS-code map",
    ),
    "criticality_ir.hs_codes": Column(
        "hs_codes",
        "mat_col_hs_codes",
        "",
        "The material's HS6 codes (HS92) whose extra-EU trade is counted (';'-separated), "
        "from World Mining Data's HS-code map",
    ),
    "ir_years": Column(
        "ir_years",
        "mat_col_ir_years",
        "",
        "The years averaged: those of the assessment's reference period (2016–2020 for "
        "2023) that both the trade and the production data hold",
    ),
    "eu_production_t": Column(
        "eu_production_t",
        "mat_col_eu_production_t",
        "t",
        "EU27 production in World Mining Data (kg converted to t), yearly mean",
    ),
    "extra_eu_imports_t": Column(
        "extra_eu_imports_t",
        "mat_col_extra_eu_imports_t",
        "t",
        "Imports of the EU27 members from outside the EU27 (BACI quantity), yearly mean",
    ),
    "extra_eu_exports_t": Column(
        "extra_eu_exports_t",
        "mat_col_extra_eu_exports_t",
        "t",
        "Exports of the EU27 members to outside the EU27 (BACI quantity), yearly mean",
    ),
    "apparent_consumption_t": Column(
        "apparent_consumption_t",
        "mat_col_apparent_consumption_t",
        "t",
        "EU production + extra-EU imports − extra-EU exports",
    ),
    "ir_computed": Column(
        "ir_computed",
        "mat_col_ir_computed",
        "share 0–1",
        "(imports − exports) / apparent consumption, 0 for a net exporter; empty without "
        "production or trade",
    ),
    "ir_note": Column("ir_note", "mat_note", "", "Why the IR is 0 or missing, in words"),
    "scope": Column(
        "scope",
        "mat_col_scope",
        "",
        "'global' (share of global supply) or 'eu' (share of EU sourcing: domestic "
        "production plus imports; only shares ≥ 1 % are published)",
    ),
    "criticality_shares.country": Column(
        "country", "country", "", "The supplying country (ISO3 code)"
    ),
    "country_label": Column(
        "country_label",
        "mat_col_country_label",
        "",
        "The country's name as the EU CRM tables spell it",
    ),
    "criticality_shares.share": Column(
        "share",
        "mat_col_supply_share",
        "share 0–1",
        "S_c: the country's share of global supply or EU sourcing in the stage, as published "
        "('<0.1%' read as 0.001)",
    ),
    "share_bound": Column(
        "share_bound",
        "mat_col_share_bound",
        "",
        "'<' when the published share is an upper bound ('<0.1%'), else empty",
    ),
    "t": Column(
        "t",
        "mat_col_t",
        "index",
        "The trade variable t of the EU method: above 1 with export restrictions, 0.8 for EU "
        "members and partners with trade agreements (as published)",
    ),
    "application": Column(
        "application",
        "mat_col_application",
        "",
        "The end-use application as the EU assessment names it",
    ),
    "criticality_end_use.share": Column(
        "share",
        "mat_col_end_use_share",
        "share 0–1",
        "A_s: the share of the material's EU end use in this application",
    ),
    "nace": Column(
        "nace", "mat_col_nace", "", "The NACE Rev. 2 two-digit sector of the application"
    ),
    "nace_label": Column("nace_label", "mat_col_nace_label", "", "The NACE sector's name"),
    "va_meur": Column(
        "va_meur",
        "mat_col_va_meur",
        "MEUR",
        "Q_s: the EU value added of the NACE sector, as published",
    ),
    "criticality_scores.year": Column(
        "year",
        "mat_col_assessment_year",
        "",
        "Year of the EU criticality assessment (2011, 2014, 2017, 2020, 2023)",
    ),
    "criticality_scores.sr": Column(
        "sr",
        "mat_col_sr_published",
        "index",
        "Supply risk the European Commission published in that assessment",
    ),
    "criticality_scores.ei": Column(
        "ei",
        "mat_col_ei_published",
        "index 0–10",
        "Economic importance the European Commission published in that assessment",
    ),
    "wgi_mean": Column(
        "wgi_mean",
        "mat_col_wgi_mean",
        "WGI −2.5–2.5",
        "Mean of the country's six Worldwide Governance Indicators (World Bank) in the year",
    ),
    "n_dimensions": Column(
        "n_dimensions",
        "mat_col_n_dimensions",
        "count",
        "How many of the six WGI dimensions the country has a value for",
    ),
    "wgi_scaled": Column(
        "wgi_scaled",
        "mat_col_wgi_scaled",
        "index 0–10",
        "WGI_c of the EU method: 2·(2.5 − wgi_mean) clipped to 0–10, 10 the worst governance",
    ),
    "criticality_wgi.year": Column(
        "year",
        "year",
        "",
        "The WGI year the criticality uses (the latest with all six dimensions for at least "
        "150 countries)",
    ),
    "basis": Column(
        "basis",
        "mat_basis",
        "",
        "Which shares: 'eu_crm' (global supply, EU 2023 assessment), 'eu_crm_eu' (EU "
        "sourcing, shares ≥ 1 % only) or 'usgs' (USGS world production)",
    ),
    "concentration.year": Column(
        "year",
        "year",
        "",
        "2023 for the EU tables (the assessment year; the EC's shares average earlier "
        "years), the production year for USGS",
    ),
    "top_country": Column(
        "top_country", "mat_top_country", "", "The largest named supplier (ISO3 code)"
    ),
    "top_share": Column(
        "top_share",
        "mat_col_top_share",
        "share 0–1",
        "Its share of the total the source states (USGS: the world total row)",
    ),
    "concentration.hhi": Column(
        "hhi",
        "mat_col_supply_hhi",
        "index 0–1",
        "Σ share² over the named countries; USGS 'Other countries' is left out, so the HHI "
        "is a lower bound there",
    ),
    "n_countries": Column(
        "n_countries", "mat_n_countries", "count", "Named countries with a positive share"
    ),
    "crma_65_flag": Column(
        "crma_65_flag",
        "mat_col_crma_65_flag",
        "",
        "The top supplier is a third country (not EU27) with more than 65 %",
    ),
    "top_is_third_country": Column(
        "top_is_third_country",
        "mat_col_top_is_third_country",
        "",
        "The top supplier is not an EU27 member",
    ),
    "eu27_share": Column(
        "eu27_share", "mat_col_eu27_share", "share 0–1", "The EU27 members' combined share"
    ),
    "total": Column(
        "total",
        "mat_col_total",
        "",
        "The total the shares are of, in `unit`: USGS's world total (or the sum of the rows "
        "where it states none); for the EU tables the sum of the published shares",
    ),
    "unit": Column(
        "unit",
        "mat_col_unit",
        "",
        "The unit of total: 'fraction' for the EU tables, USGS's unit (t, kt, kg, …) otherwise",
    ),
    "description": Column(
        "description",
        "description",
        "",
        "USGS: the commodity types the row adds up ('; '-separated); empty for the EU tables",
    ),
    "top_share_first_year": Column(
        "top_share_first_year",
        "mat_col_top_share_first_year",
        "share 0–1",
        "top_share in first_year",
    ),
    "first_year": Column(
        "first_year",
        "mat_col_first_year",
        "",
        "The first year loaded for the same material, stage, basis and unit",
    ),
    "trend": Column(
        "trend",
        "mat_trend",
        "",
        "'more concentrated' or 'less concentrated' when top_share moved more than 2 points "
        "since first_year, else 'stable'; empty in the first year",
    ),
    "max_third_country": Column(
        "max_third_country",
        "mat_crma_top_third_country",
        "",
        "The largest third-country (not EU27) supplier in the EU sourcing of the stage (ISO3 code)",
    ),
    "max_third_country_share_eu_sourcing": Column(
        "max_third_country_share_eu_sourcing",
        "mat_col_max_third_country_share",
        "share 0–1",
        "Its share of EU sourcing",
    ),
    "meets_65": Column(
        "meets_65",
        "mat_col_meets_65",
        "",
        "No third country above 65 % of EU sourcing (the proxy for the CRMA benchmark, Art. "
        "5(1)); empty without EU sourcing shares",
    ),
    "eu27_share_of_eu_sourcing": Column(
        "eu27_share_of_eu_sourcing",
        "mat_crma_eu_capacity",
        "share 0–1",
        "The EU27 members' combined share of EU sourcing: the proxy for EU capacity",
    ),
    "eu27_share_of_global_supply": Column(
        "eu27_share_of_global_supply",
        "mat_col_eu27_share_of_global_supply",
        "share 0–1",
        "The EU27 members' combined share of global supply",
    ),
    "capacity_benchmark": Column(
        "capacity_benchmark",
        "mat_col_capacity_benchmark",
        "share 0–1",
        "The CRMA 2030 benchmark for EU capacity: 0.10 for extraction, 0.40 for processing",
    ),
    "meets_capacity_proxy": Column(
        "meets_capacity_proxy",
        "mat_col_meets_capacity_proxy",
        "",
        "eu27_share_of_eu_sourcing ≥ capacity_benchmark; empty without EU sourcing shares",
    ),
    "meets_recycling_proxy": Column(
        "meets_recycling_proxy",
        "mat_col_meets_recycling_proxy",
        "",
        "eol_rir ≥ 0.25 (the CRMA 2030 recycling benchmark); empty without an EoL-RIR",
    ),
    "crma.note": Column(
        "note",
        "mat_note",
        "",
        "Why a benchmark is not judged (no EU sourcing or global supply shares)",
    ),
    "geopolrisk.material": Column(
        "material",
        "material",
        "",
        "The raw material as World Mining Data's HS-code map names it (its Reference ID, "
        "e.g. Cobalt)",
    ),
    "geopolrisk.year": Column(
        "year", "year", "", "The year of the trade (BACI) and production (World Mining Data)"
    ),
    "geopolrisk.hhi": Column(
        "hhi",
        "mat_col_production_hhi",
        "index 0–1",
        "HHI of world production: Σ_c P_c² / (Σ_c P_c)² over World Mining Data (production "
        "truncated to whole units, as the reference implementation does)",
    ),
    "import_risk": Column(
        "import_risk",
        "mat_col_import_risk",
        "index 0–1",
        "Σ_j q_ij·PV_j / (Σ_j q_ij + P_i): imports weighted by each partner's political "
        "instability PV_j (WGI political stability rescaled to 0–1, 1 the least stable) over "
        "imports plus own production",
    ),
    "score": Column(
        "score", "mat_col_geopolrisk_score", "index 0–1", "GeoPolRisk score: hhi · import_risk"
    ),
    "cf": Column(
        "cf",
        "mat_col_cf",
        "kg Cu-eq/kg",
        "Characterisation factor: score · price / 0.409412948 (the average CF of copper for "
        "OECD countries 2017–2021)",
    ),
    "price_usd_per_kg": Column(
        "price_usd_per_kg",
        "mat_col_price_usd_per_kg",
        "USD/kg",
        "Import price: Σ_j v_ij / Σ_j q_ij",
    ),
    "import_qty_t": Column(
        "import_qty_t",
        "mat_col_import_qty_t",
        "t",
        "Imports of the material's HS codes (BACI quantity; a missing quantity counts as 0)",
    ),
    "import_value_kusd": Column(
        "import_value_kusd",
        "mat_col_import_value_kusd",
        "kUSD",
        "Value of those imports (BACI)",
    ),
    "domestic_production_t": Column(
        "domestic_production_t",
        "mat_col_domestic_production_t",
        "t",
        "P_i: the importer's own production in World Mining Data (kg converted to t; other "
        "units as stated)",
    ),
    "n_partners": Column(
        "n_partners",
        "mat_col_n_partners",
        "count",
        "The countries the importer imports the material from",
    ),
    "no_imports": Column(
        "no_imports",
        "mat_col_no_imports",
        "",
        "The importer has no recorded import of the material's HS codes in the year: import "
        "risk and score are 0, as the reference implementation reports",
    ),
    "geopolrisk.stage": Column(
        "stage",
        "stage",
        "",
        "The supply stage of the material's HS codes in World Mining Data's HS-code map",
    ),
    "hs_codes": Column(
        "hs_codes",
        "mat_col_hs_codes",
        "",
        "The material's HS codes in World Mining Data's HS-code map (';'-separated)",
    ),
}


def _columns(table: str, names: str) -> tuple[Column, ...]:
    return schema(table, names, COLUMNS, SHARED)


FACTS = (
    FactTable(
        "criticality",
        "EU criticality per material and stage, reconciled with the published 2023 assessment",
        needs=("crm_assessment", "governance"),
        columns=_columns(
            "criticality",
            "material name stage assessment_year crm_2023 strategic_2023 hhi_wgi_t_gs "
            "hhi_wgi_t_eu top_country_gs top_share_gs n_countries_gs share_sum_gs "
            "share_sum_eu n_without_wgi ir ir_source eol_rir si_sr si_ei si_source sr_mix "
            "sum_aq_meur ei_unscaled end_use_unallocated sr ei critical sr_published "
            "ei_published critical_published sr_calibrated ei_calibrated critical_calibrated "
            "bottleneck_stage implied_sr_factor implied_sr_factor_ir0 "
            "implied_sr_factor_ir1 implied_si_sr implied_si_ei reproduced note",
        ),
    ),
    FactTable(
        "criticality_ir",
        "EU import reliance per material from BACI trade and World Mining Data production "
        "(EC 2017 guidelines), with the HS codes counted",
        needs=("trade_flows", "mineral_production"),
        columns=_columns(
            "criticality_ir",
            "material ir_stage hs_codes ir_years eu_production_t extra_eu_imports_t "
            "extra_eu_exports_t apparent_consumption_t ir_computed ir_note",
        ),
    ),
    FactTable(
        "criticality_shares",
        "inputs of the EU criticality method: supply shares per material, "
        "scope, stage and country (EU CRM 2023), for the what-if",
        needs=("crm_assessment",),
        columns=_columns(
            "criticality_shares",
            "material eu_name scope stage country country_label share share_bound t",
        ),
    ),
    FactTable(
        "criticality_end_use",
        "inputs of the EU criticality method: end-use shares and value added "
        "(EU CRM 2023), for the what-if",
        needs=("crm_assessment",),
        columns=_columns(
            "criticality_end_use",
            "material eu_name application share share_bound nace nace_label va_meur",
        ),
    ),
    FactTable(
        "criticality_scores",
        "the published SR and EI per material and assessment year (EU CRM)",
        needs=("crm_assessment",),
        columns=_columns(
            "criticality_scores",
            "material eu_name year sr ei",
        ),
    ),
    FactTable(
        "criticality_wgi",
        "WGI per country, rescaled 0–10, for the year the assessment uses",
        needs=("governance",),
        columns=_columns(
            "criticality_wgi",
            "country wgi_mean n_dimensions wgi_scaled year",
        ),
    ),
    FactTable(
        "concentration",
        "supply concentration per material, stage, source and year (EU CRM, USGS)",
        needs=("crm_assessment", "mineral_production"),
        columns=_columns(
            "concentration",
            "material stage basis year top_country top_share hhi n_countries crma_65_flag "
            "top_is_third_country eu27_share total unit description top_share_first_year "
            "first_year trend",
        ),
    ),
    FactTable(
        "crma",
        "strategic raw materials against the CRMA 2030 benchmarks",
        needs=("crm_assessment",),
        columns=_columns(
            "crma",
            "material name stage max_third_country max_third_country_share_eu_sourcing "
            "meets_65 eu27_share_of_eu_sourcing eu27_share_of_global_supply "
            "capacity_benchmark meets_capacity_proxy eol_rir meets_recycling_proxy note",
        ),
    ),
    FactTable(
        "geopolrisk",
        "GeoPolRisk of NLD and EU27 per raw material and year",
        needs=("trade_flows", "mineral_production", "governance"),
        derived="GeoPolRisk of {imps} per raw material and year",
        columns=_columns(
            "geopolrisk",
            "material importer year hhi import_risk score cf price_usd_per_kg import_qty_t "
            "import_value_kusd domestic_production_t n_partners no_imports stage eol_rir "
            "hs_codes",
        ),
    ),
)


def derive(ctx: DeriveContext) -> None:
    """Criticality (with its inputs), concentration, CRMA and GeoPolRisk from the store."""
    from ketenradar.modules.materials import api as mapi
    from ketenradar.modules.materials.assessment import load_inputs
    from ketenradar.modules.materials.datasets import choose_geopolrisk_inputs

    out, kinds, store_dir = ctx.out, ctx.kinds, ctx.store_dir
    mining = kinds.get("mineral_production", [])
    has_crm = bool(kinds.get("crm_assessment"))
    has_wgi = bool(kinds.get("governance"))
    has_usgs = any(d.manifest.source == "usgs" for d in mining)
    has_wmd = any(d.has_table("hs_map") for d in mining)
    if has_crm and has_wgi:
        inputs = load_inputs(ctx.store)
        out.add("criticality", mapi.criticality(data_dir=store_dir), inputs.provenance)
        ctx.step("criticality")
        crm_prov, wgi_prov = inputs.provenance[:2]
        if inputs.import_reliance is not None:
            out.add("criticality_ir", inputs.import_reliance, inputs.provenance[2:])
        else:
            ctx.skip(["criticality_ir"], "needs BACI trade and World Mining Data in the store")
        ctx.step("criticality inputs: import reliance")
        out.add("criticality_shares", inputs.shares, [crm_prov])
        ctx.step("criticality inputs: shares")
        out.add("criticality_end_use", inputs.end_use, [crm_prov])
        ctx.step("criticality inputs: end use")
        out.add("criticality_scores", inputs.scores, [crm_prov])
        ctx.step("criticality inputs: scores")
        wgi = inputs.wgi.assign(year=inputs.wgi_year)
        out.add("criticality_wgi", wgi, [wgi_prov])
        ctx.step("criticality inputs: WGI")
    else:
        ctx.skip(CRITICALITY_TABLES, "needs the EU CRM assessment and the WGI in the store")
        ctx.pass_over(len(CRITICALITY_TABLES), "criticality skipped")
    if has_crm or has_usgs:
        # the analysis' ``source`` (eu_crm, eu_crm_eu, usgs) says the basis of each row;
        # attribution names the datasets in ``source``, so the basis keeps its own column
        conc = mapi.concentration_table(data_dir=store_dir).rename(columns={"source": "basis"})
        crm = kinds.get("crm_assessment", [])[:1]
        usgs = [d for d in mining if d.manifest.source == "usgs"][:1]
        out.add("concentration", conc, [d.manifest.provenance() for d in crm + usgs])
    else:
        ctx.skip(["concentration"], "needs the EU CRM assessment or USGS in the store")
    ctx.step("concentration")
    if has_crm:
        crm_ds = kinds["crm_assessment"]
        out.add("crma", mapi.crma(data_dir=store_dir), [crm_ds[0].manifest.provenance()])
    else:
        ctx.skip(["crma"], "needs the EU CRM assessment in the store")
    ctx.step("crma")
    if ctx.trade is not None and has_wmd and has_wgi:
        gpr_in = choose_geopolrisk_inputs(ctx.store, trade_dataset=ctx.trade.name)
        gpr = mapi.geopolrisk_scores(
            importer=";".join(ctx.importers), trade_dataset=ctx.trade.name, data_dir=store_dir
        )
        out.add("geopolrisk", gpr, gpr_in.provenance)
    else:
        ctx.skip(["geopolrisk"], "needs trade (BACI), World Mining Data and the WGI in the store")
    ctx.step("geopolrisk")
