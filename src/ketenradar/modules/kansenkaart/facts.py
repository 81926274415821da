"""The kansenkaart's tables computed on request and their column schema (names, label message
keys, units and meanings): the demand per work package and year and the accounts it comes
from (``ketenradar kansenkaart demand``). Imports only the kernel."""

from __future__ import annotations

from ketenradar.core.modules import Column, ResultTable

_MONEY = "currency"  #: in the currency the row's `currency` column names

#: One definition and label per quantity (docs/methods/kansenkaart.md, "Results").
COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column("unit", "kansenkaart_unit", "", "The reactor unit of the programme"),
        Column("design", "kansenkaart_design", "", "Reference design id of the unit"),
        Column("site", "kansenkaart_site", "", "Site of the unit (as the scenario gives it)"),
        Column(
            "work_package",
            "kansenkaart_work_package",
            "",
            "Work package of the taxonomy (data/work_packages.yaml)",
        ),
        Column(
            "work_package_name",
            "kansenkaart_work_package_name",
            "",
            "Name of the work package (English; Dutch in the web pages)",
        ),
        Column("year", "kansenkaart_year", "", "Calendar year of the spending"),
        Column(
            "factory_equipment",
            "kansenkaart_factory_equipment",
            _MONEY,
            "Factory equipment cost (made off site)",
        ),
        Column("site_labour", "kansenkaart_site_labour", _MONEY, "Site labour cost"),
        Column("site_material", "kansenkaart_site_material", _MONEY, "Site material cost"),
        Column(
            "unallocated",
            "kansenkaart_unallocated",
            _MONEY,
            "Cost the source splits into no element (pre-construction, indirect and owner's "
            "costs) and differences between a source row's total and its elements",
        ),
        Column("total", "kansenkaart_total", _MONEY, "Total cost: the sum of the elements"),
        Column(
            "site_labour_hours",
            "kansenkaart_site_labour_hours",
            "hours",
            "Site labour hours (empty where the source has none)",
        ),
        Column(
            "currency",
            "kansenkaart_currency",
            "",
            "Currency and price year of the amounts (USD2018: the source's; EUR2024: euros of "
            "2024)",
        ),
        Column("account", "kansenkaart_account", "", "Code of account as the source writes it"),
        Column("parent", "kansenkaart_parent", "", "The account it is part of"),
        Column("level", "kansenkaart_level", "", "Depth in the account tree (0 = top)"),
        Column("description", "kansenkaart_description", "", "The source's account title"),
        Column(
            "nqa1",
            "kansenkaart_nqa1",
            "",
            "EEDB NQA-1 flag (1 safety-related, 0 not; empty where the source has none)",
        ),
        Column("leaf", "kansenkaart_leaf", "", "True: the account carries amounts itself"),
        Column(
            "source_total",
            "kansenkaart_source_total",
            "source currency",
            "The source table's total of the account (its own currency, price year and size)",
        ),
        Column(
            "excluded",
            "kansenkaart_excluded",
            "",
            "Why a source account is outside the source's totals (empty: included)",
        ),
    )
}

