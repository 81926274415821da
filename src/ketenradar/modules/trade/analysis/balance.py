"""Mutual dependency: is the importer's dependency on a partner matched by the reverse?

For importer set J and each partner P: the importer's dependent products whose top supplier
is P (count and external import value), against P's dependent products — P screened as an
importer with the same method and thresholds — whose top supplier is a member of J.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METHOD_COLUMNS = {"eu2021": "dependent_eu2021", "geodep": "dependent_geodep"}


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num.astype(float) / den.astype(float)
    out[(den == 0) & (num == 0)] = np.nan
    return out


def direction(importer_kusd: float, partner_kusd: float, min_ratio: float = 0.0) -> str:
    """Which way a balance points: ``mutual``, ``importer_depends``, ``partner_depends`` or
    ``none``, judged by value: mutual only when both sides depend and the smaller side's value
    is at least ``min_ratio`` of the larger's (else the larger side depends)."""
    a, b = float(importer_kusd or 0), float(partner_kusd or 0)
    if a > 0 and b > 0:
        if min(a, b) >= min_ratio * max(a, b):
            return "mutual"
        return "importer_depends" if a > b else "partner_depends"
    if a > 0:
        return "importer_depends"
    if b > 0:
        return "partner_depends"
    return "none"


def mutual_dependency(
    importer_screen: pd.DataFrame,
    partner_screens: pd.DataFrame,
    importer_members: frozenset[str],
    method: str = "eu2021",
    partners: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Balance table per partner and the products behind each side.

    Parameters
    ----------
    importer_screen : screening of J (one importer label)
    partner_screens : screening of every partner P as importer (``importer`` = P)
    importer_members : the ISO3 members of J
    method : ``eu2021`` or ``geodep`` — which dependency flag counts
    partners : restrict to these partners (default: every partner on either side)

    Returns
    -------
    (summary, products): ``summary`` has one row per partner with
    ``importer_dependent_products``, ``importer_dependent_kusd`` (J on P),
    ``partner_dependent_products``, ``partner_dependent_kusd`` (P on J),
    ``balance_ratio_products`` and ``balance_ratio_kusd`` (P-on-J over J-on-P: above 1 the
    partner depends more on J than J on the partner); ``products`` lists the products.
    """
    flag = METHOD_COLUMNS[method]
    ours = importer_screen[importer_screen[flag].fillna(False).astype(bool)].copy()
    ours = ours[ours["top_supplier"].notna()]
    ours["partner"] = ours["top_supplier"]
    ours["side"] = "importer depends on partner"
    theirs = partner_screens[partner_screens[flag].fillna(False).astype(bool)].copy()
    theirs = theirs[theirs["top_supplier"].isin(importer_members)]
    theirs = theirs[~theirs["importer"].isin(importer_members)]
    theirs["partner"] = theirs["importer"]
    theirs["side"] = "partner depends on importer"
    if partners is not None:
        ours = ours[ours["partner"].isin(partners)]
        theirs = theirs[theirs["partner"].isin(partners)]
    a = ours.groupby("partner").agg(
        importer_dependent_products=("product", "size"),
        importer_dependent_kusd=("external_imports_kusd", "sum"),
    )
    b = theirs.groupby("partner").agg(
        partner_dependent_products=("product", "size"),
        partner_dependent_kusd=("external_imports_kusd", "sum"),
    )
    summary = a.join(b, how="outer")
    if partners is not None:
        summary = summary.reindex(sorted(set(partners) | set(summary.index)))
    summary = summary.fillna(0)
    for c in ("importer_dependent_products", "partner_dependent_products"):
        summary[c] = summary[c].astype("int64")
    summary["balance_ratio_products"] = _ratio(
        summary["partner_dependent_products"], summary["importer_dependent_products"]
    )
    summary["balance_ratio_kusd"] = _ratio(
        summary["partner_dependent_kusd"], summary["importer_dependent_kusd"]
    )
    summary = summary.reset_index().rename(columns={"index": "partner"})
    summary = summary.sort_values(
        ["importer_dependent_kusd", "partner_dependent_kusd"], ascending=False, kind="stable"
    ).reset_index(drop=True)
    cols = [
        "side", "partner", "year", "importer", "product", "product_description",
        "external_imports_kusd", "supplier_hhi", "top_supplier", "top_supplier_share",
    ]  # fmt: skip
    products = pd.concat([ours[cols], theirs[cols]], ignore_index=True)
    products = products.sort_values(
        ["partner", "side", "external_imports_kusd"], ascending=[True, True, False]
    ).reset_index(drop=True)
    return summary, products
