"""The maatwerk companies followed individually (issue 18, item 3): their installations'
verified emissions and free allocation per year. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

__all__ = ["COMPANY_COLUMNS", "per_company"]

#: The columns of :func:`per_company`.
COMPANY_COLUMNS = (
    "company",
    "year",
    "verified_t",
    "free_allocation_t",
    "installations",
    "coverage",
)


def per_company(
    holders: Mapping[str, Sequence[str]],
    installations: pd.DataFrame,
    rows: pd.DataFrame,
    complete_years: Iterable[int],
) -> pd.DataFrame:
    """Per company (``holders``: company → EUTL holder names) and year: the verified emissions
    (installations with a verified number), free allocation, the number of installations
    with a number, and the coverage (``all`` in a year the EUTL export gives, else ``large
    only``). ``installations``: ``installation_id``, ``holder``; ``rows``: the emissions
    table. A company without an installation has no rows."""
    complete = set(complete_years)
    out = []
    for company, names in holders.items():
        ids = set(installations.loc[installations["holder"].isin(list(names)), "installation_id"])
        em = rows[rows["installation_id"].isin(ids)]
        for year, g in em.groupby("year", sort=True):
            v = g[g["status"] == "verified"]
            out.append(
                {
                    "company": company,
                    "year": int(year),
                    "verified_t": float(v["verified_t"].sum(min_count=1)),
                    "free_allocation_t": float(g["free_allocation_t"].sum(min_count=1)),
                    "installations": len(v),
                    "coverage": "all" if int(year) in complete else "large only",
                }
            )
    return pd.DataFrame(out, columns=list(COMPANY_COLUMNS)).astype(
        {"year": "int64", "installations": "int64"}
    )
