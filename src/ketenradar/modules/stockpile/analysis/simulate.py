"""Monte Carlo simulation of supply disruptions, shortfalls and a stock's release.

The model, per path and month t = 1..H (units: shares of an item's monthly demand):

* **Disruptions** (the sources of :class:`~.scenario.SupplyModel`) are independent of each
  other; one disruption hits every item exposed to it at once (correlated items). Each month a
  disruption starts with the monthly onset probability ``q`` (from the yearly ``P``:
  ``q = 1 − (1 − P)^(1/12)``), whether or not it is already going on: an onset during a
  disruption renews it (the gap returns to its full size, the age restarts). A disruption with
  a **geometric** duration of mean ``m`` months that is not renewed ends each month with
  probability ``p = 1/m``; so "disrupted" is a two-state Markov chain with
  ``P(normal → disrupted) = q`` and ``P(disrupted → normal) = (1 − q)·p``, stationary share of
  time disrupted ``π = q / (q + (1 − q)·p)`` (:func:`stationary`). A **fixed** duration of T
  months lasts T months from its latest onset. A stress test's disruption starts for certain in
  its ``onset_month`` and does not recur.
* **Supply lost.** Item i loses ``L[i, s] · g_s(a)`` of its demand to disruption s in the a-th
  month of s (age a), where ``L`` is the exposure × cut share and ``g_s(a)`` the remaining gap
  after alternative supply ramps up linearly over ``R_s`` months: the average of
  ``max(0, 1 − τ/R)`` over the month ``τ ∈ [a − 1, a]`` (so a month's loss is the exact
  integral of the linear ramp; ``R = ∞``: the gap stays, ``R = 0``: no gap).
* **Shortfall.** The losses of concurrent disruptions add up, capped at the whole demand; the
  item's demand response ``d_i`` (the share of its demand that falls away while it is short:
  users economise, postpone, substitute) absorbs the first part:
  ``x_t = max(0, min(1, Σ_s L[i, s]·g_s(a_s)) − d_i)``.
* **Stock and release rule.** A stock ``S`` (months of demand) is released in every month whose
  shortfall exceeds the trigger ``θ`` (0 by default: whenever short), at most ``r`` per month
  (the release rate; unlimited by default) and no more than is left:
  ``release_t = min(x_t, r, left_t)`` if ``x_t > θ``, else 0; unserved demand
  ``u_t = x_t − release_t``. The stock is not refilled within the horizon. So the total
  released is ``min(S, C)`` with ``C = Σ_t min(x_t, r)·[x_t > θ]``: what :mod:`.sizing` sizes
  on.

Outputs (:class:`SimulationResult`): per path and item the cumulative shortfall without a stock,
the part a stock could serve (``capped``: ``C``) and the part above the release rate no stock
can serve (``excess``: ``Σ_t max(0, x_t − r)``), the unserved demand with the stock and the
months from the first release until the stock is empty (linear within the last month); per
month and item the mean shortfall and unserved demand, and their percentiles (the fan chart);
per month and disruption the share of paths disrupted.

**Chunks and memory.** Paths are simulated in chunks of :data:`CHUNK_PATHS`, month by month:
per month the arrays are paths × disruptions and paths × items (``float32``; 0.8 MB for
4,096 × 50, so they stay in the processor's cache), and the chunk's uniforms are paths ×
months × disruptions (20 MB for 4,096 × 120 × 10). Paths × months × items is never held; what
is kept is per path and item (five ``float32`` arrays: 20 MB each for 100,000 × 50) and per
month and item. The per-month products (paths × disruptions by disruptions × items) run with
one BLAS thread (more threads only wait on each other for products this small).

**Reproducibility.** Chunk k draws its uniforms from ``SeedSequence(seed, spawn_key=(k, 0))``
(the stationary start from ``(k, 1)``), path by path: the same seed gives the same result,
and more paths only add paths (the first ones stay the same).

**Fan chart.** Its percentiles come from histograms with :data:`FAN_BINS` bins per month and
item: a percentile is rounded up to the next 1/1,000 of monthly demand (0 stays 0). By default
they use the first :data:`FAN_PATHS` paths (``fan_paths``); means, totals and the per-path
results use every path.

**Monotone coupling.** One uniform ``u`` per path, month and disruption decides: onset (or
renewal) iff ``u < q``; a geometric disruption not renewed goes on iff ``u < 1 − (1 − q)·p``.
With the same seed, each path's shortfall therefore never decreases when the onset
probability, the duration or the loss share rises (the renewal at onset keeps this exact with
a ramp-up: a larger ``q`` can only make the latest onset more recent), and neither do the
stocks sized on them (``tests/unit/test_stockpile_sizing.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ketenradar.core.errors import UsageError
from ketenradar.core.progress import Progress
from ketenradar.modules.stockpile.analysis.scenario import DAYS_PER_MONTH, SupplyModel

#: Paths per chunk: the unit of random streams (keep it fixed: it is part of what a seed means)
#: and of memory (see the module's docstring).
CHUNK_PATHS = 4096
#: Paths the fan chart's percentiles use by default (the first ones): at 10,000 paths the
#: 95th percentile lies between the 94.6th and 95.4th of the model's own distribution (two
#: standard errors); means and totals always use every path.
FAN_PATHS = 10_000
#: Histogram bins per month and item for the fan chart's percentiles (resolution 1/FAN_BINS of
#: monthly demand).
FAN_BINS = 1000
#: The percentiles of the fan chart, by default.
DEFAULT_PERCENTILES: tuple[float, ...] = (5.0, 25.0, 50.0, 75.0, 95.0)
#: The longest horizon, months (100 years).
MAX_MONTHS = 1200
#: The most paths one call simulates.
MAX_PATHS = 10_000_000


def ramp_gap(ramp_up: float, ages: np.ndarray) -> np.ndarray:
    """The share of the gap still open in the a-th month of a disruption (``ages`` ≥ 1): the
    average of ``max(0, 1 − τ/R)`` over ``τ ∈ [a − 1, a]``; 1 when ``R`` is infinite, 0 when
    ``R`` is 0 (the gap closes at once)."""
    a = np.asarray(ages, dtype=float)
    if math.isinf(ramp_up):
        return np.ones_like(a)
    if ramp_up <= 0:
        return np.zeros_like(a)
    r = float(ramp_up)
    full = 1.0 - (a - 0.5) / r  # the month ends before the gap closes
    partial = np.clip(r - (a - 1.0), 0.0, None) ** 2 / (2.0 * r)  # the gap closes in the month
    return np.where(a <= r, full, np.where(a - 1.0 < r, partial, 0.0))


def stationary(model: SupplyModel) -> np.ndarray:
    """The long-run share of months each disruption of ``model`` is going on: for a geometric
    duration ``q / (q + (1 − q)·p)`` (the two-state Markov chain), for a fixed duration T
    ``1 − (1 − q)^T`` (an onset in the last T months); 0 for a stress test."""
    q, p = model.onset, 1.0 / model.duration
    geo = np.divide(q, q + (1.0 - q) * p, out=np.zeros_like(q), where=(q + (1 - q) * p) > 0)
    fixed = 1.0 - (1.0 - q) ** model.duration
    out = np.where(model.fixed, fixed, geo)
    return np.where(model.onset_month > 0, 0.0, out)


def stationary_shortfall(model: SupplyModel, tol: float = 1e-15) -> np.ndarray:
    """The long-run expected shortfall per month of each item (share of monthly demand), for a
    model whose items are each hit by at most one disruption (then it is exact):
    ``Σ_a P(age = a) · max(0, L·g(a) − d_i)`` with ``P(age = a) = q·((1 − q)(1 − p))^(a−1)``
    (geometric) or ``q·(1 − q)^(a−1)`` for ``a ≤ T`` (fixed). The series is summed until its
    tail is below ``tol``."""
    hits = (model.loss > 0).sum(axis=1)
    if np.any(hits > 1):
        raise UsageError(
            "the closed form needs every item hit by at most one disruption", field="loss"
        )
    out = np.zeros(len(model.items))
    for s in range(len(model.sources)):
        q = float(model.onset[s])
        if model.onset_month[s] > 0 or q == 0.0:
            continue
        if model.fixed[s]:
            ages = np.arange(1, int(model.duration[s]) + 1, dtype=float)
            weight = q * (1.0 - q) ** (ages - 1)
        else:
            r = (1.0 - q) * (1.0 - 1.0 / model.duration[s])
            n = 1 if r == 0 else int(np.ceil(np.log(tol) / np.log(r))) + 1
            ages = np.arange(1, max(n, 1) + 1, dtype=float)
            weight = q * r ** (ages - 1)
        gap = ramp_gap(float(model.ramp_up[s]), ages)
        for i in np.flatnonzero(model.loss[:, s] > 0):
            x = np.maximum(0.0, model.loss[i, s] * gap - model.demand_response[i])
            out[i] += float(weight @ x)
    return out


@dataclass
class SimulationResult:
    """What :func:`simulate` returns. Per-path arrays are paths × items, in months of demand
    (multiply by annual demand / 12 for tonnes); ``fan_*`` are percentiles × months × items in
    shares of monthly demand."""

    model: SupplyModel
    paths: int
    months: int
    seed: int
    initial: str
    stock: np.ndarray  #: per item, months of demand (0: no stock)
    release_rate: np.ndarray  #: per item, share of monthly demand per month (inf: unlimited)
    trigger: np.ndarray  #: per item, release only above this shortfall (share of monthly demand)
    percentiles: tuple[float, ...]
    shortfall: np.ndarray  #: Σ_t x_t per path and item: unserved demand without a stock
    capped: np.ndarray  #: Σ_t min(x_t, r): what a large enough stock serves
    excess: np.ndarray  #: Σ_t max(0, x_t − r): what no stock serves at this release rate
    unserved: np.ndarray  #: unserved demand with the stock
    months_to_empty: np.ndarray  #: from the first release until the stock is empty (NaN: never)
    mean_shortfall: np.ndarray  #: months × items: mean shortfall per month
    mean_unserved: np.ndarray  #: months × items: mean unserved demand per month with the stock
    fan_shortfall: np.ndarray | None  #: percentiles × months × items, without the stock
    fan_unserved: np.ndarray | None  #: percentiles × months × items, with the stock
    fan_paths: int  #: the paths the fan chart's percentiles use (the first ones)
    disrupted: np.ndarray  #: months × disruptions: share of paths in each disruption
    notes: list[str] = field(default_factory=list)

    def parameters(self) -> dict[str, Any]:
        """What a result's provenance records about the run."""
        return {
            "method": "monthly Monte Carlo of independent disruptions (docs/methods/stockpile.md)",
            "paths": self.paths,
            "months": self.months,
            "seed": self.seed,
            "initial": self.initial,
            "chunk_paths": CHUNK_PATHS,
            "fan_bins": FAN_BINS,
            "fan_paths": self.fan_paths,
            "percentiles": list(self.percentiles),
            "release_rate": [None if math.isinf(r) else float(r) for r in self.release_rate],
            "trigger": [float(t) for t in self.trigger],
        }

    def summary(self, annual_demand_t: np.ndarray | None = None) -> pd.DataFrame:
        """One row per item: expected shortfall without the stock and unserved demand with it
        (months of demand, and tonnes when ``annual_demand_t`` is given), the share of paths
        with any unserved demand, the share where the stock runs out and the median days until
        it does (over those paths)."""
        emptied = ~np.isnan(self.months_to_empty)
        share_empty = emptied.mean(axis=0)
        days = np.full(len(self.model.items), np.nan)
        some = emptied.any(axis=0)
        if some.any():
            days[some] = np.nanmedian(self.months_to_empty[:, some], axis=0)
        df = pd.DataFrame(
            {
                "item": list(self.model.items),
                "stock_months": self.stock,
                "release_rate": self.release_rate,
                "expected_shortfall_months": self.shortfall.mean(axis=0, dtype=np.float64),
                "expected_unserved_months_with": self.unserved.mean(axis=0, dtype=np.float64),
                "p_shortfall": (self.shortfall > 0).mean(axis=0),
                "p_unserved_with": (self.unserved > 0).mean(axis=0),
                "p_stock_emptied": share_empty,
                "median_days_to_empty": days * DAYS_PER_MONTH,
            }
        )
        if annual_demand_t is not None:
            per_month = np.asarray(annual_demand_t, dtype=float) / 12.0
            df["expected_unserved_t_without"] = df["expected_shortfall_months"] * per_month
            df["expected_unserved_t_with"] = df["expected_unserved_months_with"] * per_month
        return df

    def fan(self) -> pd.DataFrame:
        """The fan chart as a long table: item, month (1..H), percentile, shortfall without the
        stock and unserved demand with it (shares of monthly demand), and their means."""
        if self.fan_shortfall is None or self.fan_unserved is None:
            raise UsageError("this simulation ran without the fan chart (fan_paths=0)")
        _, n_m, n_i = self.fan_shortfall.shape
        idx = pd.MultiIndex.from_product(
            [list(self.percentiles), range(1, n_m + 1), list(self.model.items)],
            names=["percentile", "month", "item"],
        )
        df = pd.DataFrame(
            {
                "shortfall": self.fan_shortfall.reshape(-1),
                "unserved_with_stock": self.fan_unserved.reshape(-1),
            },
            index=idx,
        ).reset_index()
        means = pd.DataFrame(
            {
                "month": np.repeat(np.arange(1, n_m + 1), n_i),
                "item": np.tile(list(self.model.items), n_m),
                "mean_shortfall": self.mean_shortfall.reshape(-1),
                "mean_unserved_with_stock": self.mean_unserved.reshape(-1),
            }
        )
        return df.merge(means, on=["month", "item"])[
            [
                "item",
                "month",
                "percentile",
                "shortfall",
                "unserved_with_stock",
                "mean_shortfall",
                "mean_unserved_with_stock",
            ]
        ]


