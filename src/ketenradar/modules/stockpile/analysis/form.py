"""Form advice: a public, public-private or private stock per item, from an editable rule table.

The cabinet's letter on critical raw materials (2025) finds that a strategic stock can take
three forms, **public, public-private or private**, and that which fits "depends on factors
such as the number of buyers, the liquidity of the market and the options for storage"; fully
public stocks fit **uniform** semi-finished products, components and raw materials used by
**several buyers** (copper), a public role fits less for very specific components used by one
or a few firms, where **certification** and diversity make public stockholding hard and firms
already hold **commercial stocks** as an operational buffer.

The advice is a transparent points table (``docs/methods/stockpile.md``, *Form advice*):

* the inputs are named **factors** (:class:`FormFactors`); a factor may be unknown (``None``);
* each **rule** of the table (:class:`Rule`) has a condition on factors (``when``), the points
  it gives to each form (``points``, negative points push away) and its reason in English and
  Dutch; a rule whose factors are all known and whose condition holds adds its points;
* a rule that needs an unknown factor is not counted, and the advice says so once per factor
  ("number of buyers unknown: not counted"): nothing is guessed;
* the form with the most points is advised; a tie goes to the first of the table's
  ``tie_order`` (default: public-private, private, public).

This module is pure (documents in, advice out). Reading a rule file, and the packaged table
(``modules/stockpile/data/form_rules.yaml``), is :mod:`ketenradar.modules.stockpile.form`.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.safe_yaml import field_path, load_yaml

Form = Literal["public", "public_private", "private"]
#: The three forms, in the order of the scores.
FORMS: tuple[Form, ...] = ("public", "public_private", "private")
#: Which form a tie goes to, first first, unless the rule table says otherwise: the middle form
#: (a shared arrangement) when the factors do not decide, then private (firms hold stocks
#: already, the letter), and a fully public stock, the state's largest commitment, only when
#: it has strictly the most points.
DEFAULT_TIE_ORDER: tuple[Form, ...] = ("public_private", "private", "public")
Storage = Literal["easy", "special", "hazardous"]


class FormFactors(BaseModel):
    """The factors the form advice is decided on. Every factor defaults to ``None``: unknown,
    so the rules that need it are not counted (and the advice says so)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, ser_json_inf_nan="strings"
    )

    buyers: int | None = Field(
        None, ge=1, description="Number of buyers or using sectors (1 or more); default unknown"
    )
    exchange_traded: bool | None = Field(
        None,
        description="Traded on an exchange (LME, COMEX, NYMEX): the proxy for a liquid market "
        "with a public price; default unknown",
    )
    storage: Storage | None = Field(
        None,
        description="Storage: easy (an ordinary warehouse), special (conditioned, "
        "pressurised, cryogenic) or hazardous (toxic, carcinogenic, radioactive; licensed "
        "sites); default unknown",
    )
    shelf_life_years: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=True,
        description="Years the item keeps in store (more than 0; inf: no limit, as metals "
        "and minerals); default unknown",
    )
    certification: bool | None = Field(
        None,
        description="Users need certified material or parts, or the item is specific to one "
        "or a few users; default unknown",
    )
    commercial_stock_days: float | None = Field(
        None,
        ge=0,
        le=3650,
        description="Stocks firms already hold, in days of demand (0 to 3650); default unknown",
    )
    uniform: bool | None = Field(
        None,
        description="A uniform (standardised) raw material or semi-finished product: one grade "
        "serves all users; default unknown",
    )

    @field_validator("shelf_life_years")
    @classmethod
    def _not_nan(cls, value: float | None) -> float | None:
        if value is not None and math.isnan(value):
            raise ValueError("a shelf life is a number of years or inf (no limit), not NaN")
        return value


