"""The column schemas of ``ketenradar stockpile simulate``, ``portfolio`` and ``pool`` (tables
computed on request; ``docs/results.md``). The columns the plan shares keep its definitions
(:data:`ketenradar.modules.stockpile.facts.COLUMNS`); ``"<table>.<column>"`` keys give a
column a narrower definition in one table. Imports only the kernel."""

from __future__ import annotations

from ketenradar.core.modules import Column, ResultTable
from ketenradar.core.results import COLUMNS as SHARED
from ketenradar.core.results import schema
from ketenradar.modules.stockpile.facts import COLUMNS as PLAN_VOCABULARY

SIMULATE_SUMMARY = "stockpile_simulate_summary"
SIMULATE_FAN = "stockpile_simulate_fan"
SIMULATE_SERVICE_CURVE = "stockpile_simulate_service_curve"
PORTFOLIO = "stockpile_portfolio"
PORTFOLIO_TOTALS = "stockpile_portfolio_totals"
POOL = "stockpile_pool"
POOL_GAIN = "stockpile_pool_gain"
POOL_CORRELATION = "stockpile_pool_correlation_curve"

_C = Column
_ENTRIES: tuple[Column, ...] = (
    _C(
        "p_unserved_with",
        "stockpile_p_unserved_with",
        "share 0–1",
        "Share of the simulated paths with unserved demand despite the stocks (commercial "
        "and strategic)",
    ),
    _C(
        "p_stock_emptied",
        "stockpile_p_stock_emptied",
        "share 0–1",
        "Share of the simulated paths on which the stocks run out within the horizon",
    ),
    _C(
        "median_days_to_empty",
        "stockpile_median_days_to_empty",
        "days",
        "Median days from the first release until the stocks are empty, over the paths "
        "on which they run out",
    ),
    _C("month", "stockpile_month", "", "Month of the horizon, 1 = the first"),
    _C(
        "percentile",
        "stockpile_percentile",
        "",
        "Percentile over the simulated paths (5, 25, 50, 75, 95)",
    ),
    _C(
        "shortfall_t",
        "stockpile_shortfall_t",
        "t",
        "Shortfall in the month without any stock at that percentile, tonnes (share of "
        "monthly demand × annual demand / 12)",
    ),
    _C(
        "unserved_with_stock_t",
        "stockpile_unserved_with_stock_t",
        "t",
        "Unserved demand in the month with the commercial and strategic stock at that "
        "percentile, tonnes",
    ),
    _C(
        "mean_shortfall_t",
        "stockpile_mean_shortfall_t",
        "t",
        "Mean shortfall in the month without any stock over all paths, tonnes",
    ),
    _C(
        "mean_unserved_with_stock_t",
        "stockpile_mean_unserved_with_stock_t",
        "t",
        "Mean unserved demand in the month with the stocks over all paths, tonnes",
    ),
    _C(
        f"{SIMULATE_SUMMARY}.expected_unserved_t_without",
        "stockpile_expected_unserved_t_without",
        "t",
        "Expected shortfall over the horizon without any stock (neither commercial nor "
        "strategic), tonnes",
    ),
    _C(
        f"{SIMULATE_SUMMARY}.expected_unserved_t_with",
        "stockpile_expected_unserved_t_with",
        "t",
        "Expected unserved demand over the horizon with the commercial and strategic stock, tonnes",
    ),
    _C(
        f"{SIMULATE_SUMMARY}.stock_t",
        "stockpile_stock_t",
        "t",
        "Strategic stock simulated, on top of the commercial stock: the plan's stock for "
        "the service level, or the days given (stock_days), tonnes",
    ),
    _C(
        f"{SIMULATE_SERVICE_CURVE}.stock_t",
        "stockpile_stock_t",
        "t",
        "Strategic stock this service level asks for, on top of the commercial stock, "
        "tonnes (the plan's stock_t at that level)",
    ),
    _C(
        f"{SIMULATE_SERVICE_CURVE}.expected_unserved_t_with",
        "stockpile_expected_unserved_t_with",
        "t",
        "Expected unserved demand over the horizon with the commercial stock and this "
        "strategic stock, tonnes",
    ),
    _C(
        "shortage_cost_eur_per_t",
        "stockpile_shortage_cost_eur_per_t",
        "EUR/t",
        "Shortage cost: euros lost per tonne of demand not served (the user's value)",
    ),
    _C(
        "holding_cost_eur_per_t_year",
        "stockpile_holding_cost_eur_per_t_year",
        "EUR/t",
        "Euros a year to hold one tonne: price × (discount + insurance rate) + storage",
    ),
    _C(
        f"{PORTFOLIO}.stock_t",
        "stockpile_stock_t",
        "t",
        "Strategic stock the portfolio buys (greedy choice within the budget), on top of "
        "the commercial stock, tonnes",
    ),
    _C(
        "optimal_stock_t",
        "stockpile_optimal_stock_t",
        "t",
        "Strategic stock of the exact optimum on the same grid (MILP), tonnes",
    ),
    _C(
        "cost_optimal_stock_t",
        "stockpile_cost_optimal_stock_t",
        "t",
        "Strategic stock with the lowest expected cost without a budget (the grid's "
        "newsvendor stock), tonnes",
    ),
    _C(
        f"{PORTFOLIO}.expected_unserved_t_without",
        "stockpile_expected_unserved_t_without",
        "t",
        "Expected unserved demand over the horizon with the commercial stock alone, tonnes",
    ),
    _C(
        f"{PORTFOLIO}.expected_unserved_t_with",
        "stockpile_expected_unserved_t_with",
        "t",
        "Expected unserved demand over the horizon with the portfolio's stock, tonnes",
    ),
    _C(
        "shortage_cost_eur_without",
        "stockpile_shortage_cost_eur_without",
        "EUR",
        "Expected shortage cost over the horizon without the strategic stock: shortage "
        "cost × expected unserved demand",
    ),
    _C(
        "shortage_cost_eur_with",
        "stockpile_shortage_cost_eur_with",
        "EUR",
        "Expected shortage cost over the horizon with the portfolio's stock",
    ),
    _C(
        "expected_holding_cost_eur",
        "stockpile_expected_holding_cost_eur",
        "EUR",
        "Expected cost over the horizon of the tonnes never released: holding cost per "
        "tonne-year × years × unused tonnes",
    ),
    _C(
        "reduction_eur",
        "stockpile_reduction_eur",
        "EUR",
        "Expected cost the stock saves over the horizon: shortage cost avoided − holding "
        "cost of the tonnes never used",
    ),
    _C("budget_eur", "stockpile_budget_eur", "EUR", "The budget to build the stocks"),
    _C(
        "budget_left_eur",
        "stockpile_budget_left_eur",
        "EUR",
        "What the greedy choice leaves of the budget",
    ),
    _C(
        f"{PORTFOLIO_TOTALS}.build_cost_eur",
        "stockpile_build_cost_eur",
        "EUR",
        "Euros to build the portfolio's stocks (at most the budget)",
    ),
    _C(
        f"{PORTFOLIO_TOTALS}.holding_cost_eur_per_year",
        "stockpile_holding_cost_eur_per_year",
        "EUR/year",
        "Euros a year to hold the portfolio's stocks",
    ),
    _C(
        f"{PORTFOLIO_TOTALS}.expected_unserved_t_without",
        "stockpile_expected_unserved_t_without",
        "t",
        "Sum over the items of the expected unserved demand with the commercial stocks "
        "alone, tonnes",
    ),
    _C(
        f"{PORTFOLIO_TOTALS}.expected_unserved_t_with",
        "stockpile_expected_unserved_t_with",
        "t",
        "Sum over the items of the expected unserved demand with the portfolio, tonnes",
    ),
    _C(
        f"{PORTFOLIO_TOTALS}.reduction_eur",
        "stockpile_reduction_eur",
        "EUR",
        "Expected cost the greedy portfolio saves over the horizon",
    ),
    _C(
        "optimal_reduction_eur",
        "stockpile_optimal_reduction_eur",
        "EUR",
        "Expected cost the exact optimum on the same grid saves (MILP)",
    ),
    _C(
        "gap_eur",
        "stockpile_gap_eur",
        "EUR",
        "What the exact optimum saves more than the greedy choice (0: the greedy is optimal)",
    ),
    _C(
        "gap_bound_eur",
        "stockpile_gap_bound_eur",
        "EUR",
        "The greedy's own bound on that gap (continuous relaxation − greedy)",
    ),
    _C("items_stocked", "stockpile_items_stocked", "count", "Items with a stock above 0"),
    _C("member", "stockpile_member", "", "A member of the pool (ISO3 code)"),
    _C(
        "members",
        "stockpile_members",
        "",
        "The members of the pool, comma-separated (ISO3 codes)",
    ),
    _C(
        f"{POOL}.exposure",
        "stockpile_exposure",
        "share 0–1",
        "Share of the member's annual demand delivered by suppliers outside it",
    ),
    _C(
        f"{POOL}.expected_unserved_t_without",
        "stockpile_expected_unserved_t_without",
        "t",
        "The member's expected shortfall over the horizon without any stock, tonnes",
    ),
    _C(
        "national_stock_t",
        "stockpile_national_stock_t",
        "t",
        "The member's own stock for the service level: the quantile of its cumulative "
        "shortfall over the paths, tonnes (before commercial stocks)",
    ),
    _C(
        f"{POOL}.days_of_cover",
        "stockpile_days_of_cover",
        "days",
        "The national stock in days of the member's demand",
    ),
    _C(
        "national_total_t",
        "stockpile_national_total_t",
        "t",
        "Sum of the members' national stocks, tonnes",
    ),
    _C(
        "joint_t",
        "stockpile_joint_t",
        "t",
        "Joint stock for the same service level: the quantile of the members' summed "
        "shortfall, tonnes",
    ),
    _C("gain_t", "stockpile_gain_t", "t", "Tonnes pooling saves: national total − joint"),
    _C(
        "gain_share",
        "stockpile_gain_share",
        "share 0–1",
        "Share of the national total pooling saves",
    ),
    _C(
        "correlation",
        "stockpile_correlation",
        "share 0–1",
        "Stylised: the probability (per path) that the members' disruptions are one and "
        "the same; otherwise each member's is independent",
    ),
)
#: The commands' own columns, and the narrower definitions of shared ones (under
#: ``"<table>.<column>"``).
COLUMNS: dict[str, Column] = {
    c.name: Column(c.name.rpartition(".")[2], c.label, c.unit, c.description) for c in _ENTRIES
}
_VOCAB = (COLUMNS, PLAN_VOCABULARY, SHARED)

