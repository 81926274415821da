"""SMR energy fit (issue 17, item 7; letter 001): which SMR designs could serve which
cluster's heat demand at which temperature, and how many units that takes. Pure functions,
no I/O.

- :func:`parse_designs` validates the design table (``data/smr_designs.yaml``): thermal and
  electric output and outlet temperature, each figure with its source and whether it was
  checked.
- :func:`parse_heat_demand` validates a heat demand file (user input: cluster, temperature
  level, demand in MW or PJ/yr). The industry module that would supply it does not exist yet.
- :func:`smr_fit`: a design fits a demand when ``outlet_c - margin >= temperature_c``; the
  units needed are ``ceil(heat_mw / thermal_mwt)``.

The rule, its margin and its limits: ``docs/methods/kansenkaart.md``, "SMR energy fit".
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ketenradar.core.errors import UsageError
from ketenradar.modules.kansenkaart.analysis.requirements import validate

#: Default margin between a reactor's outlet temperature and the highest heat-demand
#: temperature it can serve, K (project judgement: an intermediate loop and heat exchangers).
DEFAULT_MARGIN_K = 30.0
#: Seconds in a year of 365 days: PJ/yr → MW is ``PJ * 1e15 / SECONDS_PER_YEAR / 1e6``.
SECONDS_PER_YEAR = 365 * 24 * 3600
#: Float round-off below this many units is not rounded up to one more unit.
UNIT_TOLERANCE = 1e-9


class Figure(BaseModel):
    """A figure of a design with its source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float = Field(gt=0)
    source: str = Field(min_length=1, max_length=500)
    verified: bool = Field(description="Checked against the source (false: typed, unchecked)")


class SmrDesign(BaseModel):
    """One SMR design: one unit's outputs and outlet temperature."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    vendor: str = Field("", max_length=200)
    type: str = Field("", max_length=200)
    thermal_mwt: Figure
    electric_mwe: Figure | None = None
    outlet_c: Figure | None = None


class DesignTable(BaseModel):
    """``data/smr_designs.yaml``: design id → :class:`SmrDesign` (and named sources)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: dict[str, str] = Field(default_factory=dict)
    designs: dict[str, SmrDesign] = Field(min_length=1)


class HeatDemand(BaseModel):
    """One heat demand of a cluster at a temperature level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cluster: str = Field(min_length=1, max_length=200)
    temperature_c: float = Field(gt=0, le=2000, description="Temperature level needed, °C")
    heat_mw: float | None = Field(None, gt=0, description="Average heat demand, MW")
    heat_pj_per_year: float | None = Field(None, gt=0, description="Heat demand, PJ per year")
    note: str = Field("", max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> HeatDemand:
        if (self.heat_mw is None) == (self.heat_pj_per_year is None):
            raise ValueError("give exactly one of heat_mw, heat_pj_per_year")
        return self

    @property
    def mw(self) -> float:
        """The demand as an average power, MW."""
        if self.heat_mw is not None:
            return self.heat_mw
        return pj_per_year_to_mw(float(self.heat_pj_per_year or 0.0))


class HeatDemandFile(BaseModel):
    """A heat demand file: demands per cluster and temperature level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("", max_length=200)
    description: str = Field("", max_length=2000)
    illustrative: bool = Field(
        False, description="True: made-up figures to show the method, no real data"
    )
    demands: list[HeatDemand] = Field(min_length=1, max_length=10000)


def pj_per_year_to_mw(pj: float) -> float:
    """An energy per year (PJ/yr) as an average power (MW): ``pj * 1e9 / SECONDS_PER_YEAR``."""
    return pj * 1e9 / SECONDS_PER_YEAR


def parse_designs(doc: Any, *, file: str | None = None) -> DesignTable:
    """Validate an SMR design table (``data/smr_designs.yaml``'s layout)."""
    return validate(DesignTable, doc, "smr_designs", file=file)


def parse_heat_demand(doc: Any, *, file: str | None = None) -> HeatDemandFile:
    """Validate a heat demand document (``examples/kansenkaart/smr/heat_demand_illustrative.yaml``'s
    layout)."""
    return validate(HeatDemandFile, doc, "heat_demand", file=file)


def units_needed(heat_mw: float, thermal_mwt: float) -> int:
    """Units of ``thermal_mwt`` each to cover ``heat_mw``: rounded up (round-off below
    :data:`UNIT_TOLERANCE` of a unit is not)."""
    if thermal_mwt <= 0:
        raise UsageError("a unit's thermal output must be above 0 MWt", field="thermal_mwt")
    return max(1, math.ceil(heat_mw / thermal_mwt - UNIT_TOLERANCE))


def fits(outlet_c: float, margin_k: float, temperature_c: float) -> bool:
    """The fit rule: the outlet temperature less the margin reaches the demand's level."""
    return outlet_c - margin_k >= temperature_c


FIT_FIELDS = [
    "cluster",
    "temperature_c",
    "heat_mw",
    "design",
    "design_name",
    "outlet_c",
    "usable_c",
    "fits",
    "units_needed",
    "thermal_mwt",
    "electric_mwe",
    "unverified",
    "reason",
]


def smr_fit(
    demand: HeatDemandFile, designs: DesignTable, *, margin_k: float = DEFAULT_MARGIN_K
) -> pd.DataFrame:
    """Every demand × design: the usable temperature (outlet − margin), whether it fits, the
    units needed where it does, and which of the design's figures are unverified. A design
    without an outlet temperature is listed with ``fits`` empty."""
    if not 0 <= margin_k <= 500:
        raise UsageError(f"margin {margin_k!r} K: allowed 0 to 500", field="margin")
    rows = []
    for d in demand.demands:
        mw = d.mw
        for did, des in designs.designs.items():
            figs = {"thermal_mwt": des.thermal_mwt, "electric_mwe": des.electric_mwe}
            figs["outlet_c"] = des.outlet_c
            unverified = [k for k, f in figs.items() if f is not None and not f.verified]
            row: dict[str, Any] = {
                "cluster": d.cluster,
                "temperature_c": d.temperature_c,
                "heat_mw": mw,
                "design": did,
                "design_name": des.name,
                "thermal_mwt": des.thermal_mwt.value,
                "electric_mwe": des.electric_mwe.value if des.electric_mwe else None,
                "unverified": ", ".join(unverified),
            }
            if des.outlet_c is None:
                row |= {"outlet_c": None, "usable_c": None, "fits": None, "units_needed": None}
                row["reason"] = "outlet temperature not in the design table"
            else:
                usable = des.outlet_c.value - margin_k
                ok = fits(des.outlet_c.value, margin_k, d.temperature_c)
                row |= {"outlet_c": des.outlet_c.value, "usable_c": usable, "fits": ok}
                row["units_needed"] = units_needed(mw, des.thermal_mwt.value) if ok else None
                row["reason"] = (
                    f"{usable:g} °C usable >= {d.temperature_c:g} °C"
                    if ok
                    else f"{usable:g} °C usable < {d.temperature_c:g} °C"
                )
            rows.append(row)
    out = pd.DataFrame(rows, columns=FIT_FIELDS)
    out["fits"] = out["fits"].astype(object)
    out["units_needed"] = out["units_needed"].astype("Int64")
    return out
