"""The industry module's tables computed on request and their column schema (names, label
message keys, units and meanings): the Dutch ETS totals per year and the verified emissions
per installation (``ketenradar industry emissions``), the installations per cluster and the
emissions per cluster (``ketenradar industry clusters``). Imports only the kernel."""

from __future__ import annotations

from ketenradar.core.modules import Column, ResultTable

_T = "t"  #: tonnes of CO2 equivalent

#: One definition and label per quantity (docs/methods/industry.md, "Results").
COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column("year", "industry_year", "", "Calendar year of the emissions"),
        Column(
            "country",
            "industry_country",
            "",
            "Country, two-letter code: the EU ETS registry (ISO 3166 alpha-2), or Eurostat's "
            "geo code in the electricity cost comparison",
        ),
        Column(
            "verified_t",
            "industry_verified_t",
            _T,
            "Verified emissions, tonnes of CO2 equivalent (stationary installations with a "
            "verified number; aircraft operators apart)",
        ),
        Column(
            "installations",
            "industry_installations",
            "count",
            "Stationary installations with a verified emissions number that year",
        ),
        Column(
            "excluded",
            "industry_excluded",
            "count",
            "Installations marked 'Excluded' that year (no number; not counted as zero)",
        ),
        Column(
            "not_reported",
            "industry_not_reported",
            "count",
            "Installations marked 'Not Reported' that year (no number; not counted as zero)",
        ),
        Column(
            "free_allocation_t",
            "industry_free_allocation_t",
            _T,
            "Allowances allocated free of charge, tonnes of CO2 equivalent",
        ),
        Column(
            "aircraft_verified_t",
            "industry_aircraft_verified_t",
            _T,
            "Verified emissions of the aircraft operators administered by the registry, "
            "tonnes of CO2 equivalent (kept apart from the installations)",
        ),
        Column(
            "aircraft_operators",
            "industry_aircraft_operators",
            "count",
            "Aircraft operators with a verified emissions number that year",
        ),
        Column(
            "coverage",
            "industry_coverage",
            "",
            "all: every installation of the EUTL export; large only: the years only the "
            "large-installation table has (its 24 installations, not the national total)",
        ),
        Column("installation_id", "industry_installation_id", "", "EUTL installation id"),
        Column("name", "industry_name", "", "Installation name as registered"),
        Column("holder", "industry_holder", "", "Account holder (operator)"),
        Column(
            "company_reg_no",
            "industry_company_reg_no",
            "",
            "The holder's KvK number (Dutch Chamber of Commerce; the EUTL's "
            "CompanyRegistrationNo): the company, whatever the spelling of its name",
        ),
        Column("city", "industry_city", "", "City of the installation"),
        Column("activity_label", "industry_activity", "", "EU ETS main activity"),
        Column(
            "status",
            "industry_status",
            "",
            "verified (a number), Excluded, Not Reported or missing (empty in the source)",
        ),
        Column("compliance_code", "industry_compliance_code", "", "EUTL compliance code"),
        Column("source", "industry_source", "", "File or publication the number comes from"),
        Column("postcode", "industry_postcode", "", "Postcode of the installation (EUTL)"),
        Column("activity_code", "industry_activity_code", "", "EU ETS main activity code"),
        Column(
            "sector",
            "industry_sector",
            "",
            "Sector grouped from the EU ETS activity code (combustion, refining, iron and "
            "steel, chemicals, …; docs/methods/industry.md)",
        ),
        Column("municipality", "industry_municipality", "", "Municipality (CBS name, current)"),
        Column("municipality_code", "industry_municipality_code", "", "CBS municipality code"),
        Column("corop", "industry_corop", "", "COROP region of the municipality"),
        Column("province", "industry_province", "", "Province of the municipality"),
        Column(
            "cluster",
            "industry_cluster",
            "",
            "Industrial cluster (one of the five of the cluster file), cluster 6 (located "
            "outside the five) or unassigned (not located)",
        ),
        Column(
            "basis",
            "industry_basis",
            "",
            "How the installation was located and why it is in its cluster, or why it could "
            "not be located",
        ),
        Column(
            "latitude",
            "industry_latitude",
            "°",
            "Latitude of the installation (WGS84), geocoded from its address by euets.info; "
            "empty when no coordinates are loaded",
        ),
        Column("longitude", "industry_longitude", "°", "Longitude of the installation (WGS84)"),
        Column(
            "corop_at_coordinates",
            "industry_corop_at_coordinates",
            "",
            "COROP region the coordinates lie in (CBS 2015 outlines): a check on the location "
            "from the city; empty without coordinates or outside the outlines",
        ),
        Column("target", "industry_target", "", "Id of the target in the targets file"),
        Column(
            "scope",
            "industry_scope",
            "",
            "Installations the target counts (sectors, clusters; default every stationary "
            "installation)",
        ),
        Column("baseline_year", "industry_baseline_year", "", "Base year of the target"),
        Column(
            "baseline_t",
            "industry_baseline_t",
            _T,
            "Verified emissions of the scope in the base year, tonnes of CO2 equivalent",
        ),
        Column("target_year", "industry_target_year", "", "Year by which the target holds"),
        Column(
            "target_t",
            "industry_target_t",
            _T,
            "Emission level the target asks for in its target year, tonnes of CO2 equivalent",
        ),
        Column(
            "latest_year",
            "industry_latest_year",
            "",
            "Latest year whose numbers cover every installation",
        ),
        Column(
            "latest_t",
            "industry_latest_t",
            _T,
            "Verified emissions of the scope in the latest complete year, tonnes of CO2 equivalent",
        ),
        Column(
            "achieved_pace_t",
            "industry_achieved_pace_t",
            "t/year",
            "Average change a year from the base year to the latest complete year",
        ),
        Column(
            "required_pace_t",
            "industry_required_pace_t",
            "t/year",
            "Change a year still needed from the latest complete year to the target level",
        ),
        Column(
            "projected_t",
            "industry_projected_t",
            _T,
            "Emissions in the target year if the achieved pace continues (latest + achieved "
            "pace × years left), tonnes of CO2 equivalent",
        ),
        Column(
            "gap_t",
            "industry_gap_t",
            _T,
            "Projected minus target level (positive: short of the target), tonnes of CO2 "
            "equivalent",
        ),
        Column(
            "target_status",
            "industry_target_status",
            "",
            "met (latest at or below the target level), on track (projected at or below it) "
            "or off track",
        ),
        Column(
            "path_t",
            "industry_path_t",
            _T,
            "Straight path from the base year's emissions to the target level, tonnes of CO2 "
            "equivalent",
        ),
        Column("band", "industry_band", "", "Eurostat consumption band of the profile (IA–IG)"),
        Column(
            "commodity_eur_mwh",
            "industry_commodity_eur_mwh",
            "EUR/MWh",
            "Commodity: mean of the year's 12 monthly day-ahead wholesale averages (Ember)",
        ),
        Column(
            "supply_network_other_eur_mwh",
            "industry_supply_network_other_eur_mwh",
            "EUR/MWh",
            "Supply, network and other before taxes: the Eurostat price excluding taxes and "
            "levies of the band minus the commodity (a residual)",
        ),
        Column(
            "taxes_levies_eur_mwh",
            "industry_taxes_levies_eur_mwh",
            "EUR/MWh",
            "Non-recoverable taxes and levies: Eurostat excluding VAT minus excluding taxes",
        ),
        Column(
            "adjustments_eur_mwh",
            "industry_adjustments_eur_mwh",
            "EUR/MWh",
            "Components not in the open data, from the user-editable adjustments table",
        ),
        Column(
            "ikc_eur_mwh",
            "industry_ikc_eur_mwh",
            "EUR/MWh",
            "Indirect cost compensation (negative): aid intensity × CO2 price × emission "
            "factor × 0.8 × eligible share",
        ),
        Column(
            "total_eur_mwh",
            "industry_total_eur_mwh",
            "EUR/MWh",
            "Electricity cost per MWh: the sum of the components (missing when one is)",
        ),
        Column(
            "total_eur_year",
            "industry_total_eur_year",
            "EUR/year",
            "Electricity cost a year: cost per MWh × the profile's consumption",
        ),
        Column(
            "eurostat_flags",
            "industry_eurostat_flags",
            "",
            "Eurostat flags on the year's prices (e estimated, p provisional, b break, …)",
        ),
        Column(
            "component",
            "industry_component",
            "",
            "Component of the cost stack (or total_eur_mwh for the total)",
        ),
        Column(
            "reference_eur_mwh",
            "industry_reference_eur_mwh",
            "EUR/MWh",
            "The component in the reference country (the Netherlands by default)",
        ),
        Column(
            "country_eur_mwh",
            "industry_country_eur_mwh",
            "EUR/MWh",
            "The component in the country compared",
        ),
        Column(
            "gap_eur_mwh",
            "industry_gap_eur_mwh",
            "EUR/MWh",
            "Reference minus country (positive: the reference pays more); the components' "
            "gaps add up to the total's",
        ),
        Column("instrument", "industry_instrument", "", "Subsidy instrument (short name)"),
        Column("instrument_name", "industry_instrument_name", "", "Instrument, full name"),
        Column("round", "industry_round", "", "Round or period the figure is for"),
        Column(
            "figure",
            "industry_figure",
            "",
            "budget, requested, awarded, reservation (set aside, not yet a budget) or named "
            "(no figure published)",
        ),
        Column("amount_eur", "industry_amount_eur", "EUR", "Amount as published, nominal euros"),
        Column("per_year", "industry_per_year", "", "Whether the amount is per year"),
        Column("years", "industry_years", "", "Year(s) the figure is for"),
        Column("recipient", "industry_recipient", "", "Recipient of an award, where published"),
        Column("budget_eur", "industry_budget_eur", "EUR", "Budget of the round"),
        Column("requested_eur", "industry_requested_eur", "EUR", "Amount applied for"),
        Column(
            "awarded_eur",
            "industry_awarded_eur",
            "EUR",
            "Amount awarded (the sum of the award rows published; may be partial)",
        ),
        Column(
            "oversubscription",
            "industry_oversubscription",
            "ratio",
            "Amount requested over the round's budget (1.7: requests 70 % above the budget)",
        ),
        Column("kpi", "industry_kpi", "", "Id of the KPI in the KPI file"),
        Column("kpi_name", "industry_kpi_name", "", "The KPI"),
        Column("kpi_unit", "industry_kpi_unit", "", "Unit of the KPI's values"),
        Column(
            "latest_value",
            "industry_latest_value",
            "",
            "Latest value of the KPI's series (in the KPI's unit)",
        ),
        Column(
            "target_low",
            "industry_target_low",
            "",
            "The least value the target allows (empty: no lower bound), in the KPI's unit",
        ),
        Column(
            "target_high",
            "industry_target_high",
            "",
            "The most the target allows (a reduction: the base year's value minus the amount; "
            "empty: no upper bound), in the KPI's unit",
        ),
        Column(
            "kpi_status",
            "industry_kpi_status",
            "",
            "reached, not reached, no data (series not loaded) or no base year",
        ),
        Column("target_source", "industry_target_source", "", "Where the target is set"),
        Column("series_source", "industry_series_source", "", "What the series measures"),
        Column("value", "industry_value", "", "Value of the series that year (the KPI's unit)"),
        Column(
            "scenario_total_eur_mwh",
            "industry_scenario_total_eur_mwh",
            "EUR/MWh",
            "Electricity cost per MWh under the scenario",
        ),
        Column(
            "scenario_change_eur_mwh",
            "industry_scenario_change_eur_mwh",
            "EUR/MWh",
            "Scenario minus without it, per MWh (negative: cheaper)",
        ),
        Column(
            "scenario_change_eur_year",
            "industry_scenario_change_eur_year",
            "EUR/year",
            "Scenario minus without it, a year for the profile's consumption",
        ),
        Column("company", "industry_company", "", "Company with a maatwerk agreement"),
        Column("stage", "industry_stage", "", "Stage of the company's agreement (letter 002)"),
        Column(
            "holders",
            "industry_holders",
            "",
            "EUTL account holders counted as the company's ('; ' between names)",
        ),
        Column(
            "installations_found",
            "industry_installations_found",
            "count",
            "Installations of those holders in the EUTL export",
        ),
        Column("note", "industry_note", "", "Why a company has no installation, where it has none"),
        Column(
            "group",
            "industry_group",
            "",
            "The sector (from the EU ETS activity) or the holder (the EUTL account holder: the "
            "company) the row sums",
        ),
    )
}