SUMMARY_COLUMN_NAMES = [
    "item",
    "name",
    "annual_demand_t",
    "commercial_stock_t",
    "stock_t",
    "days_of_cover",
    "service_level_achieved",
    "expected_unserved_t_without",
    "expected_unserved_t_with",
    "p_shortfall",
    "p_unserved_with",
    "p_stock_emptied",
    "median_days_to_empty",
    "note",
]
FAN_COLUMN_NAMES = [
    "item",
    "month",
    "percentile",
    "shortfall_t",
    "unserved_with_stock_t",
    "mean_shortfall_t",
    "mean_unserved_with_stock_t",
]
SERVICE_CURVE_COLUMN_NAMES = [
    "item",
    "service_level",
    "stock_t",
    "days_of_cover",
    "build_cost_eur",
    "expected_unserved_t_with",
]
PORTFOLIO_COLUMN_NAMES = [
    "item",
    "name",
    "annual_demand_t",
    "price_eur_per_t",
    "shortage_cost_eur_per_t",
    "holding_cost_eur_per_t_year",
    "stock_t",
    "days_of_cover",
    "build_cost_eur",
    "holding_cost_eur_per_year",
    "optimal_stock_t",
    "cost_optimal_stock_t",
    "expected_unserved_t_without",
    "expected_unserved_t_with",
    "shortage_cost_eur_without",
    "shortage_cost_eur_with",
    "expected_holding_cost_eur",
    "reduction_eur",
    "note",
]
TOTALS_COLUMN_NAMES = [
    "budget_eur",
    "build_cost_eur",
    "budget_left_eur",
    "holding_cost_eur_per_year",
    "items_stocked",
    "expected_unserved_t_without",
    "expected_unserved_t_with",
    "shortage_cost_eur_without",
    "shortage_cost_eur_with",
    "reduction_eur",
    "optimal_reduction_eur",
    "gap_eur",
    "gap_bound_eur",
]
POOL_COLUMN_NAMES = [
    "item",
    "member",
    "annual_demand_t",
    "exposure",
    "top_supplier",
    "p_shortfall",
    "expected_unserved_t_without",
    "national_stock_t",
    "days_of_cover",
    "note",
]
GAIN_COLUMN_NAMES = [
    "item",
    "members",
    "service_level",
    "national_total_t",
    "joint_t",
    "gain_t",
    "gain_share",
    "note",
]
CORRELATION_COLUMN_NAMES = [
    "item",
    "correlation",
    "national_total_t",
    "joint_t",
    "gain_t",
    "gain_share",
]

