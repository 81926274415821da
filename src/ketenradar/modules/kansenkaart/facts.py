"""The kansenkaart's tables computed on request and their column schema (names, label message
keys, units and meanings): the demand per work package and year and the accounts it comes
from (``ketenradar kansenkaart demand``). Imports only the kernel."""

from __future__ import annotations

from ketenradar.core.modules import Column, ResultTable

_MONEY = "currency of column currency"

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
)