DEMAND_COLUMN_NAMES = [
    "unit",
    "design",
    "site",
    "work_package",
    "work_package_name",
    "year",
    "factory_equipment",
    "site_labour",
    "site_material",
    "unallocated",
    "total",
    "site_labour_hours",
    "currency",
]
ACCOUNT_COLUMN_NAMES = [
    "unit",
    "design",
    "account",
    "parent",
    "level",
    "description",
    "nqa1",
    "leaf",
    "work_package",
    "source_total",
    "factory_equipment",
    "site_labour",
    "site_material",
    "unallocated",
    "total",
    "site_labour_hours",
    "currency",
    "excluded",
]
#: The requirements tables (``ketenradar kansenkaart requirements``, issue 17 item 3).
REQUIREMENT_COLUMNS_BY_NAME: dict[str, Column] = {
    c.name: c
    for c in (
        Column(
            "safety_class",
            "kansenkaart_safety_class",
            "",
            "The requirements table's judgement: safety_related, partly_safety_related or "
            "not_safety_related",
        ),
        Column(
            "nqa1_share",
            "kansenkaart_nqa1_share",
            "share 0–1",
            "Share of the work package's cost (TIMCAT PWR12 median experience, reference "
            "unit) in accounts the EEDB flags NQA-1, of the cost with a flag (empty: no flag "
            "in the data)",
        ),
        Column(
            "flag_coverage",
            "kansenkaart_flag_coverage",
            "share 0–1",
            "Share of the work package's cost whose accounts carry an NQA-1 flag (own or "
            "nearest ancestor's)",
        ),
        Column("safety_basis", "kansenkaart_safety_basis", "", "Why the safety class"),
        Column(
            "certificates",
            "kansenkaart_certificates",
            "",
            "The certificates, codes and qualifications asked (ids of the certificates table)",
        ),
        Column("certificate", "kansenkaart_certificate", "", "Certificate id"),
        Column("certificate_name", "kansenkaart_certificate_name", "", "What is held or shown"),
        Column(
            "applies_to", "kansenkaart_applies_to", "", "Which suppliers or parts it is asked of"
        ),
        Column(
            "origins",
            "kansenkaart_origins",
            "",
            "The design origins it is asked for (US, FR, DE); empty: every origin",
        ),
        Column(
            "basis",
            "kansenkaart_basis",
            "",
            "Why it is asked ('project judgement' where it is the project's own)",
        ),
        Column("standard", "kansenkaart_standard", "", "Title of the standard or law (the source)"),
        Column(
            "kind",
            "kansenkaart_certificate_kind",
            "",
            "certificate, code (compliance shown per order), personnel or screening",
        ),
        Column("issuing_body", "kansenkaart_issuing_body", "", "Who issues or checks it"),
        Column("months_low", "kansenkaart_months_low", "months", "Time to obtain, low"),
        Column("months_high", "kansenkaart_months_high", "months", "Time to obtain, high"),
        Column("cost_eur_low", "kansenkaart_cost_eur_low", "EUR", "Cost to obtain, low"),
        Column("cost_eur_high", "kansenkaart_cost_eur_high", "EUR", "Cost to obtain, high"),
        Column(
            "figures",
            "kansenkaart_figures",
            "",
            "Source of the time and cost ('project estimate': the project's own rough estimate)",
        ),
    )
}
#: The SMR energy fit (``ketenradar kansenkaart smr-fit``, issue 17 item 7).
SMR_COLUMNS_BY_NAME: dict[str, Column] = {
    c.name: c
    for c in (
        Column("cluster", "kansenkaart_cluster", "", "Industrial cluster (as the input gives it)"),
        Column(
            "temperature_c",
            "kansenkaart_temperature_c",
            "°C",
            "Temperature level of the heat demand",
        ),
        Column("heat_mw", "kansenkaart_heat_mw", "MW", "Heat demand as an average power"),
        Column("design", "kansenkaart_smr_design", "", "SMR design id (data/smr_designs.yaml)"),
        Column("design_name", "kansenkaart_smr_design_name", "", "SMR design name"),
        Column("outlet_c", "kansenkaart_outlet_c", "°C", "Reactor outlet temperature"),
        Column(
            "usable_c",
            "kansenkaart_usable_c",
            "°C",
            "Highest demand temperature served: outlet temperature minus the margin",
        ),
        Column(
            "fits",
            "kansenkaart_fits",
            "",
            "True: usable temperature >= demand temperature (empty: no outlet temperature)",
        ),
        Column(
            "units_needed",
            "kansenkaart_units_needed",
            "count",
            "Units to cover the heat demand: heat demand / thermal output, rounded up",
        ),
        Column("thermal_mwt", "kansenkaart_thermal_mwt", "MWt", "Thermal output of one unit"),
        Column("electric_mwe", "kansenkaart_electric_mwe", "MWe", "Electric output of one unit"),
        Column(
            "unverified",
            "kansenkaart_unverified",
            "",
            "The design's figures not checked against their source",
        ),
        Column("reason", "kansenkaart_reason", "", "The fit rule applied"),
    )
}
WORK_PACKAGE_REQUIREMENT_NAMES = [
    "work_package",
    "work_package_name",
    "safety_class",
    "nqa1_share",
    "flag_coverage",
    "safety_basis",
    "certificates",
]
REQUIREMENT_NAMES = [
    "work_package",
    "work_package_name",
    "safety_class",
    "certificate",
    "certificate_name",
    "applies_to",
    "origins",
    "basis",
    "standard",
]
CERTIFICATE_NAMES = [
    "certificate",
    "certificate_name",
    "kind",
    "standard",
    "issuing_body",
    "months_low",
    "months_high",
    "cost_eur_low",
    "cost_eur_high",
    "figures",
]
SMR_FIT_NAMES = list(SMR_COLUMNS_BY_NAME)