#: The factors' kinds: what a condition may test and with which values.
FACTOR_KINDS: dict[str, str] = {
    "buyers": "number",
    "exchange_traded": "bool",
    "storage": "storage",
    "shelf_life_years": "number",
    "certification": "bool",
    "commercial_stock_days": "number",
    "uniform": "bool",
}
#: Each factor's name in English and Dutch, for the "unknown: not counted" reasons.
FACTOR_LABELS: dict[str, tuple[str, str]] = {
    "buyers": ("number of buyers", "aantal afnemers"),
    "exchange_traded": (
        "exchange trading (market liquidity)",
        "beurshandel (liquiditeit van de markt)",
    ),
    "storage": ("storage options", "opslagmogelijkheden"),
    "shelf_life_years": ("shelf life", "houdbaarheid"),
    "certification": ("certification or specificity", "certificering of specificiteit"),
    "commercial_stock_days": ("commercial stocks", "commerciële voorraden"),
    "uniform": ("uniformity of the product", "uniformiteit van het product"),
}
_OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in")
_OPS_BY_KIND = {
    "number": _OPS,
    "bool": ("eq", "ne"),
    "storage": ("eq", "ne", "in"),
}


# --- the rule table ------------------------------------------------------------------------


class Rule(BaseModel):
    """One rule: when its condition holds, it gives ``points`` to forms, for its reason.

    ``when`` maps factor names to a test: a value (equality, ``uniform: true``) or a mapping of
    operators (``eq``, ``ne``, ``lt``, ``le``, ``gt``, ``ge``, ``in``; ``buyers: {ge: 10}``);
    every test must hold. The reasons may name the rule's factors in braces (``{buyers}
    buyers``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    when: dict[str, Any] = Field(min_length=1)
    points: dict[Form, float] = Field(min_length=1)
    reason_en: str = Field(min_length=1)
    reason_nl: str = Field(min_length=1)

    @field_validator("when", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError("a condition is a mapping of factor names to tests")
        return {k: _test(k, v) for k, v in value.items()}

    @field_validator("points")
    @classmethod
    def _finite(cls, value: dict[Form, float]) -> dict[Form, float]:
        for form, p in value.items():
            if not math.isfinite(p):
                raise ValueError(f"the points for {form} must be a finite number")
        return value

    @model_validator(mode="after")
    def _placeholders(self) -> Rule:
        for name in ("reason_en", "reason_nl"):
            text = getattr(self, name)
            try:
                parts = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(text)]
            except ValueError as exc:
                raise ValueError(f"{name}: {exc} (write a brace as {{{{ or }}}})") from None
            for f, spec, conv in parts:
                if f is None:
                    continue
                if spec or conv:
                    raise ValueError(
                        f"{name}: write a placeholder as {{factor}}, without a format or "
                        f"conversion (got {{{f}{'!' + conv if conv else ''}"
                        f"{':' + spec if spec else ''}}})"
                    )
                if f not in self.when:
                    raise ValueError(
                        f"{name}: the placeholder {{{f}}} is not a factor of this rule's "
                        f"condition (allowed: {', '.join(self.when)})"
                    )
        return self

    def factors(self) -> tuple[str, ...]:
        """The factors the condition tests."""
        return tuple(self.when)

    def holds(self, factors: FormFactors) -> bool | None:
        """Whether the condition holds; ``None`` when a factor it needs is unknown."""
        values = {k: getattr(factors, k) for k in self.when}
        if any(v is None for v in values.values()):
            return None
        return all(_check(values[k], test) for k, test in self.when.items())


def _test(factor: Any, value: Any) -> dict[str, Any]:
    """The test on ``factor`` as ``{op: value}``, checked against the factor's kind."""
    if factor not in FACTOR_KINDS:
        raise ValueError(f"unknown factor {factor!r} (allowed: {', '.join(FACTOR_KINDS)})")
    kind = FACTOR_KINDS[factor]
    test = dict(value) if isinstance(value, Mapping) else {"eq": value}
    if not test:
        raise ValueError(f"{factor}: an empty test (allowed operators: {', '.join(_OPS)})")
    allowed_ops = _OPS_BY_KIND[kind]
    for op, v in test.items():
        if op not in allowed_ops:
            raise ValueError(
                f"{factor}: unknown operator {op!r} (allowed for a {kind}: "
                f"{', '.join(allowed_ops)})"
            )
        values = v if op == "in" else [v]
        if op == "in" and (not isinstance(v, list) or not v):
            raise ValueError(f"{factor}: 'in' takes a non-empty list")
        for x in values:
            _check_value(factor, kind, x)
    return test


