"""Pooling: one joint stock for a group of members against the sum of national stocks.

Each member (a country, or a firm) loses a share of its demand when a disruption hits it. The
**national** stock of a member covers its own cumulative shortfall over the horizon at the
service level α (the α-quantile over the paths, as in :func:`.sizing.stock_for_service_level`);
the **joint** stock covers the members' summed shortfall at the same α (it may be released to
any member: transport and sharing rules are left out). The pooling gain is the sum of the
national stocks minus the joint one: a quantile of a sum is at most the sum of the quantiles
when the members' shortfalls are comonotone, and much less when they are independent
(Eppen 1979; :func:`normal_pooling` is his closed form for normal demand).

**Correlation.** The members' disruptions have the same law (onset probability, duration,
ramp-up, demand response). With probability ``correlation`` (per path) they are one and the
same disruption — shared onsets and durations — and otherwise each member's is independent.
The correlation of any two members' disrupted states is then exactly ``correlation``, and each
member's own distribution does not depend on it. Both worlds are simulated with the same seed
(:func:`.simulate.simulate`, unlimited release rate), so results are reproducible and a
correlation of 1 gives exactly the comonotone case: for identical members the joint stock is
then the sum of the national ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from ketenradar.core.errors import UsageError
from ketenradar.modules.stockpile.analysis.scenario import (
    DEFAULT_DURATION_MONTHS,
    SupplyModel,
    monthly_probability,
)
from ketenradar.modules.stockpile.analysis.simulate import simulate


@dataclass(frozen=True)
class Member:
    """A member of a pool: its annual demand (t) and the share of it a disruption cuts."""

    name: str
    annual_demand_t: float
    loss: float

    def __post_init__(self) -> None:
        if not self.annual_demand_t >= 0:
            raise UsageError(
                f"{self.name}: annual demand is {self.annual_demand_t}; must be 0 or more",
                field="annual_demand_t",
            )
        if not 0.0 <= self.loss <= 1.0:
            raise UsageError(
                f"{self.name}: loss share is {self.loss}; allowed: 0 to 1", field="loss"
            )


@dataclass(frozen=True)
class PoolingResult:
    """National stocks, the joint stock and the pooling gain, in tonnes."""

    members: tuple[str, ...]
    correlation: float
    service_level: float
    national_t: np.ndarray
    joint_t: float

    @property
    def national_total_t(self) -> float:
        """The sum of the national stocks."""
        return float(self.national_t.sum())

    @property
    def gain_t(self) -> float:
        """The tonnes pooling saves: national total − joint."""
        return self.national_total_t - self.joint_t

    @property
    def gain_share(self) -> float:
        """The share of the national total pooling saves (0 when there is no stock)."""
        total = self.national_total_t
        return self.gain_t / total if total > 0 else 0.0

    def table(self) -> pd.DataFrame:
        """One row per member (its national stock), then the national total and the joint
        stock with the gain."""
        rows = [
            {"stock": m, "stock_t": float(t)}
            for m, t in zip(self.members, self.national_t, strict=True)
        ]
        rows.append({"stock": "national total", "stock_t": self.national_total_t})
        rows.append({"stock": "joint", "stock_t": self.joint_t})
        df = pd.DataFrame(rows)
        df["correlation"] = self.correlation
        df["service_level"] = self.service_level
        df["gain_t"] = self.gain_t
        df["gain_share"] = self.gain_share
        return df


def _models(members: Sequence[Member], **params: float | bool) -> tuple[SupplyModel, SupplyModel]:
    """The shared world (one disruption hits every member) and the independent one."""
    names = tuple(m.name for m in members)
    loss = np.array([m.loss for m in members])
    k = len(members)

    def per(value: float | bool, dtype: type = float) -> np.ndarray:
        return np.full(k, value, dtype=dtype)

    shared = SupplyModel.single(loss, items=names, source="shared", **params)  # type: ignore[arg-type]
    independent = SupplyModel(
        items=names,
        sources=tuple(f"{n} alone" for n in names),
        loss=np.diag(loss),
        onset=per(params["onset"]),
        onset_month=np.zeros(k, int),
        fixed=per(params["fixed"], bool),
        duration=per(params["duration"]),
        ramp_up=per(params["ramp_up"]),
        demand_response=per(params["demand_response"]),  # per member (= item) here
    )
    return shared, independent


def pooled_stocks(
    members: Sequence[Member],
    *,
    probability: float,
    duration_months: float = DEFAULT_DURATION_MONTHS,
    fixed_duration: bool = False,
    ramp_up_months: float | None = None,
    demand_response: float = 0.0,
    correlation: float = 0.0,
    service_level: float = 0.95,
    paths: int = 20_000,
    months: int = 120,
    seed: int = 0,
) -> PoolingResult:
    """The national stocks of ``members`` and their joint stock at the same service level,
    for disruptions with the given yearly ``probability``, duration, ramp-up (None: never)
    and demand response, whose onsets the members share with probability ``correlation``."""
    if len(members) < 2:
        raise UsageError("a pool needs at least two members", field="members")
    names = [m.name for m in members]
    if len(set(names)) != len(names):
        raise UsageError("member names must be unique", field="members")
    if not 0.0 <= correlation <= 1.0:
        raise UsageError(f"correlation is {correlation}; allowed: 0 to 1", field="correlation")
    if not 0.0 < service_level < 1.0:
        raise UsageError(
            f"service level is {service_level}; allowed: above 0 and below 1",
            field="service_level",
        )
    params = {
        "onset": monthly_probability(probability),
        "fixed": fixed_duration,
        "duration": float(duration_months),
        "ramp_up": math.inf if ramp_up_months is None else float(ramp_up_months),
        "demand_response": float(demand_response),
    }
    shared, independent = _models(members, **params)
    per_month = np.array([m.annual_demand_t for m in members]) / 12.0
    run = {"paths": paths, "months": months, "seed": seed, "fan_paths": 0}
    together = simulate(shared, **run).shortfall * per_month if correlation > 0 else None
    alone = simulate(independent, **run).shortfall * per_month if correlation < 1 else None
    if together is None:
        tonnes = alone
    elif alone is None:
        tonnes = together
    else:
        mix = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**31, 0)))
        is_shared = mix.random(paths) < correlation
        tonnes = np.where(is_shared[:, None], together, alone)
    assert tonnes is not None
    national = np.quantile(tonnes, service_level, axis=0, method="inverted_cdf")
    joint = float(np.quantile(tonnes.sum(axis=1), service_level, method="inverted_cdf"))
    return PoolingResult(tuple(names), correlation, service_level, national, joint)


def pooling_curve(
    members: Sequence[Member],
    correlations: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    **kwargs: float | bool | int | None,
) -> pd.DataFrame:
    """The pooling gain against the correlation of the members' disruptions (same seed for
    every correlation): one row per correlation with the national total, the joint stock
    and the gain (tonnes and share)."""
    rows = []
    for rho in correlations:
        r = pooled_stocks(members, correlation=float(rho), **kwargs)  # type: ignore[arg-type]
        rows.append(
            {
                "correlation": rho,
                "national_total_t": r.national_total_t,
                "joint_t": r.joint_t,
                "gain_t": r.gain_t,
                "gain_share": r.gain_share,
            }
        )
    return pd.DataFrame(rows)


def normal_pooling(
    mu: Sequence[float], sigma: Sequence[float], correlation: float, service_level: float
) -> tuple[float, float]:
    """Eppen's (1979) closed form for normally distributed demands with a common pairwise
    correlation ρ: the sum of the national stocks ``Σ (μ_i + z·σ_i)`` and the joint stock
    ``Σ μ_i + z·sqrt(Σ σ_i² + 2ρ Σ_(i<j) σ_i σ_j)``, ``z = Φ⁻¹(service level)``."""
    m, s = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    if m.shape != s.shape or m.size < 2:
        raise UsageError("mu and sigma need one value per member (two or more)", field="sigma")
    if not -1.0 / (m.size - 1) <= correlation <= 1.0:
        raise UsageError(
            f"correlation {correlation} is impossible for {m.size} members "
            f"(allowed: {-1.0 / (m.size - 1):g} to 1)",
            field="correlation",
        )
    z = norm.ppf(service_level)
    cross = (s.sum() ** 2 - (s**2).sum()) / 2.0  # Σ_(i<j) σ_i σ_j
    national = float(m.sum() + z * s.sum())
    joint = float(m.sum() + z * math.sqrt((s**2).sum() + 2.0 * correlation * cross))
    return national, joint
