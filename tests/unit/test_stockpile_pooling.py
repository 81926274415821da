"""Pooling: a joint stock against the sum of national stocks at the same service level."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from ketenradar.core.errors import UsageError
from ketenradar.modules.stockpile.analysis.pooling import (
    Member,
    normal_pooling,
    pooled_stocks,
    pooling_curve,
)

TWINS = [Member("NLD", 1200.0, 0.5), Member("BEL", 1200.0, 0.5)]
RISK = {"probability": 0.2, "duration_months": 6.0, "paths": 20_000, "months": 120, "seed": 4}


def test_two_independent_identical_members_need_less_than_twice_one_stock():
    r = pooled_stocks(TWINS, correlation=0.0, service_level=0.95, **RISK)
    one = r.national_t[0]
    assert one > 0
    assert r.national_t[1] == pytest.approx(one, rel=0.05)  # same law, other paths
    assert r.joint_t < 2 * one
    assert r.joint_t < r.national_total_t
    assert r.gain_t > 0 and 0 < r.gain_share < 1


def test_two_perfectly_correlated_identical_members_need_exactly_twice():
    r = pooled_stocks(TWINS, correlation=1.0, service_level=0.95, **RISK)
    assert r.national_t[0] == r.national_t[1]
    assert r.joint_t == 2 * r.national_t[0]  # exactly
    assert r.gain_t == 0.0 and r.gain_share == 0.0


def test_the_gain_falls_as_the_correlation_rises():
    curve = pooling_curve(TWINS, correlations=(0.0, 0.5, 1.0), service_level=0.95, **RISK)
    gains = curve["gain_share"].to_numpy()
    assert gains[0] > gains[1] > gains[2] == 0.0
    # each member's own stock does not depend on the correlation (its law does not)
    national = curve["national_total_t"].to_numpy()
    assert national == pytest.approx(np.full(3, national[0]), rel=0.05)
    table = pooled_stocks(TWINS, correlation=0.5, **RISK).table()
    assert table["stock"].tolist() == ["NLD", "BEL", "national total", "joint"]


def test_members_of_different_size():
    members = [Member("DEU", 6000.0, 0.4), Member("NLD", 1200.0, 0.7), Member("LUX", 60.0, 1.0)]
    r = pooled_stocks(members, correlation=0.0, service_level=0.9, **RISK)
    assert r.national_t[0] > r.national_t[1] > r.national_t[2] > 0
    assert r.joint_t <= r.national_total_t


def test_eppen_closed_form():
    z = norm.ppf(0.95)
    national, joint = normal_pooling([100, 100], [20, 20], 0.0, 0.95)
    assert national == pytest.approx(200 + 2 * 20 * z)
    assert joint == pytest.approx(200 + math.sqrt(2) * 20 * z)
    national, joint = normal_pooling([100, 100], [20, 20], 1.0, 0.95)
    assert joint == pytest.approx(national)
    with pytest.raises(UsageError):
        normal_pooling([1, 1, 1], [1, 1, 1], -0.6, 0.95)  # below −1/(n − 1)


@pytest.mark.parametrize(
    ("members", "kwargs", "field"),
    [
        (TWINS[:1], {}, "members"),
        ([TWINS[0], TWINS[0]], {}, "members"),
        (TWINS, {"correlation": 1.5}, "correlation"),
        (TWINS, {"service_level": 1.0}, "service_level"),
    ],
)
def test_bad_pools_name_the_field(members, kwargs, field):
    with pytest.raises(UsageError) as err:
        pooled_stocks(members, probability=0.1, **kwargs)
    assert err.value.field == field
    with pytest.raises(UsageError) as err:
        Member("X", 10.0, 1.5)
    assert err.value.field == "loss"
