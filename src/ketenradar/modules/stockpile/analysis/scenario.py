"""Disruption scenarios: validated YAML/JSON documents, compiled to the simulation's arrays.

A scenario names one or more **disruptions**. Each disruption is one correlated source of
supply loss: when it happens, every listed supplier cuts the given share of its exports to the
importer, at once, for every item it supplies (one country's restriction hits several
materials together). Different disruptions of a scenario happen independently of each other::

    name: China halts gallium and germanium
    description: the 2023 export licensing, as a recurring risk
    disruptions:
      - name: CHN export halt
        suppliers:
          - {supplier: CHN, cut: 1.0}          # ISO3 code or a country group (EU27, BRICS, …)
        probability: 0.1                        # yearly probability of onset, 0..1
        duration: {distribution: geometric, months: 12}   # or {distribution: fixed, months: 6}
        ramp_up_months: 12                      # alternative supply closes the gap linearly
        items: [gallium, germanium]             # optional: only these items (default: all)
    demand_response: 0.0                        # share of an item's demand that falls away
    demand_response_by_item: {gallium: 0.2}     # while it is short (optional, per item)

A stress test replaces ``probability`` by ``onset_month``: the disruption then starts for
certain in that month of the horizon (1 = the first) and does not recur.

The same pydantic model serves the CLI (a file), the web API (a JSON body) and the docs (its
JSON Schema: :func:`scenario_json_schema`). :func:`parse_scenario` turns pydantic's errors into
one :class:`~ketenradar.core.errors.DataError` whose ``field`` is the path of the first bad
field (``disruptions[0].suppliers[1].cut``) and whose message says what is allowed.

:func:`compile_scenario` turns a scenario and the items' exposures (the share of each item's
annual demand that each supplier delivers) into a :class:`SupplyModel`: the arrays
:mod:`ketenradar.modules.stockpile.analysis.simulate` runs on. The defaults and the default
scenario library (:func:`top_suppliers_halted`, :func:`group_halted`) are documented, with
their sources, in ``docs/methods/stockpile.md``.
"""

from __future__ import annotations

import functools
import math
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ketenradar.core.countries import is_iso3
from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.safe_yaml import load_yaml

MONTHS_PER_YEAR = 12
#: Days in an average month (365.25 / 12), to turn months of demand into days of cover.
DAYS_PER_MONTH = 365.25 / MONTHS_PER_YEAR
#: The longest duration (months) a document may give: 50 years.
MAX_DURATION_MONTHS = 600
#: The longest finite ramp-up (months) a document may give: 100 years (null: never).
MAX_RAMP_UP_MONTHS = 1200

# -- defaults (docs/methods/stockpile.md, "Default scenarios", gives the reasons and sources) --

#: Yearly probability that a disruption starts: one halt per decade. An assumption, not a
#: measured rate: export restrictions on industrial raw materials became about five times as
#: frequent between 2009 and 2020 (OECD Inventory of Export Restrictions on Industrial Raw
#: Materials; Kowalski & Legendre 2023, OECD Trade Policy Paper 269), and China alone imposed
#: controls on gallium and germanium (2023), graphite (2023), antimony (2024) and seven rare
#: earths (2025); 0.1 per year for one supplier is of that order. Vary it: the stock rises
#: with it (tests/unit/test_stockpile_sizing.py shows the monotonicity).
DEFAULT_PROBABILITY = 0.1
#: Mean duration of a disruption, months (geometric). An assumption between the two-month
#: halt of rare-earth shipments to Japan in 2010 and the 2010–2015 rare-earth export quotas
#: (ended after the WTO ruling in DS431/432/433, 2014).
DEFAULT_DURATION_MONTHS = 12.0
#: Months in which other suppliers, trader and consumer stocks and substitution close the gap
#: (linearly). An assumption: a year, shorter than opening new mines or refineries (years) and
#: longer than drawing on traders' stocks (weeks).
DEFAULT_RAMP_UP_MONTHS = 12.0
#: Share of demand that falls away during a disruption: none (the conservative choice; users
#: who know their demand's response set it).
DEFAULT_DEMAND_RESPONSE = 0.0
#: Share of its exports a halted supplier cuts: all of them ("halted").
DEFAULT_CUT = 1.0