TOTAL_COLUMN_NAMES = [
    "year",
    "country",
    "verified_t",
    "installations",
    "excluded",
    "not_reported",
    "free_allocation_t",
    "aircraft_verified_t",
    "aircraft_operators",
    "coverage",
]
INSTALLATION_COLUMN_NAMES = [
    "installation_id",
    "name",
    "holder",
    "company_reg_no",
    "city",
    "activity_label",
    "year",
    "verified_t",
    "free_allocation_t",
    "status",
    "compliance_code",
    "source",
]
ASSIGNMENT_COLUMN_NAMES = [
    "installation_id",
    "name",
    "holder",
    "city",
    "postcode",
    "activity_code",
    "sector",
    "municipality",
    "municipality_code",
    "corop",
    "province",
    "cluster",
    "basis",
    "latitude",
    "longitude",
    "corop_at_coordinates",
]
CLUSTER_COLUMN_NAMES = [
    "year",
    "cluster",
    "verified_t",
    "installations",
    "free_allocation_t",
    "coverage",
]
TARGET_ASSESSMENT_COLUMN_NAMES = [
    "target",
    "scope",
    "baseline_year",
    "baseline_t",
    "target_year",
    "target_t",
    "latest_year",
    "latest_t",
    "achieved_pace_t",
    "required_pace_t",
    "projected_t",
    "gap_t",
    "target_status",
    "source",
]
TRAJECTORY_COLUMN_NAMES = ["target", "year", "verified_t", "path_t", "coverage"]
COST_COLUMN_NAMES = [
    "country",
    "year",
    "band",
    "commodity_eur_mwh",
    "supply_network_other_eur_mwh",
    "taxes_levies_eur_mwh",
    "adjustments_eur_mwh",
    "ikc_eur_mwh",
    "total_eur_mwh",
    "total_eur_year",
    "eurostat_flags",
]
GAP_COLUMN_NAMES = [
    "year",
    "country",
    "component",
    "reference_eur_mwh",
    "country_eur_mwh",
    "gap_eur_mwh",
]
FIGURE_COLUMN_NAMES = [
    "instrument",
    "instrument_name",
    "round",
    "figure",
    "amount_eur",
    "per_year",
    "years",
    "recipient",
    "source",
]
OVERSUBSCRIPTION_COLUMN_NAMES = [
    "instrument",
    "round",
    "budget_eur",
    "requested_eur",
    "awarded_eur",
    "oversubscription",
]
KPI_COLUMN_NAMES = [
    "kpi",
    "kpi_name",
    "kpi_unit",
    "latest_year",
    "latest_value",
    "target_low",
    "target_high",
    "target_year",
    "kpi_status",
    "target_source",
    "series_source",
]
KPI_SERIES_COLUMN_NAMES = ["kpi", "year", "value"]
EFFECT_COLUMN_NAMES = [
    "country",
    "year",
    "total_eur_mwh",
    "scenario_total_eur_mwh",
    "scenario_change_eur_mwh",
    "scenario_change_eur_year",
]
COMPANY_COLUMN_NAMES = [
    "company",
    "year",
    "verified_t",
    "free_allocation_t",
    "installations",
    "coverage",
]
COMPANY_SUMMARY_COLUMN_NAMES = ["company", "stage", "holders", "installations_found", "note"]
GROUP_COLUMN_NAMES = ["year", "group", "verified_t", "free_allocation_t", "installations"]
TOTAL_COLUMNS = tuple(COLUMNS[c] for c in TOTAL_COLUMN_NAMES)
INSTALLATION_COLUMNS = tuple(COLUMNS[c] for c in INSTALLATION_COLUMN_NAMES)
ASSIGNMENT_COLUMNS = tuple(COLUMNS[c] for c in ASSIGNMENT_COLUMN_NAMES)
CLUSTER_COLUMNS = tuple(COLUMNS[c] for c in CLUSTER_COLUMN_NAMES)
TARGET_ASSESSMENT_COLUMNS = tuple(COLUMNS[c] for c in TARGET_ASSESSMENT_COLUMN_NAMES)
TRAJECTORY_COLUMNS = tuple(COLUMNS[c] for c in TRAJECTORY_COLUMN_NAMES)
COST_COLUMNS = tuple(COLUMNS[c] for c in COST_COLUMN_NAMES)
GAP_COLUMNS = tuple(COLUMNS[c] for c in GAP_COLUMN_NAMES)
GROUP_COLUMNS = tuple(COLUMNS[c] for c in GROUP_COLUMN_NAMES)
COMPANY_COLUMNS = tuple(COLUMNS[c] for c in COMPANY_COLUMN_NAMES)
COMPANY_SUMMARY_COLUMNS = tuple(COLUMNS[c] for c in COMPANY_SUMMARY_COLUMN_NAMES)
EFFECT_COLUMNS = tuple(COLUMNS[c] for c in EFFECT_COLUMN_NAMES)
FIGURE_COLUMNS = tuple(COLUMNS[c] for c in FIGURE_COLUMN_NAMES)
OVERSUBSCRIPTION_COLUMNS = tuple(COLUMNS[c] for c in OVERSUBSCRIPTION_COLUMN_NAMES)
KPI_COLUMNS = tuple(COLUMNS[c] for c in KPI_COLUMN_NAMES)
KPI_SERIES_COLUMNS = tuple(COLUMNS[c] for c in KPI_SERIES_COLUMN_NAMES)

