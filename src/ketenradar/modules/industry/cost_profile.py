"""The documents of the speelveldtoets calculator (issue 18, item 4), checked with pydantic:
the consumer profile (``--profile FILE`` or the command's options), the indirect cost
compensation parameters (``data/ikc.yaml``) and the cost adjustments not in the open data
(``data/cost_adjustments.yaml``). A value no consumer can have is refused with the reason and
the field."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ketenradar.core.errors import DataError, NotFoundError
from ketenradar.core.safe_yaml import invalid_document, load_yaml
from ketenradar.modules.industry.analysis.cost_stack import (
    Adjustment,
    IkcParameters,
    Profile,
    ScenarioChange,
)

__all__ = [
    "ADJUSTMENTS",
    "COUNTRIES",
    "IKC",
    "AdjustmentSpec",
    "CostProfile",
    "load_adjustments",
    "load_ikc",
    "load_profile",
    "load_scenario",
]

HERE = Path(__file__).parent / "data"
#: The shipped compensation parameters and (empty) adjustments.
IKC = HERE / "ikc.yaml"
ADJUSTMENTS = HERE / "cost_adjustments.yaml"
#: The countries compared by default: the Netherlands and the neighbours of the speelveldtoets.
COUNTRIES = ("NL", "DE", "FR", "BE")
#: The largest consumption accepted (MWh a year): above the Netherlands' whole industry.
MAX_CONSUMPTION_MWH = 100_000_000.0

_COUNTRY = r"^[A-Z]{2}$"


class AdjustmentSpec(BaseModel):
    """One adjustment as a file gives it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    country: str = Field(pattern=_COUNTRY)
    eur_mwh: float = Field(ge=-1000, le=1000, allow_inf_nan=False)
    source: str = Field(min_length=1)
    first_year: int = Field(default=1900, ge=1900, le=2100)
    last_year: int = Field(default=2100, ge=1900, le=2100)
    min_consumption_mwh: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    min_full_load_hours: float = Field(default=0.0, ge=0, le=8760, allow_inf_nan=False)
    connection: Literal["transmission", "distribution"] | None = None

    @model_validator(mode="after")
    def _years(self) -> AdjustmentSpec:
        if self.last_year < self.first_year:
            raise ValueError(f"last_year {self.last_year} is before first_year {self.first_year}")
        return self

    def adjustment(self) -> Adjustment:
        """As the analysis takes it."""
        return Adjustment(
            self.name,
            self.country,
            self.eur_mwh,
            " ".join(self.source.split()),
            self.first_year,
            self.last_year,
            self.min_consumption_mwh,
            self.min_full_load_hours,
            self.connection,
        )


class CostProfile(BaseModel):
    """A consumer profile: what the calculator compares."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="profile", min_length=1, max_length=120)
    consumption_mwh: float = Field(gt=0, le=MAX_CONSUMPTION_MWH, allow_inf_nan=False)
    load_factor: float = Field(gt=0, le=1, allow_inf_nan=False)
    connection: Literal["transmission", "distribution"] | None = None
    ikc_eligible: bool = False
    eligible_share: float = Field(default=1.0, ge=0, le=1, allow_inf_nan=False)
    co2_price_eur_t: float | dict[int, float] | None = None
    countries: list[str] = Field(default=list(COUNTRIES), min_length=2)
    first_year: int = Field(default=2019, ge=2007, le=2100)
    last_year: int = Field(default=2025, ge=2007, le=2100)
    reference: str = Field(default="NL", pattern=_COUNTRY)
    hold_prices_after: int | None = Field(default=None, ge=2007, le=2100)
    adjustments: list[AdjustmentSpec] = []

    @model_validator(mode="after")
    def _consistent(self) -> CostProfile:
        if self.last_year < self.first_year:
            raise ValueError(f"last_year {self.last_year} is before first_year {self.first_year}")
        bad = [c for c in self.countries if not (len(c) == 2 and c.isalpha() and c.isupper())]
        if bad:
            raise ValueError(f"countries: '{bad[0]}' is not a two-letter Eurostat code (NL, DE)")
        if len(set(self.countries)) != len(self.countries):
            raise ValueError("countries: a country is listed twice")
        if self.reference not in self.countries:
            raise ValueError(f"reference {self.reference} is not among the countries")
        prices = self.co2_price_eur_t
        values = prices.values() if isinstance(prices, dict) else [prices]
        if any(p is not None and not 0 <= p <= 1000 for p in values):
            raise ValueError("co2_price_eur_t: a price from 0 to 1,000 EUR/t")
        if self.ikc_eligible and prices is None:
            raise ValueError(
                "ikc_eligible needs co2_price_eur_t: the CO2 price of the year before (EUR/t), "
                "one number or one per year, as the scheme fixes it"
            )
        return self

    def co2_price(self, year: int) -> float | None:
        """The CO2 price the compensation of ``year`` uses (EUR/t), or ``None``."""
        p = self.co2_price_eur_t
        return p.get(year) if isinstance(p, dict) else p

    def profile(self, adjustments: list[Adjustment]) -> Profile:
        """The analysis's :class:`Profile`, with the file's and the profile's adjustments."""
        return Profile(
            self.consumption_mwh,
            self.load_factor,
            self.ikc_eligible,
            self.eligible_share,
            self.name,
            (*adjustments, *(a.adjustment() for a in self.adjustments)),
            self.connection,
        )