_DOC = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Duration(BaseModel):
    """How long a disruption lasts."""

    model_config = _DOC

    distribution: Literal["geometric", "fixed"] = Field(
        "geometric",
        description=(
            "'geometric': memoryless, each month of a disruption ends it with probability "
            "1/months (then the supply follows a two-state Markov chain); 'fixed': every "
            "disruption lasts exactly `months`."
        ),
    )
    months: float = Field(
        DEFAULT_DURATION_MONTHS,
        ge=1,
        le=MAX_DURATION_MONTHS,
        description="Mean duration (geometric) or exact duration (fixed), in months: 1 to 600.",
    )

    @model_validator(mode="after")
    def _whole_months(self) -> Duration:
        if self.distribution == "fixed" and self.months != int(self.months):
            raise ValueError(f"a fixed duration is a whole number of months, not {self.months}")
        return self


class SupplierCut(BaseModel):
    """One supplier's cut of its exports to the importer."""

    model_config = _DOC

    supplier: str = Field(
        ...,
        min_length=2,
        description="The supplier: an ISO3 country code (CHN) or a country group (EU27, BRICS).",
    )
    cut: float = Field(
        DEFAULT_CUT,
        ge=0,
        le=1,
        description="Share of the supplier's exports to the importer that stops: 0 to 1.",
    )

    @field_validator("supplier")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        code = value.upper()
        known_groups = set(_packaged_groups()) | set((info.context or {}).get("groups") or ())
        if is_iso3(code) or code in {g.upper() for g in known_groups}:
            return code
        raise ValueError(
            f"{value!r} is neither an ISO3 country code (e.g. CHN) nor a known group "
            f"({', '.join(sorted(known_groups))})"
        )


class Disruption(BaseModel):
    """One correlated source of supply loss: its suppliers cut exports together."""

    model_config = _DOC

    name: str = Field(..., min_length=1, description="A name for the disruption.")
    suppliers: list[SupplierCut] = Field(
        ..., min_length=1, description="The suppliers that cut their exports, and by how much."
    )
    probability: float | None = Field(
        None,
        ge=0,
        le=1,
        description=(
            "Yearly probability that the disruption starts, 0 to 1 (monthly: "
            "1 − (1 − p)^(1/12)). Give this or `onset_month`."
        ),
    )
    onset_month: int | None = Field(
        None,
        ge=1,
        description=(
            "A stress test: the disruption starts for certain in this month of the horizon "
            "(1 = the first) and does not recur. Give this or `probability`."
        ),
    )
    duration: Duration = Field(default_factory=Duration, description="How long it lasts.")
    ramp_up_months: float | None = Field(
        DEFAULT_RAMP_UP_MONTHS,
        ge=0,
        le=MAX_RAMP_UP_MONTHS,
        description=(
            "Months in which alternative supply (other suppliers, substitution) closes the gap, "
            "linearly from the onset: 0 to 1200; 0 closes it at once, null never."
        ),
    )
    items: list[str] | None = Field(
        None, description="Only these items are hit (default: every item the suppliers supply)."
    )

    @model_validator(mode="after")
    def _one_onset(self) -> Disruption:
        if (self.probability is None) == (self.onset_month is None):
            raise ValueError("give either 'probability' (yearly, 0 to 1) or 'onset_month'")
        names = [s.supplier for s in self.suppliers]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"supplier(s) listed twice: {', '.join(twice)}")
        return self

    @property
    def monthly_onset(self) -> float:
        """The monthly onset probability with the same yearly probability: 1 − (1 − p)^(1/12)
        (0 for a stress test with a fixed onset month)."""
        return monthly_probability(self.probability or 0.0)


class ReleaseRule(BaseModel):
    """When and how fast a strategic stock is released (the same for every item)."""

    model_config = _DOC

    trigger: float = Field(
        0.0,
        ge=0,
        lt=1,
        description=(
            "Release only in months whose shortfall exceeds this share of monthly demand, 0 "
            "to below 1 (0: whenever short); smaller shortfalls are left to firms' own stocks "
            "and demand response."
        ),
    )
    rate: float | None = Field(
        None,
        gt=0,
        description=(
            "The most released in a month, as a share of monthly demand (above 0; 1 = a "
            "whole month's demand; null: unlimited)."
        ),
    )