def _per_item(value: float | np.ndarray | None, n: int, name: str, default: float) -> np.ndarray:
    if value is None:
        return np.full(n, default)
    arr = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
    if np.any(np.isnan(arr)) or np.any(arr < 0):
        raise UsageError(f"{name} must be 0 or more (per item or one value)", field=name)
    return arr


def _geometric(u: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """Inverse CDF of the geometric law on 1, 2, … with success probability ``prob``
    (``u`` in (0, 1]); 0 where ``prob`` is 0 (never)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.floor(np.log(u) / np.log1p(-prob)) + 1.0
    k = np.where(prob >= 1.0, 1.0, k)
    return np.where(prob <= 0.0, 0.0, k)


def simulate(
    model: SupplyModel,
    *,
    paths: int = 10_000,
    months: int = 120,
    seed: int = 0,
    stock: float | np.ndarray | None = None,
    release_rate: float | np.ndarray | None = None,
    trigger: float | np.ndarray | None = None,
    percentiles: tuple[float, ...] = DEFAULT_PERCENTILES,
    initial: Literal["normal", "stationary"] = "normal",
    fan_paths: int | None = FAN_PATHS,
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate ``paths`` paths of ``months`` months of ``model`` (see the module docstring).

    ``stock``: per item (or one value), months of demand held at the start (default none);
    ``release_rate``: the most released per month, share of monthly demand (default
    unlimited); ``trigger``: release only in months whose shortfall exceeds it (share of
    monthly demand, default 0). ``initial``: ``normal`` (no disruption going on at the start) or
    ``stationary`` (the disruptions' long-run state: ages and states drawn from it).
    ``fan_paths``: how many paths (the first ones) the fan chart's percentiles use (``None``:
    all; 0: no fan chart). ``progress`` hears ``("simulate", paths done, paths)`` after every
    chunk.
    """
    if not 1 <= paths <= MAX_PATHS:
        raise UsageError(f"paths is {paths}; allowed: 1 to {MAX_PATHS:,}", field="paths")
    if not 1 <= months <= MAX_MONTHS:
        raise UsageError(f"months is {months}; allowed: 1 to {MAX_MONTHS}", field="months")
    if initial not in ("normal", "stationary"):
        raise UsageError(f"initial is {initial!r}; allowed: normal, stationary", field="initial")
    pct = tuple(float(p) for p in percentiles)
    if any(not 0.0 <= p <= 100.0 for p in pct):
        raise UsageError("percentiles lie in 0..100", field="percentiles")
    if fan_paths is not None and fan_paths < 0:
        raise UsageError("fan_paths must be 0 or more (None: all paths)", field="fan_paths")
    n_fan = paths if fan_paths is None else min(paths, fan_paths)
    n_items = len(model.items)
    stock_arr = _per_item(stock, n_items, "stock", 0.0)
    rate_arr = _per_item(release_rate, n_items, "release_rate", math.inf)
    trigger_arr = _per_item(trigger, n_items, "trigger", 0.0)
    if np.any(trigger_arr >= 1.0):
        raise UsageError("trigger is a share of monthly demand below 1", field="trigger")
    run = _Run(model, months, stock_arr, rate_arr, n_fan > 0, trigger_arr)
    shortfall = np.empty((paths, n_items), np.float32)
    capped = np.empty((paths, n_items), np.float32)
    unserved = np.empty((paths, n_items), np.float32)
    to_empty = np.empty((paths, n_items), np.float32)
    n_chunks = -(-paths // CHUNK_PATHS)
    # one BLAS thread for the small per-month products: more only wait on each other (and
    # on a busy machine a lot: 4–8 ms instead of 0.04 ms per product with OpenBLAS on 2 cores)
    with threadpool_limits(limits=1, user_api="blas"):
        for k in range(n_chunks):
            lo, hi = k * CHUNK_PATHS, min(paths, (k + 1) * CHUNK_PATHS)
            fan_rows = max(0, min(hi, n_fan) - lo)
            out = run.chunk(hi - lo, seed, k, initial, fan_rows)
            shortfall[lo:hi], capped[lo:hi], unserved[lo:hi], to_empty[lo:hi] = out
            if progress is not None:
                progress("simulate", hi, paths)
    fan_s = _percentiles(run.hist_s, pct, months, n_items, n_fan) if n_fan else None
    fan_u = _percentiles(run.hist_u, pct, months, n_items, n_fan) if n_fan else None
    notes = []
    if n_fan and n_fan < paths:
        notes.append(f"the fan chart's percentiles use the first {n_fan:,} of {paths:,} paths")
    return SimulationResult(
        model=model,
        paths=paths,
        months=months,
        seed=seed,
        initial=initial,
        stock=stock_arr,
        release_rate=rate_arr,
        trigger=trigger_arr,
        percentiles=pct,
        shortfall=shortfall,
        capped=capped,
        excess=np.maximum(shortfall - capped, 0.0) if run.limited else np.zeros_like(shortfall),
        unserved=unserved,
        months_to_empty=to_empty,
        mean_shortfall=run.sum_short / paths,
        mean_unserved=run.sum_unserved / paths,
        fan_shortfall=fan_s,
        fan_unserved=fan_u,
        fan_paths=n_fan,
        disrupted=run.disrupted / paths,
        notes=notes,
    )


class _Run:
    """The arrays one simulation shares across its chunks, and the step of one chunk."""

    def __init__(
        self,
        model: SupplyModel,
        months: int,
        stock: np.ndarray,
        rate: np.ndarray,
        fan: bool,
        trigger: np.ndarray | None = None,
    ) -> None:
        self.model, self.months = model, months
        n_items, n_src = len(model.items), len(model.sources)
        # ages never exceed the initial age (at most the ramp-up or duration, + 1) + the horizon
        finite_ramp = np.where(np.isinf(model.ramp_up), 0.0, np.ceil(model.ramp_up))
        self.cap_age = np.where(model.fixed, model.duration, finite_ramp).astype(int) + 1
        n_ages = int(self.cap_age.max()) + months + 2
        ages = np.arange(n_ages, dtype=float)
        table = np.stack([ramp_gap(float(r), ages) for r in model.ramp_up])
        table[:, 0] = 0.0  # age 0: no disruption yet
        self.gap_table = table.astype(np.float32)
        self.q = np.where(model.onset_month > 0, 0.0, model.onset).astype(np.float32)
        # one uniform u per path, month and disruption: onset (a renewal when going on) iff
        # u < q; a geometric disruption not renewed goes on iff u < 1 − (1 − q)·p, so it ends
        # with probability (1 − q)·p (the two regions never overlap: q + (1 − q)·p ≤ 1)
        p_exit = np.where(model.fixed, 0.0, 1.0 / model.duration)
        self.stay = (1.0 - (1.0 - self.q) * p_exit).astype(np.float32)
        self.t_cap = np.where(model.fixed, model.duration, n_ages + 1).astype(np.int32)
        self.loss_t = np.ascontiguousarray(model.loss.T, dtype=np.float32)  # sources × items
        self.dr = model.demand_response.astype(np.float32)  # per item
        self.responding = bool(np.any(model.demand_response > 0))
        self.pi = stationary(model)
        self.stock = stock.astype(np.float32)
        self.has_stock = bool(np.any(stock > 0))
        self.rate = rate.astype(np.float32)
        self.trigger = (np.zeros_like(rate) if trigger is None else trigger).astype(np.float32)
        self.triggered = bool(np.any(self.trigger > 0))
        self.limited = bool(np.isfinite(rate).any()) or self.triggered
        self.sum_short = np.zeros((months, n_items))
        self.sum_unserved = np.zeros((months, n_items))
        self.disrupted = np.zeros((months, n_src))
        size = n_items * (FAN_BINS + 1)
        # counts ≤ MAX_PATHS fit int32: 24 MB per histogram for 120 months × 50 items
        self.hist_s = np.zeros((months if fan else 0, size), np.int32)
        self.hist_u = np.zeros((months if fan else 0, size), np.int32)
        self.offsets = (np.arange(n_items, dtype=np.int32) * (FAN_BINS + 1))[None, :]

    def _initial(self, n: int, seed: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Ages and states at the start drawn from the long-run distribution."""
        m = self.model
        init = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k, 1)))
        v = 1.0 - init.random((n, len(m.sources), 2))  # in (0, 1]
        r = (1.0 - m.onset) * (1.0 - 1.0 / m.duration)
        geo_age = _geometric(v[..., 1], 1.0 - r)  # age | disrupted: geometric, ratio r
        fix_age = _geometric(v[..., 1], m.onset)  # months since the latest onset
        random_onset = m.onset_month == 0
        on = np.where(m.fixed, (fix_age >= 1) & (fix_age <= m.duration), v[..., 0] < self.pi)
        on &= random_onset
        a0 = np.where(m.fixed, fix_age, np.where(on, geo_age, 0.0))
        age = (np.minimum(a0, self.cap_age) * random_onset).astype(np.int32)
        return age, on

    def chunk(
        self, n: int, seed: int, k: int, initial: str, fan_rows: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Simulate chunk ``k`` (``n`` paths); returns per path and item the shortfall, the
        servable part, the unserved demand with the stock and the months to empty."""
        m, months = self.model, self.months
        n_src, n_items = len(m.sources), len(m.items)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k, 0)))
        u = rng.random((n, months, n_src), dtype=np.float32)  # path by path
        if initial == "stationary":
            age, on = self._initial(n, seed, k)
        else:
            age, on = np.zeros((n, n_src), np.int32), np.zeros((n, n_src), bool)
        flat_table = self.gap_table.ravel()
        row = (np.arange(n_src, dtype=np.int32) * self.gap_table.shape[1])[None, :]
        gap = np.empty((n, n_src), np.float32)
        x = np.empty((n, n_items), np.float32)
        certain = m.onset_month > 0
        total = np.zeros((n, n_items), np.float32)
        servable = np.zeros((n, n_items), np.float32) if self.limited else total
        if self.has_stock:
            left = np.broadcast_to(self.stock, (n, n_items)).copy()
            cum = np.zeros((n, n_items), np.float32)  # released or releasable so far
            first = np.zeros((n, n_items), np.int16)  # months before the first release
            lasting = np.zeros((n, n_items), np.int16)  # months that end with stock left
            frac = np.ones((n, n_items), np.float32)  # share of the last month it served
        for t in range(months):
            # the disruptions' states: onset (or renewal), going on, age
            ut = u[:, t, :]
            onset = ut < self.q
            if certain.any():
                onset |= m.onset_month == t + 1
            age += age > 0
            age[onset] = 1
            on &= ut < self.stay
            on |= onset
            on &= age <= self.t_cap
            self.disrupted[t] += on.sum(axis=0)
            # the shortfall of every item: lost supply, capped at demand, − demand response
            np.multiply(flat_table.take(age + row), on, out=gap)
            np.matmul(gap, self.loss_t, out=x)
            np.minimum(x, 1.0, out=x)
            if self.responding:
                x -= self.dr
                np.maximum(x, 0.0, out=x)
            total += x
            self.sum_short[t] += x.sum(axis=0)
            if fan_rows:
                self._count(self.hist_s[t], x[:fan_rows])
            xc = x
            if self.limited:
                xc = np.minimum(x, self.rate)
                if self.triggered:
                    xc = np.where(x > self.trigger, xc, np.float32(0.0))
                servable += xc
            if self.has_stock:
                release = np.minimum(xc, left)
                runs_out = release < xc
                runs_out &= release > 0
                np.divide(release, xc, out=frac, where=runs_out)
                left -= release
                cum += xc
                first += cum <= 0
                lasting += left > 0
                x -= release  # now: unserved demand with the stock
            self.sum_unserved[t] += x.sum(axis=0)
            if fan_rows:
                self._count(self.hist_u[t], x[:fan_rows])
        if not self.has_stock:
            return total, servable, total.copy(), _nan_like(total)
        unserved = np.maximum(total - servable, 0.0) + np.maximum(servable - self.stock, 0.0)
        emptied = (lasting < months) & (self.stock > 0)
        to_empty = np.where(emptied, lasting - first + frac, np.nan).astype(np.float32)
        return total, servable, unserved, to_empty

    def _count(self, hist: np.ndarray, x: np.ndarray) -> None:
        """Add ``x`` (paths × items, in 0..1) to one month's histograms: bin 0 holds exact
        zeros, bin k the values in ((k − 1)/B, k/B]."""
        # − 1e-3 of a bin: float32 rounding (0.6 · 1000 = 600.00002) must not move a value up
        bins = np.ceil(x * np.float32(FAN_BINS) - np.float32(1e-3)).astype(np.int32)
        np.minimum(bins, FAN_BINS, out=bins)
        bins += self.offsets
        hist += np.bincount(bins.ravel(), minlength=hist.size)


def _nan_like(a: np.ndarray) -> np.ndarray:
    return np.full(a.shape, np.nan, np.float32)


def _percentiles(
    hist: np.ndarray, pct: tuple[float, ...], months: int, n_items: int, paths: int
) -> np.ndarray:
    """Percentiles from the histograms: the upper edge of the first bin where the cumulative
    count reaches ``p`` % of the paths (inverted CDF)."""
    cum = hist.reshape(months, n_items, FAN_BINS + 1).cumsum(axis=-1)
    out = np.empty((len(pct), months, n_items), np.float32)
    for j, p in enumerate(pct):
        target = max(1, math.ceil(p / 100.0 * paths))
        out[j] = (cum < target).sum(axis=-1) / FAN_BINS
    return out