SUMMARY_COLUMNS = schema(SIMULATE_SUMMARY, SUMMARY_COLUMN_NAMES, *_VOCAB)
FAN_COLUMNS = schema(SIMULATE_FAN, FAN_COLUMN_NAMES, *_VOCAB)
SERVICE_CURVE_COLUMNS = schema(SIMULATE_SERVICE_CURVE, SERVICE_CURVE_COLUMN_NAMES, *_VOCAB)
PORTFOLIO_COLUMNS = schema(PORTFOLIO, PORTFOLIO_COLUMN_NAMES, *_VOCAB)
TOTALS_COLUMNS = schema(PORTFOLIO_TOTALS, TOTALS_COLUMN_NAMES, *_VOCAB)
POOL_COLUMNS = schema(POOL, POOL_COLUMN_NAMES, *_VOCAB)
GAIN_COLUMNS = schema(POOL_GAIN, GAIN_COLUMN_NAMES, *_VOCAB)
CORRELATION_COLUMNS = schema(POOL_CORRELATION, CORRELATION_COLUMN_NAMES, *_VOCAB)

_SIM = "`ketenradar stockpile simulate`, `ketenradar.modules.stockpile.api.simulate`"
_PORT = "`ketenradar stockpile portfolio`, `ketenradar.modules.stockpile.api.portfolio`"
_POOL = "`ketenradar stockpile pool`, `ketenradar.modules.stockpile.api.pool`"

