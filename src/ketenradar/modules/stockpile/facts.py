"""The stockpile planner's tables computed on request and their column schema (names, label
message keys, units and meanings): the plan (``ketenradar stockpile plan``). Imports only the
kernel, so declaring the module (``__init__.py``) stays light."""

from __future__ import annotations

from ketenradar.core.modules import Column, ResultTable
from ketenradar.core.results import COLUMNS as SHARED
from ketenradar.core.results import schema

#: The planner's column vocabulary: one definition and label per quantity
#: (docs/methods/stockpile.md, "The plan").
COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column(
            "item",
            "stockpile_item",
            "",
            "Material id of the vocabulary, HS6 code, or BOM component (bom/component)",
        ),
        Column("name", "stockpile_name", "", "The item's name"),
        Column("item_kind", "stockpile_item_kind", "", "material, product or component"),
        Column(
            "annual_demand_t",
            "stockpile_annual_demand_t",
            "t",
            "Annual demand, tonnes a year: apparent consumption, net imports or the user's "
            "value (see demand_source)",
        ),
        Column(
            "demand_source",
            "stockpile_demand_source",
            "",
            "apparent_consumption, net_imports (production unknown), user or none",
        ),
        Column(
            "import_reliance",
            "stockpile_import_reliance",
            "share 0–1",
            "(imports − exports) / apparent consumption, clipped to 0 (EU method); empty "
            "when production is unknown",
        ),
        Column(
            "top_supplier",
            "stockpile_top_supplier",
            "",
            "The largest supplier of the importer's imports by value (ISO3)",
        ),
        Column(
            "top_supplier_share",
            "stockpile_top_supplier_share",
            "share 0–1",
            "Its share of the import value",
        ),
        Column(
            "exposure",
            "stockpile_exposure",
            "share 0–1",
            "Share of annual demand delivered by suppliers outside the importer: Σ over "
            "suppliers of quantity share × import reliance",
        ),
        Column(
            "p_shortfall",
            "stockpile_p_shortfall",
            "share 0–1",
            "Share of the simulated paths with any shortfall over the horizon (no stock)",
        ),
        Column(
            "commercial_stock_t",
            "stockpile_commercial_stock_t",
            "t",
            "Stocks firms already hold (input commercial_stock_days), tonnes",
        ),
        Column(
            "stock_t",
            "stockpile_stock_t",
            "t",
            "Strategic stock for the service level, on top of the commercial stock, tonnes",
        ),
        Column(
            "days_of_cover",
            "stockpile_days_of_cover",
            "days",
            "The strategic stock in days of demand: stock / annual demand × 365",
        ),
        Column(
            "build_cost_eur",
            "stockpile_build_cost_eur",
            "EUR",
            "Euros to build the strategic stock: tonnes × price",
        ),
        Column(
            "holding_cost_eur_per_year",
            "stockpile_holding_cost_eur_per_year",
            "EUR/year",
            "Euros a year to hold it: tonnes × (price × (discount + insurance rate) + storage)",
        ),
        Column(
            "service_level",
            "stockpile_service_level",
            "share 0–1",
            "The service level asked: the share of paths on which the stocks serve all demand "
            "the release rule releases (default: all demand)",
        ),
        Column(
            "service_level_achieved",
            "stockpile_service_level_achieved",
            "share 0–1",
            "The share of simulated paths on which the commercial and strategic stock serve "
            "all the release rule releases (at least the level asked; with the default rule, "
            "all demand)",
        ),
        Column(
            "expected_unserved_t_without",
            "stockpile_expected_unserved_t_without",
            "t",
            "Expected unserved demand over the horizon without the strategic stock (with the "
            "commercial stock), tonnes",
        ),
        Column(
            "expected_unserved_t_with",
            "stockpile_expected_unserved_t_with",
            "t",
            "Expected unserved demand over the horizon with the strategic stock, tonnes",
        ),
        Column(
            "newsvendor_stock_t",
            "stockpile_newsvendor_stock_t",
            "t",
            "Cost-optimal strategic stock x* = F⁻¹(c_u / (c_u + c_o)) when a shortage cost "
            "is given, on top of the commercial stock, tonnes",
        ),
        Column(
            "anchor_iea_90d_t",
            "stockpile_anchor_iea_90d_t",
            "t",
            "Rule-of-thumb anchor: 90 days of net imports (IEA oil stocks), net imports = "
            "annual demand × import reliance (1 when demand is net imports), tonnes",
        ),
        Column(
            "anchor_jogmec_60d_t",
            "stockpile_anchor_jogmec_60d_t",
            "t",
            "Rule-of-thumb anchor: 60 days of demand (Japan's JOGMEC rare-metal stocks), tonnes",
        ),
        Column(
            "anchor_komir_100d_t",
            "stockpile_anchor_komir_100d_t",
            "t",
            "Rule-of-thumb anchor: 100 days of demand (Korea's KOMIR rare-metal stocks), tonnes",
        ),
        Column(
            "anchor_jogmec_180d_t",
            "stockpile_anchor_jogmec_180d_t",
            "t",
            "Rule-of-thumb anchor: 180 days of demand (JOGMEC, metals of high geopolitical "
            "risk), tonnes",
        ),
        Column(
            "price_eur_per_t",
            "stockpile_price_eur_per_t",
            "EUR/t",
            "Price, euros per tonne (BACI unit values, or the user's price)",
        ),
        Column(
            "form",
            "stockpile_form",
            "",
            "Advised form of the stock: public, public_private or private",
        ),
        Column(
            "form_reasons",
            "stockpile_form_reasons",
            "",
            "Every reason of the advice, in the rule table's order, ' | '-separated",
        ),
        Column(
            "note",
            "stockpile_note",
            "",
            "What is missing or assumed for this row (why numbers are empty)",
        ),
    )
}

#: The columns of the plan, in order.
PLAN_COLUMN_NAMES = [
    "item",
    "name",
    "item_kind",
    "importer",
    "year",
    "annual_demand_t",
    "demand_source",
    "import_reliance",
    "top_supplier",
    "top_supplier_share",
    "exposure",
    "p_shortfall",
    "commercial_stock_t",
    "stock_t",
    "days_of_cover",
    "build_cost_eur",
    "holding_cost_eur_per_year",
    "service_level",
    "service_level_achieved",
    "expected_unserved_t_without",
    "expected_unserved_t_with",
    "newsvendor_stock_t",
    "anchor_iea_90d_t",
    "anchor_jogmec_60d_t",
    "anchor_komir_100d_t",
    "anchor_jogmec_180d_t",
    "price_eur_per_t",
    "form",
    "form_reasons",
    "note",
]

#: The plan's column schema.
PLAN_COLUMNS = schema("stockpile_plan", PLAN_COLUMN_NAMES, COLUMNS, SHARED)

#: The tables the module computes on request (``Module.results``; docs/results.md).
RESULTS = (
    ResultTable(
        "stockpile_plan",
        "one row per item: the strategic stock for a service level under a disruption "
        "scenario, in tonnes, days of cover and euros, expected unserved demand with and "
        "without it, and the advised form (`ketenradar stockpile plan`, "
        "`ketenradar.modules.stockpile.api.plan`)",
        PLAN_COLUMNS,
    ),
)
