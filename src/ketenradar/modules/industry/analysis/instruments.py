"""Subsidy instruments (issue 18, item 5): the published figures per instrument and round,
and the oversubscription of a round (requested over budget). Pure functions."""

from __future__ import annotations

import pandas as pd

__all__ = ["FIGURES", "FIGURE_COLUMNS", "OVERSUBSCRIPTION_COLUMNS", "oversubscription"]

#: The kinds of figure a row holds.
FIGURES = ("budget", "requested", "awarded", "reservation", "named")
#: The columns of the figures table.
FIGURE_COLUMNS = (
    "instrument",
    "instrument_name",
    "round",
    "figure",
    "amount_eur",
    "per_year",
    "years",
    "recipient",
    "source",
)
#: The columns of :func:`oversubscription` rows.
OVERSUBSCRIPTION_COLUMNS = (
    "instrument",
    "round",
    "budget_eur",
    "requested_eur",
    "awarded_eur",
    "oversubscription",
)


def oversubscription(figures: pd.DataFrame) -> pd.DataFrame:
    """Per instrument and round with a budget: the budget, the amount requested, the
    amount awarded (summed over the award rows given) and requested / budget (``NaN`` when a
    figure is missing: never guessed)."""
    f = figures[figures["figure"].isin(("budget", "requested", "awarded"))]
    sums = f.pivot_table(
        index=["instrument", "round"], columns="figure", values="amount_eur", aggfunc="sum"
    )
    for col in ("budget", "requested", "awarded"):
        if col not in sums:
            sums[col] = float("nan")
    sums = sums[sums["budget"].notna()].reset_index()
    out = pd.DataFrame(
        {
            "instrument": sums["instrument"],
            "round": sums["round"],
            "budget_eur": sums["budget"],
            "requested_eur": sums["requested"],
            "awarded_eur": sums["awarded"],
            "oversubscription": sums["requested"] / sums["budget"],
        }
    )
    return out[list(OVERSUBSCRIPTION_COLUMNS)].reset_index(drop=True)