#: The commands' tables (``Module.results``; docs/results.md).
COMMAND_RESULTS = (
    ResultTable(
        SIMULATE_SUMMARY,
        "one row per item: the simulation with and without the stocks (the plan's stock for "
        f"the service level, or the days given): expected unserved demand, chances ({_SIM}, "
        "table `summary`)",
        SUMMARY_COLUMNS,
    ),
    ResultTable(
        SIMULATE_FAN,
        "the fan chart: per item, month and percentile the shortfall without stock and the "
        f"unserved demand with it, in tonnes, and their means ({_SIM}, table `fan`)",
        FAN_COLUMNS,
    ),
    ResultTable(
        SIMULATE_SERVICE_CURVE,
        "per item and service level the strategic stock it asks for, in tonnes, days and "
        f"euros ({_SIM}, table `service_curve`)",
        SERVICE_CURVE_COLUMNS,
    ),
    ResultTable(
        PORTFOLIO,
        "one row per item: the stock a budget buys (greedy, beside the exact optimum), its "
        f"costs and the expected unserved demand and shortage cost before and after ({_PORT}, "
        "table `portfolio`)",
        PORTFOLIO_COLUMNS,
    ),
    ResultTable(
        PORTFOLIO_TOTALS,
        "one row: the portfolio's sums, the budget left and the greedy's gap to the exact "
        f"optimum ({_PORT}, table `totals`)",
        TOTALS_COLUMNS,
    ),
    ResultTable(
        POOL,
        "one row per item and member of a joint stock: its demand, exposure and national "
        f"stock for the service level ({_POOL}, table `pool`)",
        POOL_COLUMNS,
    ),
    ResultTable(
        POOL_GAIN,
        "one row per item: the national stocks' total, the joint stock and what pooling "
        f"saves ({_POOL}, table `gain`)",
        GAIN_COLUMNS,
    ),
    ResultTable(
        POOL_CORRELATION,
        "per item, stylised: the pooling gain against the correlation of the members' "
        f"disruptions, from independent (0) to one shared disruption (1) ({_POOL}, table "
        "`correlation_curve`)",
        CORRELATION_COLUMNS,
    ),
)
