"""Sizing a strategic stock: the service level, the newsvendor, costs and the anchors.

Three ways to size a stock, all on the cumulative shortfall over the horizon that the
simulation (:mod:`.simulate`) gives per path — under the release rule (release whenever there
is a shortfall, at most ``r`` a month, no refill), a stock ``S`` serves ``min(S, C)`` of the
servable shortfall ``C = Σ_t min(x_t, r)``, and the ``excess`` ``E = Σ_t max(0, x_t − r)`` is
unserved whatever the stock:

* **service level** α (:func:`stock_for_service_level`): the smallest stock with no unserved
  demand on a share α of the paths: the α-quantile (inverted CDF) of ``C`` over the paths
  with ``E = 0`` (``inf`` when fewer than α of the paths can be served at that release rate);
* **expected unserved demand** below a bound B (:func:`stock_for_expected_unserved`): the
  smallest S with ``mean(E) + mean(max(0, C − S)) ≤ B`` (exact: the mean is piecewise linear
  in S);
* **cost-optimal** (the newsvendor; Arrow, Harris & Marschak 1951): ``x* = F⁻¹(c_u / (c_u +
  c_o))`` with F the distribution of ``C``, ``c_u`` the shortage cost per tonne short and
  ``c_o`` the cost of a tonne stocked but not used: its holding cost over the horizon
  (:func:`holding_cost_per_tonne_year` × years). :func:`newsvendor_normal` is the closed form
  for normally distributed demand, ``μ + σ·Φ⁻¹(CR)``; :func:`newsvendor` takes any
  distribution with a ``ppf`` (scipy.stats).

Stocks are converted to tonnes (months of demand × annual demand / 12), days of cover
(stock / annual demand × 365), euros to build (tonnes × price) and euros a year to hold, and
set beside the rule-of-thumb anchors (:data:`ANCHORS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy.stats import norm

from ketenradar.core.errors import UsageError

DAYS_PER_YEAR = 365

#: Capital cost: the Dutch standard discount rate for social cost-benefit analysis, 2.25 % a
#: year (real; −1 % risk-free plus a 3.25 % risk premium), in force since 1 January 2021
#: (Werkgroep discontovoet 2020, adopted by the cabinet).
DEFAULT_DISCOUNT_RATE = 0.0225
#: Insurance of the stored material, share of its value a year: 0.2 %. An assumption (the order
#: of warehouse stock insurance); set it from a quote.
DEFAULT_INSURANCE_RATE = 0.002


@dataclass(frozen=True)
class Anchor:
    """A rule-of-thumb stock size used by a stockholding agency."""

    name: str
    days: int
    basis: str  #: what the days are counted on: "net imports" or "consumption"
    source: str
    column: str = ""  #: the plan's column of this anchor, in tonnes


#: IEA members that are net oil importers hold emergency stocks of at least 90 days of net oil
#: imports (Agreement on an International Energy Program, 1974, art. 2; in the EU also Council
#: Directive 2009/119/EC: 90 days of net imports or 61 days of consumption, the larger).
IEA_DAYS_NET_IMPORTS = 90
#: Japan's rare-metal stockpile (JOGMEC): 60 days of domestic consumption in general …
JOGMEC_DAYS = 60
#: … and up to 180 days for metals of high geopolitical risk (METI, New International Resource
#: Strategy, March 2020).
JOGMEC_HIGH_RISK_DAYS = 180
#: Korea's rare-metal stockpile (KOMIR): 100 days of domestic demand, up from 54–57 days
#: (MOTIE, 2021 stockpiling expansion and the 2023 Critical Minerals Supply Strategy).
KOMIR_DAYS = 100

ANCHORS: tuple[Anchor, ...] = (
    Anchor(
        "IEA 90 days",
        IEA_DAYS_NET_IMPORTS,
        "net imports",
        "IEA, Agreement on an International Energy Program (1974), art. 2; "
        "EU Council Directive 2009/119/EC",
        column="anchor_iea_90d_t",
    ),
    Anchor(
        "JOGMEC 60 days",
        JOGMEC_DAYS,
        "consumption",
        "JOGMEC rare-metal stockpiling; METI, New International Resource Strategy (2020)",
        column="anchor_jogmec_60d_t",
    ),
    Anchor(
        "JOGMEC 180 days (high risk)",
        JOGMEC_HIGH_RISK_DAYS,
        "consumption",
        "METI, New International Resource Strategy (2020): up to 180 days for high-risk metals",
        column="anchor_jogmec_180d_t",
    ),
    Anchor(
        "KOMIR 100 days",
        KOMIR_DAYS,
        "consumption",
        "MOTIE/KOMIR national metal stockpiling programme (2021; 2023 critical minerals "
        "strategy): 100 days of rare metals",
        column="anchor_komir_100d_t",
    ),
)


class _HasPpf(Protocol):
    def ppf(self, q: Any) -> Any: ...


# -- the newsvendor -----------------------------------------------------------------------------


def critical_ratio(c_u: float, c_o: float) -> float:
    """The newsvendor's critical ratio ``c_u / (c_u + c_o)``: the optimal probability of not
    running short. ``c_u`` (cost per tonne short) and ``c_o`` (cost per tonne stocked but not
    used) are positive."""
    if not (c_u > 0 and c_o > 0) or not np.isfinite(c_u + c_o):
        raise UsageError(
            f"shortage cost c_u={c_u} and overage cost c_o={c_o} must both be above 0",
            field="c_u" if not c_u > 0 else "c_o",
        )
    return c_u / (c_u + c_o)


def newsvendor(dist: _HasPpf, c_u: float, c_o: float) -> float:
    """The cost-optimal stock ``x* = F⁻¹(c_u / (c_u + c_o))`` for a demand distribution with a
    quantile function (a frozen ``scipy.stats`` distribution)."""
    return float(dist.ppf(critical_ratio(c_u, c_o)))


def newsvendor_normal(mu: float, sigma: float, c_u: float, c_o: float) -> float:
    """The closed form for normally distributed demand: ``μ + σ·Φ⁻¹(c_u / (c_u + c_o))``."""
    if sigma < 0:
        raise UsageError(f"sigma is {sigma}; allowed: 0 or more", field="sigma")
    return float(mu + sigma * norm.ppf(critical_ratio(c_u, c_o)))


def newsvendor_sample(
    samples: np.ndarray, c_u: float | np.ndarray, c_o: float | np.ndarray
) -> np.ndarray:
    """The cost-optimal stock from simulated demand on the stock (paths × items, e.g. the
    servable shortfall): per item the ``CR``-quantile (inverted CDF) of its column; ``c_u`` and
    ``c_o`` per item or one value."""
    x = _paths_items(samples)
    n_items = x.shape[1]
    cu = np.broadcast_to(np.asarray(c_u, dtype=float), (n_items,))
    co = np.broadcast_to(np.asarray(c_o, dtype=float), (n_items,))
    ratios = [critical_ratio(float(a), float(b)) for a, b in zip(cu, co, strict=True)]
    return np.array(
        [np.quantile(x[:, i], r, method="inverted_cdf") for i, r in enumerate(ratios)],
        dtype=float,
    )


# -- costs --------------------------------------------------------------------------------------


def holding_cost_per_tonne_year(
    price_eur_t: float | np.ndarray,
    *,
    storage_eur_t_year: float | np.ndarray,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    insurance_rate: float = DEFAULT_INSURANCE_RATE,
    price_risk_rate: float | np.ndarray = 0.0,
) -> np.ndarray:
    """The cost of holding one tonne for a year: capital (price × discount rate) + storage +
    insurance (price × rate) + price risk (price × rate; 0 for an owner neutral to price
    risk, who expects to sell at the price paid)."""
    for name, value in (
        ("discount_rate", discount_rate),
        ("insurance_rate", insurance_rate),
        ("price_risk_rate", price_risk_rate),
        ("storage_eur_t_year", storage_eur_t_year),
        ("price_eur_t", price_eur_t),
    ):
        if np.any(np.asarray(value, dtype=float) < 0) or np.any(np.isnan(value)):
            raise UsageError(f"{name} must be 0 or more", field=name)
    price = np.asarray(price_eur_t, dtype=float)
    rates = discount_rate + insurance_rate + np.asarray(price_risk_rate, dtype=float)
    return price * rates + np.asarray(storage_eur_t_year, dtype=float)


def overage_cost(holding_eur_t_year: float | np.ndarray, horizon_years: float) -> np.ndarray:
    """``c_o`` of the newsvendor over a horizon: the holding cost of a tonne that waits the
    whole horizon unused (holding per year × years; the tonne is then worth its price again)."""
    if horizon_years <= 0:
        raise UsageError(f"horizon_years is {horizon_years}; must be above 0", field="horizon")
    return np.asarray(holding_eur_t_year, dtype=float) * horizon_years


# -- sizing from the simulation ----------------------------------------------------------------


def _paths_items(a: np.ndarray) -> np.ndarray:
    x = np.asarray(a, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] == 0:
        raise UsageError("expected an array of paths × items with at least one path")
    return x


def _level(service_level: float) -> float:
    if not 0.0 < service_level < 1.0:
        raise UsageError(
            f"service level is {service_level}; allowed: above 0 and below 1 (e.g. 0.95)",
            field="service_level",
        )
    return float(service_level)


def stock_for_service_level(
    capped: np.ndarray, service_level: float, excess: np.ndarray | None = None
) -> np.ndarray:
    """Per item the smallest stock (in the units of ``capped``) with no unserved demand on at
    least ``service_level`` of the paths: the quantile (inverted CDF) of the servable
    shortfall, counting paths with an ``excess`` above the release rate as never served
    (``inf`` when the level cannot be reached at that release rate)."""
    c = _paths_items(capped)
    level = _level(service_level)
    if excess is not None:
        c = np.where(_paths_items(excess) > 0, np.inf, c)
    return np.quantile(c, level, axis=0, method="inverted_cdf")


def service_level_of(
    stock: float | np.ndarray, capped: np.ndarray, excess: np.ndarray | None = None
) -> np.ndarray:
    """Per item the share of paths a stock serves fully (no unserved demand)."""
    c = _paths_items(capped)
    served = c <= np.asarray(stock, dtype=float)
    if excess is not None:
        served &= _paths_items(excess) <= 0
    return served.mean(axis=0)


def expected_unserved(
    stock: float | np.ndarray, capped: np.ndarray, excess: np.ndarray | None = None
) -> np.ndarray:
    """Per item the expected unserved demand with a stock: ``mean(E) + mean(max(0, C − S))``."""
    c = _paths_items(capped)
    out = np.maximum(c - np.asarray(stock, dtype=float), 0.0).mean(axis=0)
    if excess is not None:
        out = out + _paths_items(excess).mean(axis=0)
    return out


def stock_for_expected_unserved(
    capped: np.ndarray, bound: float | np.ndarray, excess: np.ndarray | None = None
) -> np.ndarray:
    """Per item the smallest stock whose expected unserved demand is at most ``bound`` (same
    units as ``capped``); ``inf`` where the excess above the release rate alone is more."""
    c = _paths_items(capped)
    n_paths, n_items = c.shape
    bounds = np.broadcast_to(np.asarray(bound, dtype=float), (n_items,))
    if np.any(bounds < 0):
        raise UsageError("the bound on expected unserved demand must be 0 or more", field="bound")
    floor = _paths_items(excess).mean(axis=0) if excess is not None else np.zeros(n_items)
    out = np.empty(n_items)
    for i in range(n_items):
        target = bounds[i] - floor[i]  # what mean(max(0, C − S)) may be
        if target < 0:
            out[i] = np.inf
            continue
        # f(S) = mean(max(0, C − S)) is convex and piecewise linear. With x sorted largest
        # first and P_k = x_0 + … + x_(k−1), f(x_k) = (P_k − k·x_k)/N; below x_k (down to
        # x_(k+1)) it is (P_(k+1) − (k + 1)·S)/N.
        x = np.sort(c[:, i])[::-1]
        prefix = np.concatenate(([0.0], np.cumsum(x)))
        f_at = (prefix[:-1] - np.arange(n_paths) * x) / n_paths
        k = int(np.count_nonzero(f_at <= target)) - 1  # the last breakpoint still ≤ target
        out[i] = max(0.0, (prefix[k + 1] - n_paths * target) / (k + 1))
    return out


# -- units and the table ------------------------------------------------------------------------


def tonnes(months_of_demand: np.ndarray | float, annual_demand_t: np.ndarray | float) -> Any:
    """Months of demand → tonnes: ``months × annual demand / 12``."""
    return np.asarray(months_of_demand, dtype=float) * np.asarray(annual_demand_t) / 12.0


def days_of_cover(stock_t: np.ndarray | float, annual_demand_t: np.ndarray | float) -> Any:
    """Days of cover: ``stock / annual demand × 365`` (NaN where demand is 0)."""
    demand = np.asarray(annual_demand_t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(demand > 0, np.asarray(stock_t) / demand * DAYS_PER_YEAR, np.nan)


def anchor_stocks(
    items: Sequence[str],
    annual_demand_t: np.ndarray,
    net_imports_t: np.ndarray,
    price_eur_t: np.ndarray | None = None,
) -> pd.DataFrame:
    """The rule-of-thumb anchors per item: tonnes (days × the basis per day: net imports for
    the IEA rule, consumption for JOGMEC and KOMIR) and, with prices, euros to build."""
    demand = np.asarray(annual_demand_t, dtype=float)
    imports = np.clip(np.asarray(net_imports_t, dtype=float), 0.0, None)
    rows = []
    for a in ANCHORS:
        basis = imports if a.basis == "net imports" else demand
        stock = basis * a.days / DAYS_PER_YEAR
        for i, item in enumerate(items):
            row = {
                "item": item,
                "anchor": a.name,
                "anchor_days": a.days,
                "anchor_basis": a.basis,
                "stock_t": float(stock[i]),
                "days_of_cover": float(days_of_cover(stock[i], demand[i])),
                "source": a.source,
            }
            if price_eur_t is not None:
                row["build_cost_eur"] = float(stock[i] * np.asarray(price_eur_t)[i])
            rows.append(row)
    return pd.DataFrame(rows)


def anchor_tonnes(annual_demand_t: np.ndarray, net_imports_t: np.ndarray) -> dict[str, np.ndarray]:
    """Each anchor's stock in tonnes per item (its plan column → values): ``days / 365`` ×
    the basis (net imports, clipped at 0, for the IEA rule; demand for the others)."""
    demand = np.asarray(annual_demand_t, dtype=float)
    imports = np.clip(np.asarray(net_imports_t, dtype=float), 0.0, None)
    return {
        a.column: (imports if a.basis == "net imports" else demand) * a.days / DAYS_PER_YEAR
        for a in ANCHORS
    }


def sizing_table(
    items: Sequence[str],
    stock_months: np.ndarray,
    annual_demand_t: np.ndarray,
    price_eur_t: np.ndarray,
    holding_eur_t_year: np.ndarray,
) -> pd.DataFrame:
    """One row per item: the stock in tonnes, days of cover, euros to build and euros a year to
    hold (``inf`` stocks, unreachable service levels, stay ``inf``)."""
    stock_t = tonnes(stock_months, annual_demand_t)
    return pd.DataFrame(
        {
            "item": list(items),
            "stock_t": stock_t,
            "days_of_cover": days_of_cover(stock_t, annual_demand_t),
            "build_cost_eur": stock_t * np.asarray(price_eur_t, dtype=float),
            "holding_cost_eur_per_year": stock_t * np.asarray(holding_eur_t_year, dtype=float),
        }
    )