def _col(name: str) -> Column:
    return COLUMNS.get(name) or REQUIREMENT_COLUMNS_BY_NAME[name]


WORK_PACKAGE_REQUIREMENT_COLUMNS = tuple(_col(c) for c in WORK_PACKAGE_REQUIREMENT_NAMES)
REQUIREMENT_COLUMNS = tuple(_col(c) for c in REQUIREMENT_NAMES)
CERTIFICATE_COLUMNS = tuple(_col(c) for c in CERTIFICATE_NAMES)
SMR_FIT_COLUMNS = tuple(SMR_COLUMNS_BY_NAME[c] for c in SMR_FIT_NAMES)
DEMAND_COLUMNS = tuple(COLUMNS[c] for c in DEMAND_COLUMN_NAMES)
ACCOUNT_COLUMNS = tuple(COLUMNS[c] for c in ACCOUNT_COLUMN_NAMES)

RESULTS = (
    ResultTable(
        "kansenkaart_demand",
        "Demand of a reactor programme per unit, work package and year: cost elements in the "
        "chosen currency and site labour hours (ketenradar kansenkaart demand)",
        DEMAND_COLUMNS,
    ),
    ResultTable(
        "kansenkaart_accounts",
        "The cost accounts behind the demand, per unit at every account level, next to the "
        "source table's amounts (ketenradar kansenkaart demand --table accounts)",
        ACCOUNT_COLUMNS,
    ),
    ResultTable(
        "kansenkaart_work_package_requirements",
        "Per work package: the requirements table's safety class next to the share of its "
        "cost in NQA-1 accounts, and the certificates asked (ketenradar kansenkaart "
        "requirements --table work_packages)",
        WORK_PACKAGE_REQUIREMENT_COLUMNS,
    ),
    ResultTable(
        "kansenkaart_requirements",
        "The codes, standards, qualifications and screenings asked per work package, with "
        "their source (ketenradar kansenkaart requirements)",
        REQUIREMENT_COLUMNS,
    ),
    ResultTable(
        "kansenkaart_certificates",
        "Certificates with issuing body and typical time and cost to obtain (the project's "
        "own rough estimates) (ketenradar kansenkaart requirements --table certificates)",
        CERTIFICATE_COLUMNS,
    ),
    ResultTable(
        "kansenkaart_smr_fit",
        "Which SMR designs could serve which cluster heat demand at which temperature, and "
        "the units needed (ketenradar kansenkaart smr-fit)",
        SMR_FIT_COLUMNS,
    ),
)