RESULTS = (
    ResultTable(
        "industry_emissions_by_year",
        "EU ETS verified emissions and number of installations per year of one registry "
        "(stationary installations; aircraft operators apart) (ketenradar industry emissions)",
        TOTAL_COLUMNS,
    ),
    ResultTable(
        "industry_emissions_by_installation",
        "Verified emissions, free allocation and status per installation and year "
        "(ketenradar industry emissions --by installation)",
        INSTALLATION_COLUMNS,
    ),
    ResultTable(
        "industry_clusters",
        "Verified emissions, installations and free allocation per industrial cluster and "
        "year (the five clusters, cluster 6, unassigned) (ketenradar industry clusters)",
        CLUSTER_COLUMNS,
    ),
    ResultTable(
        "industry_cluster_installations",
        "Every stationary Dutch ETS installation with its municipality, COROP region, "
        "province, sector and cluster and the basis (ketenradar industry clusters --table "
        "installations; --table unassigned: those not located, with the reason)",
        ASSIGNMENT_COLUMNS,
    ),
    ResultTable(
        "industry_targets",
        "Dutch ETS emissions against each target of the targets file: base, target level, "
        "latest complete year, achieved and required pace, projection, gap and status "
        "(ketenradar industry targets)",
        TARGET_ASSESSMENT_COLUMNS,
    ),
    ResultTable(
        "industry_target_trajectory",
        "Per target and year: the verified emissions of its scope beside the straight path "
        "from the base year to the target (ketenradar industry targets --table trajectory)",
        TRAJECTORY_COLUMNS,
    ),
    ResultTable(
        "industry_costs",
        "Speelveldtoets: the electricity cost stack of a consumer profile per country and "
        "year (commodity, supply/network/other, taxes and levies, adjustments, indirect cost "
        "compensation; EUR/MWh and EUR a year) (ketenradar industry costs)",
        COST_COLUMNS,
    ),
    ResultTable(
        "industry_cost_gaps",
        "Speelveldtoets: the reference country's cost minus each neighbour's per year and "
        "component (ketenradar industry costs --table gaps)",
        GAP_COLUMNS,
    ),
    ResultTable(
        "industry_instruments",
        "Subsidy instruments the letters name: budgets, requests, awards and reservations per "
        "round, each with its source (ketenradar industry instruments)",
        FIGURE_COLUMNS,
    ),
    ResultTable(
        "industry_instrument_oversubscription",
        "Per instrument round with a budget: requested over budget (ketenradar industry "
        "instruments --table oversubscription)",
        OVERSUBSCRIPTION_COLUMNS,
    ),
    ResultTable(
        "industry_kpis",
        "The industrial-policy KPIs of letter 003: the latest value beside the target and its "
        "source, with the status (ketenradar industry kpis)",
        KPI_COLUMNS,
    ),
    ResultTable(
        "industry_kpi_series",
        "The KPIs' series per year (ketenradar industry kpis --table series)",
        KPI_SERIES_COLUMNS,
    ),
    ResultTable(
        "industry_cost_scenario_effect",
        "Speelveldtoets scenario: the cost per MWh per country and year without and with the "
        "scenario, and the change (ketenradar industry costs --scenario FILE --table effect)",
        EFFECT_COLUMNS,
    ),
    ResultTable(
        "industry_companies",
        "The maatwerk companies of letter 002: verified emissions, free allocation and "
        "installations per company and year (ketenradar industry companies)",
        COMPANY_COLUMNS,
    ),
    ResultTable(
        "industry_company_holders",
        "The maatwerk companies, their agreement and the EUTL holders counted as theirs "
        "(ketenradar industry companies --table companies)",
        COMPANY_SUMMARY_COLUMNS,
    ),
    ResultTable(
        "industry_emissions_by_group",
        "Verified emissions, free allocation and installations per sector or holder (company) "
        "and year (ketenradar industry emissions --by sector|holder)",
        GROUP_COLUMNS,
    ),
)
