"""Supply concentration per material and stage, and the CRMA 2030 benchmarks.

Sources: the EU CRM assessment's global supply shares (``source = eu_crm``) and EU sourcing
shares (``eu_crm_eu``), and USGS world production (``usgs``, every year loaded). Shares are
fractions of the total the source states for that material, stage and year (for USGS: the
world total row; where a file has none, the sum of its rows).

CRMA benchmarks (Regulation (EU) 2024/1252, Art. 5(1)): by 2030, for each strategic raw
material, EU capacity for extraction ≥ 10 %, processing ≥ 40 % and recycling ≥ 25 % of the
EU's annual consumption, and no more than 65 % of the EU's annual consumption at any relevant
stage from a single third country. Consumption is not in the open data; the proxies used are
documented in ``docs/methods/concentration.md``.
"""

from __future__ import annotations

import pandas as pd

from ketenradar.core.groups import EU27

#: CRMA Art. 5(1) benchmarks.
CRMA_SINGLE_COUNTRY_MAX = 0.65
CRMA_EXTRACTION_MIN = 0.10
CRMA_PROCESSING_MIN = 0.40
CRMA_RECYCLING_MIN = 0.25

#: Change in the top country's share (fraction points) below which a trend is "stable".
TREND_TOLERANCE = 0.02

CONCENTRATION_COLUMNS = [
    "material",
    "stage",
    "source",
    "year",
    "top_country",
    "top_share",
    "hhi",
    "n_countries",
    "crma_65_flag",
    "top_is_third_country",
    "eu27_share",
    "total",
    "unit",
    "description",
    "top_share_first_year",
    "first_year",
    "trend",
]


def concentration_from_shares(
    shares: pd.DataFrame, source: str, year_col: str = "year"
) -> pd.DataFrame:
    """Concentration rows from long shares: ``material, stage, year, country, share``.

    ``country`` NULL rows (unnamed producers) count in totals but cannot be the top country
    and are left out of the HHI (which is then a lower bound).
    """
    df = shares.dropna(subset=["share"]).copy()
    df["is_eu"] = df["country"].isin(EU27)
    keys = ["material", "stage", year_col]
    named = df.dropna(subset=["country"]).sort_values(
        [*keys, "share"], ascending=[True] * 3 + [False]
    )
    g = named.groupby(keys, sort=True)
    out = g.agg(
        top_country=("country", "first"),
        top_share=("share", "first"),
        hhi=("share", lambda s: float((s**2).sum())),
        n_countries=("share", lambda s: int((s > 0).sum())),
    ).reset_index()
    eu = df[df["is_eu"]].groupby(keys)["share"].sum().rename("eu27_share").reset_index()
    out = out.merge(eu, on=keys, how="left")
    out["eu27_share"] = out["eu27_share"].fillna(0.0)
    out["source"] = source
    out = out.rename(columns={year_col: "year"})
    return _flags(out)


def _flags(out: pd.DataFrame) -> pd.DataFrame:
    out["top_is_third_country"] = ~out["top_country"].isin(EU27)
    out["crma_65_flag"] = out["top_is_third_country"] & (out["top_share"] > CRMA_SINGLE_COUNTRY_MAX)
    return out


def usgs_shares(production: pd.DataFrame) -> pd.DataFrame:
    """USGS production to shares of the stated world total.

    Per material, stage and year the latest MCS edition that reports it is used (Type texts
    change between editions, so the edition is chosen per stage, not per description). Within
    it, rows of the same unit are one group (several Types of one stage, e.g. platinum and
    palladium, add up); the total is the group's single world-total row, or the sum of its
    rows when it has none or several. Returns ``material, stage, description, year, country,
    share, total, unit``.
    """
    p = production.dropna(subset=["stage"]).copy()
    latest = p.groupby(["material", "stage", "year"])["release"].transform("max")
    p = p[p["release"] == latest]
    keys = ["material", "stage", "year", "unit"]
    world = p[p["row_type"] == "world"].groupby(keys)["value"].agg(["sum", "count"])
    rows = p[p["row_type"] != "world"]
    per_country = rows.groupby([*keys, "country"], dropna=False, as_index=False).agg(
        value=("value", "sum"), description=("description", "first")
    )
    summed = rows.groupby(keys)["value"].sum(min_count=1).rename("summed")
    tot = pd.concat([world, summed], axis=1).reset_index()
    one_world = (tot["count"] == 1) & (tot["sum"] > 0)
    tot["total"] = tot["sum"].where(one_world, tot["summed"])
    out = per_country.merge(tot[[*keys, "total"]], on=keys)
    out = out[out["total"] > 0]
    out["share"] = out["value"].fillna(0.0) / out["total"]
    desc = rows.groupby(keys)["description"].agg(lambda d: "; ".join(sorted(set(d.dropna()))))
    out = out.drop(columns="description").merge(desc.rename("description").reset_index(), on=keys)
    return out[["material", "stage", "description", "year", "country", "share", "total", "unit"]]


def concentration_usgs(production: pd.DataFrame) -> pd.DataFrame:
    """Concentration per material, stage, description and year from USGS production."""
    s = usgs_shares(production)
    parts = []
    for (desc, unit), grp in s.groupby(["description", "unit"], dropna=False):
        c = concentration_from_shares(grp, "usgs")
        c["description"] = desc
        c["unit"] = unit
        tot = grp.groupby(["material", "stage", "year"])["total"].first().reset_index()
        parts.append(c.merge(tot, on=["material", "stage", "year"], how="left"))
    if not parts:
        return pd.DataFrame(columns=CONCENTRATION_COLUMNS)
    return pd.concat(parts, ignore_index=True)