#: Matching and localisation (``ketenradar kansenkaart match|supplier-fit|localisation``,
#: issue 17 item 6; docs/methods/kansenkaart.md, "Matching and localisation").
MATCH_COLUMNS_BY_NAME: dict[str, Column] = {
    c.name: c
    for c in (
        Column("supplier_id", "kansenkaart_supplier_id", "", "Supplier id in the registry"),
        Column("supplier", "kansenkaart_supplier", "", "Supplier name"),
        Column("province", "kansenkaart_province", "", "Province of the supplier"),
        Column(
            "status",
            "kansenkaart_match_status",
            "",
            "qualified_now (capability and every certificate asked held at the reference "
            "date) or after_gaps (capability or ambition; certificates missing)",
        ),
        Column(
            "readiness",
            "kansenkaart_readiness",
            "",
            "Readiness level 1–4: 1 ambition only, 2 capability without the certificates "
            "asked, 3 capability with some, 4 qualified now (the project's own scale)",
        ),
        Column("readiness_name", "kansenkaart_readiness_name", "", "Name of the readiness level"),
        Column("basis", "kansenkaart_match_basis", "", "capability or ambition"),
        Column(
            "from_year",
            "kansenkaart_from_year",
            "",
            "Year from which the supplier wants the work package (ambitions only)",
        ),
        Column("missing", "kansenkaart_missing", "", "Certificates asked but not held"),
        Column("missing_count", "kansenkaart_missing_count", "count", "How many are missing"),
        Column(
            "gap_months_low",
            "kansenkaart_gap_months_low",
            "months",
            "Time to obtain the missing certificates, low (in parallel: the longest)",
        ),
        Column(
            "gap_months_high",
            "kansenkaart_gap_months_high",
            "months",
            "Time to obtain the missing certificates, high (in parallel: the longest)",
        ),
        Column(
            "gap_cost_eur_low",
            "kansenkaart_gap_cost_eur_low",
            "EUR",
            "Cost to obtain the missing certificates, low (summed)",
        ),
        Column(
            "gap_cost_eur_high",
            "kansenkaart_gap_cost_eur_high",
            "EUR",
            "Cost to obtain the missing certificates, high (summed)",
        ),
        Column(
            "earliest_year",
            "kansenkaart_earliest_year",
            "",
            "Earliest year the supplier could qualify: the reference year when qualified now, "
            "else the later of its ambition's year and the gaps closed (high estimate)",
        ),
        Column(
            "qualified_now",
            "kansenkaart_qualified_now",
            "count",
            "Suppliers qualified now",
        ),
        Column(
            "after_gaps",
            "kansenkaart_after_gaps",
            "count",
            "Suppliers qualified after closing their gaps (those qualified now included)",
        ),
        Column(
            "demand_eur",
            "kansenkaart_demand_eur",
            "EUR",
            "Demand of the programme (empty: no demand given, every work package counts)",
        ),
        Column(
            "bottleneck",
            "kansenkaart_bottleneck",
            "",
            "True: demand but fewer qualified suppliers now than the minimum (default 2)",
        ),
    )
}
#: The columns of ``kansenkaart match``'s ``regions`` table (see matching.by_region).
REGION_COLUMNS = (
    Column(
        "region",
        "kansenkaart_region",
        "",
        "The region: a province's CBS name or a COROP region's CBS code (empty: no location)",
    ),
    Column("region_name", "kansenkaart_region_name", "", "The region's name"),
    Column("suppliers", "kansenkaart_region_suppliers", "count", "Suppliers located there"),
    Column(
        "candidates",
        "kansenkaart_candidates",
        "count",
        "Suppliers there with a capability or an ambition in the work packages matched",
    ),
    Column(
        "qualified_now",
        "kansenkaart_region_qualified_now",
        "count",
        "Suppliers there qualified now for at least one of the work packages matched",
    ),
    Column(
        "after_gaps",
        "kansenkaart_region_after_gaps",
        "count",
        "Suppliers there qualified now or after closing gaps for at least one (all candidates)",
    ),
    Column(
        "best_readiness",
        "kansenkaart_best_readiness",
        "",
        "The highest readiness level (1–4) of a supplier there",
    ),
)
MATCH_NAMES = [
    "work_package",
    "work_package_name",
    "supplier_id",
    "supplier",
    "province",
    "status",
    "readiness",
    "readiness_name",
    "basis",
    "from_year",
    "missing",
    "missing_count",
    "gap_months_low",
    "gap_months_high",
    "gap_cost_eur_low",
    "gap_cost_eur_high",
]
MATCH_SUMMARY_NAMES = [
    "work_package",
    "work_package_name",
    "certificates",
    "qualified_now",
    "after_gaps",
    "demand_eur",
    "bottleneck",
]
SUPPLIER_FIT_NAMES = [*MATCH_NAMES, "earliest_year"]


def _match_col(name: str) -> Column:
    return MATCH_COLUMNS_BY_NAME.get(name) or _col(name)


