"""The speelveldtoets electricity cost stack (issue 18, item 4): pure functions.

For a consumer profile (annual consumption, load factor, eligibility for the indirect cost
compensation) the cost of a MWh in each country and year is stacked from:

* **commodity**: the day-ahead wholesale price, the mean of the year's monthly averages
  (Ember; a year with fewer than 12 months has none);
* **supply, network and other** (before taxes): the Eurostat price excluding taxes and levies
  (``X_TAX``) of the profile's consumption band, minus the commodity. Eurostat's component
  split (``nrg_pc_205_c``) is not in the open data here, so this is a residual: network
  charges, supply costs and margins, and the difference between the day-ahead price and what
  the band's consumers actually paid for energy (hedging, contracts);
* **taxes and levies**: the price excluding VAT and other recoverable taxes (``X_VAT``, what
  industry pays) minus ``X_TAX``;
* **adjustments**: components that are not in the open data, from a user-editable table, each
  with its source (e.g. a network-tariff reduction for baseload consumers);
* **indirect cost compensation** (negative): the EU state-aid formula for indirect emission
  costs with the fallback benchmark, ``aid intensity × CO2 price of the year before × emission
  factor × 0.8 × eligible consumption``, per MWh consumed.

A semester price is the half-year's; the year's is the mean of its two semesters (Eurostat
publishes no weights with nrg_pc_205). Method and sources: docs/methods/industry.md,
"Speelveldtoets: the electricity cost stack".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

__all__ = [
    "BANDS",
    "COMPONENTS",
    "COST_COLUMNS",
    "FALLBACK_BENCHMARK",
    "GAP_COLUMNS",
    "Adjustment",
    "IkcParameters",
    "Profile",
    "ScenarioChange",
    "apply_scenario",
    "band_of",
    "commodity_per_year",
    "cost_stack",
    "gaps",
    "ikc_per_mwh",
    "in_euros",
    "retail_per_year",
]

#: Eurostat's consumption bands for non-household consumers: band → [low, high) in MWh/year.
BANDS: dict[str, tuple[float, float]] = {
    "IA": (0.0, 20.0),
    "IB": (20.0, 500.0),
    "IC": (500.0, 2_000.0),
    "ID": (2_000.0, 20_000.0),
    "IE": (20_000.0, 70_000.0),
    "IF": (70_000.0, 150_000.0),
    "IG": (150_000.0, math.inf),
}
#: The fallback electricity consumption efficiency benchmark of the EU ETS state-aid
#: guidelines: aid is computed on 80 % of the eligible consumption.
FALLBACK_BENCHMARK = 0.8
#: The components of the stack, in order (column names, EUR/MWh).
COMPONENTS = (
    "commodity_eur_mwh",
    "supply_network_other_eur_mwh",
    "taxes_levies_eur_mwh",
    "adjustments_eur_mwh",
    "ikc_eur_mwh",
)
#: The columns of :func:`cost_stack` rows.
COST_COLUMNS = (
    "country",
    "year",
    "band",
    *COMPONENTS,
    "total_eur_mwh",
    "total_eur_year",
    "eurostat_flags",
)
#: The columns of :func:`gaps` rows.
GAP_COLUMNS = (
    "year",
    "country",
    "component",
    "reference_eur_mwh",
    "country_eur_mwh",
    "gap_eur_mwh",
)


def band_of(consumption_mwh: float) -> str:
    """The Eurostat band of an annual consumption (MWh): ``IC`` for 500–1,999 MWh."""
    for band, (low, high) in BANDS.items():
        if low <= consumption_mwh < high:
            return band
    raise ValueError(f"consumption {consumption_mwh} MWh is in no band")


@dataclass(frozen=True)
class IkcParameters:
    """The indirect cost compensation of one country and year: aid intensity (share), the
    CO2 price of the year before (EUR/t), the emission factor (t CO2/MWh) and the source."""

    aid_intensity: float
    co2_price_eur_t: float
    emission_factor_t_mwh: float
    source: str = ""


@dataclass(frozen=True)
class Adjustment:
    """A component not in the open data: ``eur_mwh`` added per MWh (negative: a reduction) in
    ``country`` from ``first_year`` to ``last_year`` for profiles with at least
    ``min_consumption_mwh`` and ``min_full_load_hours`` (and at ``connection``, if given)."""

    name: str
    country: str
    eur_mwh: float
    source: str
    first_year: int = 1900
    last_year: int = 2100
    min_consumption_mwh: float = 0.0
    min_full_load_hours: float = 0.0
    connection: str | None = None

    def applies(self, country: str, year: int, profile: Profile) -> bool:
        """Whether it applies to ``profile`` in ``country`` and ``year`` (and, when the
        adjustment names a connection level, only to a profile connected at that level)."""
        return (
            self.country == country
            and self.first_year <= year <= self.last_year
            and profile.consumption_mwh >= self.min_consumption_mwh
            and profile.full_load_hours >= self.min_full_load_hours
            and (self.connection is None or self.connection == profile.connection)
        )


@dataclass(frozen=True)
class Profile:
    """A consumer: annual consumption (MWh), load factor (0–1], whether it is eligible for
    the indirect cost compensation and the share of its consumption that is (0–1), and its
    connection level (``transmission``, ``distribution``; used by the adjustments)."""

    consumption_mwh: float
    load_factor: float
    ikc_eligible: bool = False
    eligible_share: float = 1.0
    name: str = "profile"
    adjustments: tuple[Adjustment, ...] = field(default=())
    connection: str | None = None

    @property
    def full_load_hours(self) -> float:
        """Hours a year at peak demand that give the consumption: load factor × 8,760."""
        return self.load_factor * 8760.0

    @property
    def peak_mw(self) -> float:
        """Peak demand (MW): consumption / full-load hours."""
        return self.consumption_mwh / self.full_load_hours

    @property
    def band(self) -> str:
        """The Eurostat consumption band."""
        return band_of(self.consumption_mwh)


def ikc_per_mwh(profile: Profile, p: IkcParameters) -> float:
    """The compensation per MWh consumed (EUR/MWh, positive): aid intensity × CO2 price ×
    emission factor × fallback benchmark (0.8) × eligible share; 0 when not eligible."""
    if not profile.ikc_eligible:
        return 0.0
    return (
        p.aid_intensity
        * p.co2_price_eur_t
        * p.emission_factor_t_mwh
        * FALLBACK_BENCHMARK
        * profile.eligible_share
    )


def commodity_per_year(wholesale: pd.DataFrame) -> pd.DataFrame:
    """``country``, ``year``, ``commodity_eur_mwh`` (mean of the monthly averages) from the
    monthly prices (``country``, ``month``, ``eur_per_mwh``); years with fewer than 12
    months are left out."""
    w = wholesale.assign(year=pd.to_datetime(wholesale["month"]).dt.year)
    g = w.groupby(["country", "year"])["eur_per_mwh"].agg(["mean", "count"]).reset_index()
    g = g[g["count"] == 12]
    return g.rename(columns={"mean": "commodity_eur_mwh"})[["country", "year", "commodity_eur_mwh"]]


#: Year each euro-area member adopted the euro (ECB): its national-currency (NAC) prices
#: from that year on are euros.
EURO_SINCE = {
    "AT": 1999, "BE": 1999, "DE": 1999, "ES": 1999, "FI": 1999, "FR": 1999, "IE": 1999,
    "IT": 1999, "LU": 1999, "NL": 1999, "PT": 1999, "EL": 2001, "SI": 2007, "CY": 2008,
    "MT": 2008, "SK": 2009, "EE": 2011, "LV": 2014, "LT": 2015, "HR": 2023,
}  # fmt: skip


def in_euros(prices: pd.DataFrame, newest_first: Sequence[str] = ()) -> pd.DataFrame:
    """The Eurostat rows in euros: the ``EUR`` rows, and the national-currency rows of a
    euro-area member from its adoption year where no ``EUR`` row is given (the source holds
    some band/tax series in ``NAC`` only; for a euro member they are the same numbers).

    ``newest_first``: the files (``source``) from the newest release to the oldest. Where a
    euro member has both an ``EUR`` and a ``NAC`` row for a half-year, the row of the newer
    release is used (an older export's EUR value must not hide a later revision that a newer
    file gives in NAC); on a tie, or without ``newest_first``, the ``EUR`` row."""
    eur = prices[prices["currency"] == "EUR"]
    since = prices["geo"].map(EURO_SINCE)
    nac = prices[(prices["currency"] == "NAC") & since.notna() & (prices["year"] >= since)]
    key = ["geo", "band", "tax", "year", "semester"]
    rank = {name: i for i, name in enumerate(newest_first)}
    last = len(rank)
    if rank and "source" in prices and len(nac) and len(eur):
        both = eur[[*key, "source"]].merge(nac[[*key, "source"]], on=key, suffixes=("_eur", "_nac"))
        newer = both[
            both["source_nac"].map(rank).fillna(last) < both["source_eur"].map(rank).fillna(last)
        ]
        revised = pd.MultiIndex.from_frame(newer[key])
        eur = eur[~eur.set_index(key).index.isin(revised)]
    have = eur.set_index(key).index
    nac = nac[~nac.set_index(key).index.isin(have)]
    return pd.concat([eur, nac.assign(currency="EUR")], ignore_index=True)


def retail_per_year(
    prices: pd.DataFrame, band: str, newest_first: Sequence[str] = ()
) -> pd.DataFrame:
    """``geo``, ``year``, ``x_tax_eur_mwh``, ``x_vat_eur_mwh``, ``eurostat_flags`` for
    ``band`` in euros (:func:`in_euros`, with ``newest_first``): the mean of the two
    semesters (a year without both semesters of a tax level has none), from the Eurostat
    rows (``geo``, ``band``, ``tax``, ``currency``, ``year``, ``semester``, ``eur_per_kwh``,
    ``flag``, optionally ``source``)."""
    p = in_euros(prices[prices["band"] == band], newest_first)
    p = p[p["tax"].isin(("X_TAX", "X_VAT")) & p["eur_per_kwh"].notna()]
    g = (
        p.groupby(["geo", "year", "tax"])
        .agg(
            value=("eur_per_kwh", "mean"),
            n=("semester", "nunique"),
            flags=("flag", lambda s: "".join(sorted({str(f) for f in s.dropna() if f}))),
        )
        .reset_index()
    )
    g = g[g["n"] == 2]
    wide = g.pivot_table(index=["geo", "year"], columns="tax", values="value").reset_index()
    for tax in ("X_TAX", "X_VAT"):
        if tax not in wide:
            wide[tax] = math.nan
    flags = g.groupby(["geo", "year"])["flags"].agg(lambda s: "".join(sorted(set("".join(s)))))
    wide = wide.merge(flags.reset_index(), on=["geo", "year"], how="left")
    return pd.DataFrame(
        {
            "geo": wide["geo"],
            "year": wide["year"].astype("int64"),
            "x_tax_eur_mwh": wide["X_TAX"] * 1000.0,
            "x_vat_eur_mwh": wide["X_VAT"] * 1000.0,
            "eurostat_flags": wide["flags"].fillna(""),
        }
    )


def cost_stack(
    profile: Profile,
    retail: pd.DataFrame,
    commodity: pd.DataFrame,
    countries: Mapping[str, str],
    years: Iterable[int],
    ikc: Mapping[tuple[str, int], IkcParameters] | None = None,
    eligible: Mapping[tuple[str, int], bool] | None = None,
) -> pd.DataFrame:
    """The stack per country and year (:data:`COST_COLUMNS`). ``retail``:
    :func:`retail_per_year` of the profile's band; ``commodity``: :func:`commodity_per_year`;
    ``countries``: Eurostat geo code → the wholesale table's country code (``NL`` → ``NLD``);
    ``ikc``: the compensation parameters per (geo, year) where a scheme exists; ``eligible``:
    per (geo, year), whether the profile is eligible there (a scenario's extension of a scheme
    to more sectors; default: the profile's own eligibility). A component without data is NaN,
    and so is the total: nothing is silently taken as zero."""
    ikc = ikc or {}
    eligible = eligible or {}
    as_eligible = replace(profile, ikc_eligible=True)
    r = retail.set_index(["geo", "year"])
    c = commodity.set_index(["country", "year"])["commodity_eur_mwh"]
    rows = []
    for geo, iso3 in countries.items():
        for year in years:
            x_tax = r["x_tax_eur_mwh"].get((geo, year), math.nan)
            x_vat = r["x_vat_eur_mwh"].get((geo, year), math.nan)
            flags = r["eurostat_flags"].get((geo, year), "")
            commodity_eur = float(c.get((iso3, year), math.nan))
            adj = sum(a.eur_mwh for a in profile.adjustments if a.applies(geo, year, profile))
            if eligible.get((geo, year), profile.ikc_eligible):
                params = ikc.get((geo, year))
                comp = -ikc_per_mwh(as_eligible, params) if params is not None else 0.0
            else:
                comp = 0.0
            parts = {
                "commodity_eur_mwh": commodity_eur,
                "supply_network_other_eur_mwh": x_tax - commodity_eur,
                "taxes_levies_eur_mwh": x_vat - x_tax,
                "adjustments_eur_mwh": float(adj),
                "ikc_eur_mwh": comp,
            }
            total = sum(parts.values())
            rows.append(
                {
                    "country": geo,
                    "year": int(year),
                    "band": profile.band,
                    **parts,
                    "total_eur_mwh": total,
                    "total_eur_year": total * profile.consumption_mwh,
                    "eurostat_flags": flags or "",
                }
            )
    return pd.DataFrame(rows, columns=list(COST_COLUMNS))


def gaps(stack: pd.DataFrame, reference: str = "NL") -> pd.DataFrame:
    """The gap of ``reference`` to every other country per year and component
    (:data:`GAP_COLUMNS`): reference minus country, EUR/MWh (positive: the reference pays
    more), the components and the total (``component`` = ``total_eur_mwh``); the components'
    gaps add up to the total's."""
    ref = stack[stack["country"] == reference].set_index("year")
    rows = []
    for _, row in stack[stack["country"] != reference].iterrows():
        year = int(row["year"])
        if year not in ref.index:
            continue
        for comp in (*COMPONENTS, "total_eur_mwh"):
            a, b = float(ref.loc[year, comp]), float(row[comp])
            rows.append(
                {
                    "year": year,
                    "country": row["country"],
                    "component": comp,
                    "reference_eur_mwh": a,
                    "country_eur_mwh": b,
                    "gap_eur_mwh": a - b,
                }
            )
    return pd.DataFrame(rows, columns=list(GAP_COLUMNS))


@dataclass(frozen=True)
class ScenarioChange:
    """A change of a scenario in ``country`` from ``first_year`` to ``last_year``: a new aid
    intensity or emission factor, eligibility (a scheme extended to the profile's sector),
    and a support budget a year spread over the eligible consumption (EUR/MWh =
    budget / eligible consumption), which applies where the profile is eligible."""

    country: str
    first_year: int
    last_year: int
    aid_intensity: float | None = None
    emission_factor_t_mwh: float | None = None
    eligible: bool | None = None
    support_eur_per_year: float | None = None
    eligible_consumption_mwh: float | None = None

    def covers(self, country: str, year: int) -> bool:
        """Whether it applies to ``country`` in ``year``."""
        return self.country == country and self.first_year <= year <= self.last_year


def apply_scenario(
    profile: Profile,
    ikc: Mapping[tuple[str, int], IkcParameters],
    changes: Iterable[ScenarioChange],
    countries: Iterable[str],
    years: Iterable[int],
    co2_price: Mapping[int, float | None],
) -> tuple[Profile, dict[tuple[str, int], IkcParameters], dict[tuple[str, int], bool]]:
    """The profile (with the support budgets as adjustments), the compensation parameters and
    the eligibility per (country, year) under ``changes`` (later changes override earlier
    ones). A change that makes the profile eligible where no scheme exists creates one from
    its own aid intensity and emission factor; the CO2 price is the profile's (``co2_price``
    per year); without one there is no compensation to compute and the caller is told."""
    changes = list(changes)
    new_ikc = dict(ikc)
    eligible: dict[tuple[str, int], bool] = {}
    support: list[Adjustment] = []
    for geo in countries:
        for year in years:
            key = (geo, year)
            ok = profile.ikc_eligible
            for ch in changes:
                if not ch.covers(geo, year):
                    continue
                if ch.eligible is not None:
                    ok = ch.eligible
                base = new_ikc.get(key)
                if ch.aid_intensity is not None or ch.emission_factor_t_mwh is not None:
                    price = co2_price.get(year)
                    intensity = (
                        ch.aid_intensity
                        if ch.aid_intensity is not None
                        else (base.aid_intensity if base else None)
                    )
                    factor = (
                        ch.emission_factor_t_mwh
                        if ch.emission_factor_t_mwh is not None
                        else (base.emission_factor_t_mwh if base else None)
                    )
                    if intensity is not None and factor is not None and price is not None:
                        new_ikc[key] = IkcParameters(intensity, price, factor, "scenario")
            eligible[key] = ok
            for ch in changes:
                if ch.covers(geo, year) and ok and ch.support_eur_per_year:
                    per_mwh = ch.support_eur_per_year / float(ch.eligible_consumption_mwh or 1)
                    support.append(
                        Adjustment(
                            "support budget (scenario)", geo, -per_mwh, "scenario", year, year
                        )
                    )
    return replace(profile, adjustments=(*profile.adjustments, *support)), new_ikc, eligible