def _check_value(factor: str, kind: str, x: Any) -> None:
    if kind == "number":
        ok = isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
        allowed = "a number"
    elif kind == "bool":
        ok = isinstance(x, bool)
        allowed = "true or false"
    else:
        ok = x in ("easy", "special", "hazardous")
        allowed = "easy, special or hazardous"
    if not ok:
        raise ValueError(f"{factor}: {x!r} is not allowed (allowed: {allowed})")


def _check(value: Any, test: Mapping[str, Any]) -> bool:
    for op, x in test.items():
        ok = {
            "eq": lambda v, x: v == x,
            "ne": lambda v, x: v != x,
            "lt": lambda v, x: v < x,
            "le": lambda v, x: v <= x,
            "gt": lambda v, x: v > x,
            "ge": lambda v, x: v >= x,
            "in": lambda v, x: v in x,
        }[op](value, x)
        if not ok:
            return False
    return True


class RuleTable(BaseModel):
    """A rule table: its rules (applied in order, ids unique) and the order ties go by."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    tie_order: tuple[Form, Form, Form] = DEFAULT_TIE_ORDER
    rules: tuple[Rule, ...] = Field(min_length=1)

    @field_validator("tie_order")
    @classmethod
    def _permutation(cls, value: tuple[Form, ...]) -> tuple[Form, ...]:
        if sorted(value) != sorted(FORMS):
            raise ValueError(f"must name each form once (allowed: {', '.join(FORMS)})")
        return value

    @field_validator("rules")
    @classmethod
    def _unique(cls, value: tuple[Rule, ...]) -> tuple[Rule, ...]:
        seen: set[str] = set()
        for r in value:
            if r.id in seen:
                raise ValueError(f"the rule id {r.id!r} is used twice")
            seen.add(r.id)
        return value

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise UsageError(
            f"no form rule {rule_id!r} (known: {', '.join(r.id for r in self.rules)})",
            field="rule",
        )


def parse_rules(document: Any, *, file: str | None = None) -> RuleTable:
    """A rule table from a parsed YAML/JSON document; a :class:`DataError` names the file, the
    field (``rules[2].reason_nl``) and the rule's id (``rule 'few_buyers'``) otherwise."""
    if not isinstance(document, Mapping):
        raise DataError("invalid form rules: a mapping with 'rules' is expected", file=file)
    try:
        return RuleTable.model_validate(dict(document))
    except ValidationError as exc:
        # a bad rule also makes the list "too short": say only what is wrong with the rule
        spurious = [e["type"] == "too_short" and e["loc"] == ("rules",) for e in exc.errors()]
        errors = [e for e, s in zip(exc.errors(), spurious, strict=True) if not s]
        errors = errors or exc.errors()
        field, node, reason = _problem(errors[0], document)
        also = [f"{_problem(e, document)[0]}: {_problem(e, document)[2]}" for e in errors[1:6]]
        more = f"; also {'; '.join(also)}" if also else ""
        more += f" (and {len(errors) - 6} more)" if len(errors) > 6 else ""
        raise DataError(
            f"invalid form rules: {reason}{more}", file=file, field=field or None, node=node
        ) from None