MATCH_COLUMNS = tuple(_match_col(c) for c in MATCH_NAMES)
MATCH_SUMMARY_COLUMNS = tuple(_match_col(c) for c in MATCH_SUMMARY_NAMES)
SUPPLIER_FIT_COLUMNS = tuple(_match_col(c) for c in SUPPLIER_FIT_NAMES)

RESULTS = (
    *RESULTS,
    ResultTable(
        "kansenkaart_match",
        "Per work package the suppliers that qualify now and those that would after closing "
        "their gaps, with the readiness level and the time and cost of the gaps (ketenradar "
        "kansenkaart match)",
        MATCH_COLUMNS,
    ),
    ResultTable(
        "kansenkaart_match_summary",
        "Per work package the number of suppliers qualified now and after closing gaps, and "
        "whether it is a bottleneck (ketenradar kansenkaart match --table work_packages)",
        MATCH_SUMMARY_COLUMNS,
    ),
    ResultTable(
        "kansenkaart_match_regions",
        "Per province or COROP region the suppliers located there, those with a capability "
        "or ambition in the work packages matched and those qualified now or after closing "
        "gaps (ketenradar kansenkaart match --table regions)",
        REGION_COLUMNS,
    ),
    ResultTable(
        "kansenkaart_supplier_fit",
        "What one supplier could supply, from when, and what it lacks (ketenradar "
        "kansenkaart supplier-fit)",
        SUPPLIER_FIT_COLUMNS,
    ),
)

#: Localisation (``ketenradar kansenkaart localisation``).
LOCALISATION_COLUMNS_BY_NAME: dict[str, Column] = {
    c.name: c
    for c in (
        Column(
            "kind",
            "kansenkaart_localisation_kind",
            "",
            "computed (the project's computation on the registry), published target (an "
            "anchor, with its source) or ACCERT/IAT assumption (reference scenario)",
        ),
        Column("label", "kansenkaart_localisation_label", "", "What the share is"),
        Column(
            "share",
            "kansenkaart_localisation_share",
            "share 0–1",
            "Localisation share (published targets: the lower bound; empty: none given)",
        ),
        Column(
            "share_high",
            "kansenkaart_localisation_share_high",
            "share 0–1",
            "Upper bound of a published target ('up to'); empty: none given",
        ),
        Column(
            "localisable_eur",
            "kansenkaart_localisable_eur",
            "EUR",
            "Demand in work packages Dutch suppliers could deliver (computed rows)",
        ),
        Column("source", "kansenkaart_localisation_source", "", "Source of the figure"),
        Column("country", "kansenkaart_country", "", "Country of the ACCERT/IAT assumptions"),
        Column(
            "cost_share",
            "kansenkaart_cost_share",
            "share 0–1",
            "The work package's share of the plant's cost in the ACCERT/IAT file",
        ),
        Column(
            "domestic_share",
            "kansenkaart_domestic_share",
            "share 0–1",
            "Share of that cost the ACCERT/IAT assumptions make domestic",
        ),
    )
}
LOCALISATION_NAMES = ["kind", "label", "share", "share_high", "demand_eur", "localisable_eur"]
LOCALISATION_NAMES += ["source"]
ACCERT_LOCALISATION_NAMES = ["country", "work_package", "cost_share", "domestic_share"]


def _loc_col(name: str) -> Column:
    return LOCALISATION_COLUMNS_BY_NAME.get(name) or _match_col(name)


LOCALISATION_COLUMNS = tuple(_loc_col(c) for c in LOCALISATION_NAMES)
ACCERT_LOCALISATION_COLUMNS = tuple(_loc_col(c) for c in ACCERT_LOCALISATION_NAMES)

RESULTS = (
    *RESULTS,
    ResultTable(
        "kansenkaart_localisation",
        "Localisation share of a programme's demand (Dutch suppliers now and after closing "
        "gaps) next to published targets and the ACCERT/IAT assumptions (ketenradar "
        "kansenkaart localisation)",
        LOCALISATION_COLUMNS,
    ),
    ResultTable(
        "kansenkaart_accert_localisation",
        "The ACCERT/IAT large-reactor localisation assumptions per country and work package "
        "(ketenradar kansenkaart localisation --table accert)",
        ACCERT_LOCALISATION_COLUMNS,
    ),
)
