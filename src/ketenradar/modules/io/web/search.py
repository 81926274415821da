"""What the input-output module contributes to the site search: the industries of the
exposure table (ICIO code and name), each landing on its row of the input-output page."""

from __future__ import annotations

from ketenradar.interfaces.web.search import SearchEntry
from ketenradar.results.facts import Facts


def entries(facts: Facts) -> list[SearchEntry]:
    """One entry per industry of ``io_exposure_industry``."""
    df = facts.table("io_exposure_industry").drop_duplicates("industry")
    return [
        SearchEntry("industry", str(code), f"{code} {name}", f"io#industry-{code}", names=(name,))
        for code, name in zip(df["industry"], df["industry_name"], strict=True)
    ]