class Scenario(BaseModel):
    """A disruption scenario: one or more independent disruptions."""

    model_config = _DOC

    name: str = Field(..., min_length=1, description="The scenario's name.")
    description: str = Field("", description="What it represents, and why.")
    disruptions: list[Disruption] = Field(
        ..., min_length=1, description="The disruptions; each starts independently of the others."
    )
    demand_response: float = Field(
        DEFAULT_DEMAND_RESPONSE,
        ge=0,
        le=1,
        description=(
            "Share of an item's demand that falls away while it is short (users economise, "
            "postpone, substitute): 0 to 1. It absorbs the first part of the lost supply."
        ),
    )
    demand_response_by_item: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict,
        description="Per item, a demand response other than `demand_response`: 0 to 1 each.",
    )
    release: ReleaseRule = Field(
        default_factory=ReleaseRule,
        description="The stock's release rule (default: whenever short, at an unlimited rate).",
    )

    @model_validator(mode="after")
    def _unique_names(self) -> Scenario:
        names = [d.name for d in self.disruptions]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"disruption name(s) used twice: {', '.join(twice)}")
        return self


@functools.cache
def _packaged_groups() -> frozenset[str]:
    from ketenradar.core.groups import GroupRegistry

    return frozenset(GroupRegistry().names())


def monthly_probability(yearly: float) -> float:
    """The monthly probability with the same chance of at least one event in a year:
    ``1 − (1 − yearly)^(1/12)``."""
    if not 0.0 <= yearly <= 1.0:
        raise UsageError(f"yearly probability {yearly} is outside 0..1", field="probability")
    return 1.0 - (1.0 - yearly) ** (1.0 / MONTHS_PER_YEAR)


# -- parsing and errors ------------------------------------------------------------------------


def parse_scenario(
    doc: Any, *, file: str | None = None, groups: Iterable[str] | None = None
) -> Scenario:
    """Validate a scenario document (a mapping, e.g. parsed YAML or a JSON body).

    ``groups`` are further country-group names a supplier may be (the user's groups; the
    packaged ones are always known).
    Every error becomes one :class:`DataError`: ``field`` is the first bad field's path, the
    message lists every problem with what is allowed.
    """
    context = {"groups": list(groups)} if groups is not None else None
    try:
        return Scenario.model_validate(doc, context=context)
    except ValidationError as exc:
        raise scenario_error(exc, file=file) from None


def scenario_from_text(
    text: str, *, file: str | None = None, groups: Iterable[str] | None = None
) -> Scenario:
    """Parse and validate a scenario given as YAML or JSON text (syntax errors name the line;
    documents that would explode are refused by :func:`ketenradar.core.safe_yaml.load_yaml`)."""
    return parse_scenario(load_yaml(text, file=file, kind="YAML/JSON"), file=file, groups=groups)


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario document (for the docs and the web API)."""
    return Scenario.model_json_schema()


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field_at(loc: tuple[int | str, ...], root: type[BaseModel]) -> Any:
    """The pydantic field at ``loc`` (an error location) of ``root``, or ``None``."""
    model: Any = root
    field = None
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) else None
        if field is None:
            return None
        model = _model_in(field.annotation)
    return field


def _fields_at(loc: tuple[int | str, ...], root: type[BaseModel]) -> list[str]:
    """The field names the model at ``loc`` (a pydantic error location) accepts."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) else None
        if field is None:
            return []
        model = _model_in(field.annotation)
    return list(model.model_fields) if isinstance(model, type) else []