def _problem(err: Mapping[str, Any], document: Mapping[str, Any]) -> tuple[str, str | None, str]:
    """(field, the rule as ``rule 'id'``, reason) of one pydantic error."""
    loc = tuple(err["loc"])
    node = None
    raw = document.get("rules")
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        entry = raw[loc[1]] if isinstance(raw, list) and loc[1] < len(raw) else None
        rid = entry.get("id") if isinstance(entry, Mapping) else None
        node = f"rule {rid!r}" if rid is not None else f"rule {loc[1] + 1} (no id)"
    kind = err["type"]
    if kind == "missing":
        reason = "is required"
    elif kind == "extra_forbidden":
        model = Rule if len(loc) == 3 else RuleTable
        reason = f"unknown field (allowed: {', '.join(model.model_fields)})"
    elif kind == "value_error":
        reason = str(err["ctx"]["error"])
    else:
        reason = f"{err['msg']}, got {err.get('input')!r}"
    field = field_path(loc)
    if kind == "value_error" and loc[-1] == "when" and reason.startswith("unknown factor"):
        field += "." + reason.split("'")[1]
    for name in ("reason_en", "reason_nl"):  # a placeholder problem: name the text
        if kind == "value_error" and len(loc) == 2 and reason.startswith(f"{name}: "):
            field, reason = f"{field}.{name}", reason.removeprefix(f"{name}: ")
    return field, node, reason


def rules_from_text(text: str, *, file: str | None = None) -> RuleTable:
    """A rule table from YAML (or JSON) text (:func:`parse_rules`)."""
    return parse_rules(load_yaml(text, file=file, kind="YAML/JSON"), file=file)


# --- the advice ----------------------------------------------------------------------------


class Reason(BaseModel):
    """One reason of an advice: a rule that was counted (``rule`` its id, ``favours`` the form
    it gives the most points, ``points`` all it gives) or a factor that was unknown
    (``rule`` ``unknown:<factor>``, no form, no points)."""

    model_config = ConfigDict(frozen=True)

    rule: str
    favours: Form | None
    points: dict[str, float]
    text_en: str
    text_nl: str
    factors: dict[str, Any] = Field(default_factory=dict)


class FormAdvice(BaseModel):
    """The advised form, each form's points, every reason that led to them (rules counted in
    table order, then the unknown factors) and the factors used (after overrides)."""

    model_config = ConfigDict(frozen=True)

    form: Form
    scores: dict[str, float]
    reasons: list[Reason]
    factors: FormFactors
    overridden: list[str] = Field(default_factory=list)

    def reason_text(self, lang: Literal["en", "nl"] = "en", sep: str = "; ") -> str:
        """The reasons as one text, in English or Dutch."""
        return sep.join(getattr(r, f"text_{lang}") for r in self.reasons)


def _apply_overrides(factors: FormFactors, overrides: Mapping[str, Any] | None) -> FormFactors:
    if not overrides:
        return factors
    for k in overrides:
        if k not in FormFactors.model_fields:
            raise UsageError(
                f"unknown factor {k!r} (allowed: {', '.join(FormFactors.model_fields)})",
                field=f"overrides.{k}",
            )
    try:
        return FormFactors.model_validate(factors.model_dump() | dict(overrides))
    except ValidationError as exc:
        err = exc.errors()[0]
        name = field_path(tuple(err["loc"]))
        raise UsageError(
            f"invalid override: {err['msg']}, got {err.get('input')!r}",
            field=f"overrides.{name}",
        ) from None