class _Period(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_year: int = Field(ge=1900, le=2100)
    last_year: int = Field(ge=1900, le=2100)
    aid_intensity: float = Field(ge=0, le=1, allow_inf_nan=False)
    emission_factor_t_mwh: float = Field(gt=0, le=2, allow_inf_nan=False)


class _Scheme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(pattern=_COUNTRY)
    scheme: str = Field(min_length=1)
    source: str = Field(min_length=1)
    judgement: str | None = None
    periods: list[_Period] = Field(min_length=1)


class _IkcFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schemes: list[_Scheme] = Field(min_length=1)


class _AdjustmentsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adjustments: list[AdjustmentSpec] = []


def _read(path: Path | str | None, default: Path, what: str, model: type[BaseModel]) -> Any:
    file = Path(path) if path is not None else default
    if not file.is_file():
        raise NotFoundError(f"{what} {file} not found", field=what.replace(" ", "_"))
    st = file.stat()  # the file as it is now: an edit is read again
    return _parsed(str(file), st.st_mtime_ns, st.st_size, model), file


@functools.lru_cache(maxsize=32)
def _parsed(file: str, mtime_ns: int, size: int, model: type[BaseModel]) -> Any:
    doc = load_yaml(Path(file).read_text(encoding="utf-8"), file=file)
    try:
        return model.model_validate(doc if doc is not None else {})
    except ValidationError as exc:
        raise invalid_document(exc, file) from None


def load_profile(path: Path | str) -> CostProfile:
    """The profile document at ``path`` (YAML or JSON), or a :class:`DataError` naming the
    field and the reason (``load_factor: Input should be less than or equal to 1``)."""
    return _read(path, Path(path), "profile file", CostProfile)[0]


def check_profile(values: dict[str, Any]) -> CostProfile:
    """A profile from the command's options (errors name the option's field)."""
    try:
        return CostProfile.model_validate(values)
    except ValidationError as exc:
        raise invalid_document(exc, "the profile options") from None


def load_ikc(
    path: Path | str | None = None,
) -> tuple[dict[tuple[str, int], tuple[float, float, str]], dict[str, str], str]:
    """The compensation parameters: (country, year) → (aid intensity, emission factor,
    source); the judgement notes per country; the file. Overlapping periods of one country are
    refused."""
    spec, file = _read(path, IKC, "IKC file", _IkcFile)
    out: dict[tuple[str, int], tuple[float, float, str]] = {}
    notes: dict[str, str] = {}
    for i, s in enumerate(spec.schemes):
        if s.judgement:
            notes[s.country] = " ".join(s.judgement.split())
        for j, p in enumerate(s.periods):
            for year in range(p.first_year, p.last_year + 1):
                if (s.country, year) in out:
                    raise DataError(
                        f"{s.country} {year} is in two periods",
                        file=str(file),
                        field=f"schemes[{i}].periods[{j}]",
                    )
                src = f"{s.scheme}: {' '.join(s.source.split())}"
                out[(s.country, year)] = (p.aid_intensity, p.emission_factor_t_mwh, src)
    return out, notes, str(file)


def load_adjustments(path: Path | str | None = None) -> tuple[list[Adjustment], str]:
    """The adjustments of the file at ``path`` (default the shipped, empty one)."""
    spec, file = _read(path, ADJUSTMENTS, "adjustments file", _AdjustmentsFile)
    return [a.adjustment() for a in spec.adjustments], str(file)


def ikc_parameters(
    table: dict[tuple[str, int], tuple[float, float, str]], profile: CostProfile
) -> dict[tuple[str, int], IkcParameters]:
    """The analysis's parameters per (country, year) for ``profile`` (its CO2 price)."""
    out = {}
    for (country, year), (intensity, factor, source) in table.items():
        price = profile.co2_price(year)
        if price is not None:
            out[(country, year)] = IkcParameters(intensity, price, factor, source)
    return out


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(pattern=_COUNTRY)
    first_year: int = Field(ge=1900, le=2100)
    last_year: int = Field(default=2100, ge=1900, le=2100)
    aid_intensity: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    emission_factor_t_mwh: float | None = Field(default=None, gt=0, le=2, allow_inf_nan=False)
    eligible: bool | None = None
    support_eur_per_year: float | None = Field(default=None, ge=0, le=1e12, allow_inf_nan=False)
    eligible_consumption_mwh: float | None = Field(
        default=None, gt=0, le=MAX_CONSUMPTION_MWH * 10, allow_inf_nan=False
    )

    @model_validator(mode="after")
    def _consistent(self) -> _Change:
        if self.last_year < self.first_year:
            raise ValueError(f"last_year {self.last_year} is before first_year {self.first_year}")
        if self.support_eur_per_year and not self.eligible_consumption_mwh:
            raise ValueError(
                "support_eur_per_year needs eligible_consumption_mwh: the consumption the "
                "budget is spread over"
            )
        given = (self.aid_intensity, self.emission_factor_t_mwh, self.eligible)
        if all(v is None for v in given) and not self.support_eur_per_year:
            raise ValueError(
                "a change needs one of aid_intensity, emission_factor_t_mwh, eligible, "
                "support_eur_per_year"
            )
        return self


class CostScenario(BaseModel):
    """A what-if of the calculator: changes to the compensation and support per country."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    source: str | None = None
    changes: list[_Change] = Field(min_length=1)

    def scenario_changes(self) -> list[ScenarioChange]:
        """As the analysis takes them."""
        return [ScenarioChange(**c.model_dump()) for c in self.changes]


def load_scenario(path: Path | str) -> CostScenario:
    """The scenario document at ``path`` (YAML or JSON), or a ``DataError`` naming the field
    (``changes[0].aid_intensity``)."""
    return _read(path, Path(path), "scenario file", CostScenario)[0]