def _allowed_range(loc: tuple[int | str, ...], root: type[BaseModel]) -> str | None:
    """``0 to 1``, ``0 to below 1``, ``0 or more`` or ``above 0`` from the bounds of the field at
    ``loc``."""
    field = _field_at(loc, root)
    if field is None:
        return None

    def bound(name: str) -> Any:
        return next(
            (getattr(m, name) for m in field.metadata if getattr(m, name, None) is not None), None
        )

    lo, hi, below, above = bound("ge"), bound("le"), bound("lt"), bound("gt")
    if lo is not None and hi is not None:
        return f"{lo:g} to {hi:g}"
    if lo is not None and below is not None:
        return f"{lo:g} to below {below:g}"
    if lo is not None:
        return f"{lo:g} or more"
    if above is not None:
        return f"above {above:g}"
    return None


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``list[M]``, ``M | None`` or ``M``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _reason(err: Mapping[str, Any], root: type[BaseModel]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _fields_at(tuple(err["loc"][:-1]), root)
        return f"unknown field (allowed: {', '.join(allowed)})"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "missing":
        return "is required"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        allowed = _allowed_range(tuple(err["loc"]), root)
        if allowed is not None:
            return f"{err['input']!r} is not allowed (allowed: {allowed})"
    if kind == "model_type" and not err["loc"]:
        return "a scenario is a mapping with 'name' and 'disruptions'"
    msg = str(err["msg"])
    if "input" in err and kind not in ("model_type", "list_type", "dict_type"):
        msg += f", got {err['input']!r}"
    return msg


def scenario_error(
    exc: ValidationError, *, file: str | None = None, root: type[BaseModel] = Scenario
) -> DataError:
    """A :class:`DataError` from pydantic's errors: the first bad field as ``field``, every
    problem in the message with what is allowed (``field 'disruptions[0].probability':
    invalid scenario: 1.5 is not allowed (allowed: 0 to 1)``; with several problems, each
    names its field)."""
    errors = exc.errors()
    first = _path(tuple(errors[0]["loc"])) if errors else ""
    if len(errors) == 1:
        reason = _reason(errors[0], root)
        return DataError(f"invalid scenario: {reason}", file=file, field=first or None)
    parts = []
    for err in errors:
        where = _path(tuple(err["loc"]))
        parts.append(f"{where}: {_reason(err, root)}" if where else _reason(err, root))
    return DataError("invalid scenario: " + "; ".join(parts), file=file, field=first or None)


# -- default scenarios -------------------------------------------------------------------------


def _disruption(name: str, suppliers: list[str], **params: Any) -> Disruption:
    cut = params.pop("cut", DEFAULT_CUT)
    body = {
        "name": name,
        "suppliers": [{"supplier": s, "cut": cut} for s in suppliers],
        "probability": params.pop("probability", DEFAULT_PROBABILITY),
        "duration": params.pop("duration", {"months": DEFAULT_DURATION_MONTHS}),
        "ramp_up_months": params.pop("ramp_up_months", DEFAULT_RAMP_UP_MONTHS),
        **params,
    }
    try:
        return Disruption.model_validate(body)
    except ValidationError as exc:
        raise scenario_error(exc, root=Disruption) from None


def _scenario(**body: Any) -> Scenario:
    try:
        return Scenario.model_validate(body)
    except ValidationError as exc:
        raise scenario_error(exc) from None


def top_suppliers_halted(
    shares: Mapping[str, Mapping[str, float]],
    *,
    cut: float = DEFAULT_CUT,
    probability: float = DEFAULT_PROBABILITY,
    duration_months: float = DEFAULT_DURATION_MONTHS,
    ramp_up_months: float | None = DEFAULT_RAMP_UP_MONTHS,
    demand_response: float = DEFAULT_DEMAND_RESPONSE,
) -> Scenario:
    """The default scenario "each item's top supplier halts": one disruption per distinct top
    supplier of the items (``shares``: item → supplier ISO3 → share), each independent, each
    hitting every item that supplier delivers (so items with the same top supplier are hit
    together). Defaults: :data:`DEFAULT_PROBABILITY`, a geometric duration of
    :data:`DEFAULT_DURATION_MONTHS`, :data:`DEFAULT_RAMP_UP_MONTHS`,
    :data:`DEFAULT_DEMAND_RESPONSE`, a full cut."""
    tops = []
    for by_supplier in shares.values():
        positive = {s: v for s, v in by_supplier.items() if v > 0}
        if not positive:
            continue
        top = max(sorted(positive), key=lambda s: positive[s])
        if top not in tops:
            tops.append(top)
    if not tops:
        raise UsageError("no item has a supplier with a positive share", field="shares")
    params = {
        "cut": cut,
        "probability": probability,
        "duration": {"distribution": "geometric", "months": duration_months},
        "ramp_up_months": ramp_up_months,
    }
    return _scenario(
        name="top supplier halted",
        description=(
            "Each item's largest supplier stops its exports to the importer "
            f"({', '.join(tops)}); each supplier's halt is independent of the others'."
        ),
        disruptions=[_disruption(f"{s} halts exports", [s], **params) for s in tops],
        demand_response=demand_response,
    )


def group_halted(
    group: str,
    members: Iterable[str] | None = None,
    *,
    cut: float = DEFAULT_CUT,
    probability: float = DEFAULT_PROBABILITY,
    duration_months: float = DEFAULT_DURATION_MONTHS,
    ramp_up_months: float | None = DEFAULT_RAMP_UP_MONTHS,
    demand_response: float = DEFAULT_DEMAND_RESPONSE,
) -> Scenario:
    """The default scenario "a whole group halts": every member of ``group`` (a country group
    such as BRICS) cuts its exports at once, as one disruption. ``members`` lists the group's
    ISO3 codes when the group is not a packaged one (the caller resolves user groups)."""
    suppliers = sorted({m.upper() for m in members}) if members is not None else [group]
    params = {
        "cut": cut,
        "probability": probability,
        "duration": {"distribution": "geometric", "months": duration_months},
        "ramp_up_months": ramp_up_months,
    }
    return _scenario(
        name=f"{group} halted",
        description=f"Every member of {group} stops its exports to the importer at once.",
        disruptions=[_disruption(f"{group} halts exports", suppliers, **params)],
        demand_response=demand_response,
    )


# -- the compiled model -------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplyModel:
    """A scenario as arrays: what the simulation runs on.

    Units: supply and shortfall are shares of an item's **monthly demand** (1.0 = a whole
    month's demand); stocks are months of demand. ``loss[i, s]`` is the share of item i's demand
    lost when disruption s is at its full size; per disruption s: ``onset`` the monthly
    onset probability, ``onset_month`` (0 = random, k = certain in month k, once),
    ``fixed[s]`` whether durations are fixed, ``duration`` the mean (geometric) or exact (fixed)
    months, ``ramp_up`` the months to close the gap (``inf``: never); per item i
    ``demand_response[i]``, the share of its demand that falls away while it is short.
    """

    items: tuple[str, ...]
    sources: tuple[str, ...]
    loss: np.ndarray
    onset: np.ndarray
    onset_month: np.ndarray
    fixed: np.ndarray
    duration: np.ndarray
    ramp_up: np.ndarray
    demand_response: np.ndarray

    def __post_init__(self) -> None:
        n_items, n_sources = len(self.items), len(self.sources)
        if n_items == 0 or n_sources == 0:
            raise UsageError("a supply model needs at least one item and one disruption")
        if len(set(self.items)) != n_items:
            raise UsageError("item names must be unique", field="items")
        if np.shape(self.loss) != (n_items, n_sources):
            raise UsageError(
                f"loss is {np.shape(self.loss)}, expected (items, disruptions) = "
                f"({n_items}, {n_sources})",
                field="loss",
            )
        checks = {
            "onset": (0.0, 1.0, n_sources),
            "duration": (1.0, MAX_DURATION_MONTHS, n_sources),
            "ramp_up": (0.0, MAX_RAMP_UP_MONTHS, n_sources),
            "demand_response": (0.0, 1.0, n_items),
        }
        for name, (lo, hi, size) in checks.items():
            value = np.asarray(getattr(self, name), dtype=float)
            ok = (value >= lo) & (value <= hi)
            if name == "ramp_up":
                ok |= np.isposinf(value)  # never closes
            if value.shape != (size,) or not np.all(ok):
                raise UsageError(f"{name} must be {size} value(s) in {lo:g}..{hi:g}", field=name)
        loss = np.asarray(self.loss, dtype=float)
        if not np.all((loss >= 0) & (loss <= 1)):
            raise UsageError("loss shares must lie in 0..1", field="loss")
        if np.asarray(self.onset_month).shape != (n_sources,) or np.any(
            np.asarray(self.onset_month) < 0
        ):
            raise UsageError("onset_month must be 0 (random) or a month ≥ 1", field="onset_month")

    @classmethod
    def single(
        cls,
        loss: Iterable[float],
        *,
        items: Iterable[str] | None = None,
        onset: float = 0.0,
        onset_month: int = 0,
        fixed: bool = False,
        duration: float = DEFAULT_DURATION_MONTHS,
        ramp_up: float = math.inf,
        demand_response: float = 0.0,
        source: str = "disruption",
    ) -> SupplyModel:
        """One disruption hitting items with the given loss shares (tests, pooling)."""
        col = np.asarray(list(loss), dtype=float).reshape(-1, 1)
        names = tuple(items) if items is not None else tuple(f"item{i}" for i in range(len(col)))
        return cls(
            items=names,
            sources=(source,),
            loss=col,
            onset=np.array([onset]),
            onset_month=np.array([onset_month]),
            fixed=np.array([fixed]),
            duration=np.array([float(duration)]),
            ramp_up=np.array([float(ramp_up)]),
            demand_response=np.full(len(col), float(demand_response)),
        )

    def replace(self, **changes: Any) -> SupplyModel:
        """A copy with some arrays changed (validated again)."""
        return SupplyModel(**{**self.__dict__, **changes})


def compile_scenario(
    scenario: Scenario,
    exposure: Mapping[str, Mapping[str, float]],
    *,
    groups: Mapping[str, Iterable[str]] | None = None,
) -> SupplyModel:
    """The :class:`SupplyModel` of ``scenario`` for items with the given exposures.

    ``exposure``: item → supplier ISO3 → the share of the item's annual demand that supplier
    delivers to the importer (imports from it / apparent consumption; 0..1, summing to at most
    1). ``groups``: group name → member ISO3 codes, for suppliers given as groups (default: the
    packaged groups). The loss of item i in disruption s is ``Σ exposure[i][c] · cut[c]`` over
    the countries c the disruption names (a country named twice, alone and through a group,
    counts once with its largest cut), capped at 1.
    """
    items = tuple(exposure)
    if not items:
        raise UsageError("no items to simulate", field="items")
    for item, row in exposure.items():
        for supplier, share in row.items():
            if not (0.0 <= float(share) <= 1.0) or math.isnan(float(share)):
                raise DataError(
                    f"exposure of {item!r} to {supplier!r} is {share}; allowed: 0 to 1",
                    field="exposure",
                )
    unknown = sorted(set(scenario.demand_response_by_item) - set(items))
    if unknown:
        raise DataError(
            f"unknown item(s) {', '.join(map(repr, unknown))} (the items are: {', '.join(items)})",
            field="demand_response_by_item",
        )
    members = _group_members(groups)
    loss = np.zeros((len(items), len(scenario.disruptions)))
    for s, d in enumerate(scenario.disruptions):
        cuts: dict[str, float] = {}
        for sc in d.suppliers:
            for country in members.get(sc.supplier.upper(), (sc.supplier,)):
                cuts[country] = max(cuts.get(country, 0.0), sc.cut)
        hit = items
        if d.items is not None:
            unknown = [i for i in d.items if i not in exposure]
            if unknown:
                raise DataError(
                    f"unknown item(s) {', '.join(map(repr, unknown))} (the items are: "
                    f"{', '.join(items)})",
                    field=f"disruptions[{s}].items",
                )
            hit = tuple(d.items)
        for i, item in enumerate(items):
            if item in hit:
                lost = sum(float(v) * cuts.get(c.upper(), 0.0) for c, v in exposure[item].items())
                loss[i, s] = min(1.0, lost)
    ds = scenario.disruptions
    return SupplyModel(
        items=items,
        sources=tuple(d.name for d in ds),
        loss=loss,
        onset=np.array([d.monthly_onset for d in ds]),
        onset_month=np.array([d.onset_month or 0 for d in ds]),
        fixed=np.array([d.duration.distribution == "fixed" for d in ds]),
        duration=np.array([d.duration.months for d in ds]),
        ramp_up=np.array([math.inf if d.ramp_up_months is None else d.ramp_up_months for d in ds]),
        demand_response=np.array(
            [scenario.demand_response_by_item.get(i, scenario.demand_response) for i in items]
        ),
    )


def _group_members(groups: Mapping[str, Iterable[str]] | None) -> dict[str, tuple[str, ...]]:
    if groups is None:
        from ketenradar.core.groups import GroupRegistry

        reg = GroupRegistry()
        return {n.upper(): tuple(sorted(reg.get(n).members)) for n in reg.names()}
    return {str(k).upper(): tuple(str(m).upper() for m in v) for k, v in groups.items()}