#: The trends of the top country's share since the first year loaded (the pages show the
#: message ``mat_trend_<trend>``, spaces as underscores).
TRENDS = ("stable", "more concentrated", "less concentrated")


def add_trend(df: pd.DataFrame) -> pd.DataFrame:
    """Top share in the first year loaded per material/stage/source/unit, and the trend."""
    keys = ["material", "stage", "source", "unit"]
    d = df.copy()
    d["unit"] = d["unit"].fillna("")
    first = d.sort_values("year").groupby(keys, dropna=False).first().reset_index()
    first = first[[*keys, "year", "top_share"]].rename(
        columns={"year": "first_year", "top_share": "top_share_first_year"}
    )
    d = d.merge(first, on=keys, how="left")
    delta = d["top_share"] - d["top_share_first_year"]
    stable, more, less = TRENDS
    d["trend"] = stable
    d.loc[delta > TREND_TOLERANCE, "trend"] = more
    d.loc[delta < -TREND_TOLERANCE, "trend"] = less
    d.loc[d["year"] == d["first_year"], "trend"] = ""
    d["unit"] = d["unit"].replace("", None)
    return d


def concentration_table(
    eu_shares: pd.DataFrame | None, usgs_production: pd.DataFrame | None, eu_year: int = 2023
) -> pd.DataFrame:
    """All concentration rows: EU global supply, EU sourcing and USGS (all years)."""
    parts = []
    if eu_shares is not None and len(eu_shares):
        e = eu_shares.assign(year=eu_year)
        for scope, source in (("global", "eu_crm"), ("eu", "eu_crm_eu")):
            part = concentration_from_shares(e[e["scope"] == scope], source)
            tot = e[e["scope"] == scope].groupby(["material", "stage"])["share"].sum()
            part = part.merge(tot.rename("total").reset_index(), on=["material", "stage"])
            part["unit"] = "fraction"
            part["description"] = None
            parts.append(part)
    if usgs_production is not None and len(usgs_production):
        parts.append(concentration_usgs(usgs_production))
    if not parts:
        return pd.DataFrame(columns=CONCENTRATION_COLUMNS)
    out = add_trend(pd.concat(parts, ignore_index=True))
    out["year"] = out["year"].astype(int)
    return (
        out[CONCENTRATION_COLUMNS]
        .sort_values(["material", "stage", "source", "year"])
        .reset_index(drop=True)
    )


CRMA_COLUMNS = [
    "material",
    "name",
    "stage",
    "max_third_country",
    "max_third_country_share_eu_sourcing",
    "meets_65",
    "eu27_share_of_eu_sourcing",
    "eu27_share_of_global_supply",
    "capacity_benchmark",
    "meets_capacity_proxy",
    "eol_rir",
    "meets_recycling_proxy",
    "note",
]


#: The CRMA table's notes: key → English wording (``crma.note`` joins them with ``"; "``).
CRMA_NOTES = {
    "no_eu_sourcing": "no EU sourcing shares: 65 % benchmark not judged",
    "no_global_supply": "no global supply shares",
}


def crma_table(
    eu_shares: pd.DataFrame, strategic: dict[str, str], eol_rir: dict[str, float]
) -> pd.DataFrame:
    """The CRMA 2030 benchmarks per strategic raw material and stage, where data allows.

    ``strategic`` maps material id → display name; ``eol_rir`` material → EoL-RIR.
    """
    rows = []
    for mat, name in strategic.items():
        sub = eu_shares[eu_shares["material"] == mat]
        stages = sorted(sub["stage"].unique()) or ["extraction", "processing"]
        for stage in stages:
            s = sub[sub["stage"] == stage]
            eu_src = s[s["scope"] == "eu"].dropna(subset=["share"])
            glob = s[s["scope"] == "global"].dropna(subset=["share"])
            third = eu_src[~eu_src["country"].isin(EU27) & eu_src["country"].notna()]
            top = third.sort_values("share", ascending=False).head(1)
            bench = CRMA_EXTRACTION_MIN if stage == "extraction" else CRMA_PROCESSING_MIN
            eu_in_src = float(eu_src[eu_src["country"].isin(EU27)]["share"].sum())
            eu_in_glob = float(glob[glob["country"].isin(EU27)]["share"].sum())
            notes = []
            if eu_src.empty:
                notes.append(CRMA_NOTES["no_eu_sourcing"])
            if glob.empty:
                notes.append(CRMA_NOTES["no_global_supply"])
            eol = eol_rir.get(mat)
            rows.append(
                {
                    "material": mat,
                    "name": name,
                    "stage": stage,
                    "max_third_country": top["country"].iloc[0] if len(top) else None,
                    "max_third_country_share_eu_sourcing": float(top["share"].iloc[0])
                    if len(top)
                    else None,
                    # No third country among the EU's sources meets the benchmark trivially.
                    "meets_65": (
                        bool(top["share"].iloc[0] <= CRMA_SINGLE_COUNTRY_MAX)
                        if len(top)
                        else (True if not eu_src.empty else None)
                    ),
                    "eu27_share_of_eu_sourcing": eu_in_src if not eu_src.empty else None,
                    "eu27_share_of_global_supply": eu_in_glob if not glob.empty else None,
                    "capacity_benchmark": bench,
                    "meets_capacity_proxy": bool(eu_in_src >= bench) if not eu_src.empty else None,
                    "eol_rir": eol,
                    "meets_recycling_proxy": bool(eol >= CRMA_RECYCLING_MIN)
                    if eol is not None
                    else None,
                    "note": "; ".join(notes),
                }
            )
    return pd.DataFrame(rows, columns=CRMA_COLUMNS)