def advise(
    factors: FormFactors,
    rules: RuleTable,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> FormAdvice:
    """The advised form for ``factors`` under ``rules``, with ``overrides`` (factor → value;
    ``None`` makes a factor unknown) applied first; every counted rule and every unknown factor
    is a reason. Deterministic: the same factors and rules give the same advice."""
    used = _apply_overrides(factors, overrides)
    scores = dict.fromkeys(FORMS, 0.0)
    reasons: list[Reason] = []
    unknown: list[str] = []
    for rule in rules.rules:
        holds = rule.holds(used)
        if holds is None:
            unknown.extend(k for k in rule.factors() if getattr(used, k) is None)
            continue
        if not holds:
            continue
        values = {k: getattr(used, k) for k in rule.factors()}
        for form, p in rule.points.items():
            scores[form] += p
        favours = max(rule.points, key=lambda f: (rule.points[f], -rules.tie_order.index(f)))
        reasons.append(
            Reason(
                rule=rule.id,
                favours=favours if rule.points[favours] > 0 else None,
                points=dict(rule.points),
                text_en=rule.reason_en.format(**{k: _show(v) for k, v in values.items()}),
                text_nl=rule.reason_nl.format(**{k: _show(v, nl=True) for k, v in values.items()}),
                factors=values,
            )
        )
    for k in dict.fromkeys(unknown):
        en, nl = FACTOR_LABELS[k]
        reasons.append(
            Reason(
                rule=f"unknown:{k}",
                favours=None,
                points={},
                text_en=f"{en} unknown: not counted",
                text_nl=f"{nl} onbekend: niet meegeteld",
            )
        )
    best = max(scores.values())
    form = next(f for f in rules.tie_order if scores[f] == best)
    return FormAdvice(
        form=form,
        scores=scores,
        reasons=reasons,
        factors=used,
        overridden=sorted(overrides or {}),
    )


def _show(value: Any, *, nl: bool = False) -> str:
    """A factor's value in a reason: whole numbers without decimals, yes/no for booleans."""
    if isinstance(value, bool):
        return ("ja" if value else "nee") if nl else ("yes" if value else "no")
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if nl else text
    return str(value)


# --- factors from the candidates' inputs ----------------------------------------------------


def _present(value: Any) -> bool:
    """Whether a value is there: not None, NaN or pandas' NA."""
    if value is None or isinstance(value, list | tuple | dict):
        return value is not None
    return not bool(pd.isna(value))


def form_factors_from_inputs(inputs: Any) -> FormFactors:
    """The factors from an item's inputs: a :class:`~ketenradar.modules.stockpile.candidates.
    ItemInputs` (resolved or not) or a row of the candidates table (a mapping or a pandas row
    with its input columns and ``defaults_used``).

    ``n_buyers`` → ``buyers``; ``exchange_traded`` → ``exchange_traded``; ``special_storage``
    true → ``storage`` "special", false → "easy"; ``shelf_life_years`` → ``shelf_life_years``;
    ``certification_required`` true or ``specificity`` "specific" → ``certification`` true;
    ``specificity`` "uniform" → ``uniform`` true, "graded" or "specific" → false;
    ``commercial_stock_days`` → ``commercial_stock_days``. An input the user did not set and
    whose default is a constant rather than knowledge of the item (``commercial_stock_days`` 0,
    ``certification_required`` false) is unknown (``None``), so the advice says it was not
    counted instead of assuming none."""
    if isinstance(inputs, BaseModel):
        values = inputs.model_dump()
        unset = {k for k in type(inputs).model_fields if k not in inputs.model_fields_set}
    elif hasattr(inputs, "get"):
        values = {k: inputs.get(k) for k in _INPUT_NAMES}
        used = inputs.get("defaults_used")
        unset = set(used.split(";")) if isinstance(used, str) and used else set()
    else:
        raise UsageError(
            "form factors need an item's inputs (ItemInputs) or a row of the candidates table",
            field="inputs",
        )
    v = {k: (values.get(k) if _present(values.get(k)) else None) for k in _INPUT_NAMES}
    spec = v["specificity"]
    cert = v["certification_required"]
    if "certification_required" in unset:
        cert = None
    if cert is True or spec == "specific":
        certification: bool | None = True
    else:
        certification = None if cert is None else bool(cert)
    stock = None if "commercial_stock_days" in unset else v["commercial_stock_days"]
    special = v["special_storage"]
    buyers = v["n_buyers"]
    life = v["shelf_life_years"]  # ItemInputs: none means no limit
    return FormFactors(
        buyers=int(buyers) if buyers is not None else None,
        exchange_traded=bool(v["exchange_traded"]) if v["exchange_traded"] is not None else None,
        storage=None if special is None else ("special" if bool(special) else "easy"),
        shelf_life_years=math.inf if life is None else float(life),
        certification=certification,
        commercial_stock_days=float(stock) if stock is not None else None,
        uniform=None if spec is None else spec == "uniform",
    )


_INPUT_NAMES = (
    "n_buyers",
    "exchange_traded",
    "special_storage",
    "shelf_life_years",
    "certification_required",
    "specificity",
    "commercial_stock_days",
)
