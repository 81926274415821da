"""Programme scenarios of the kansenkaart: validated YAML/JSON documents.

A programme lists reactor units, each of a reference design at a size, on a site, with its
start (first concrete or commercial operation) and construction duration::

    name: Two large PWRs at Borssele
    learning_rate: 0.0        # cost reduction per doubling of units of a design, 0 to below 1
    units:
      - design: timcat_pwr12_me           # a reference design id (docs/methods/kansenkaart.md)
        mwe: 1144                         # electric output, MWe (default: the design's own)
        site: Borssele
        first_concrete_year: 2031         # or commercial_operation_year
        construction_months: 72           # default: the design's
      - design: timcat_pwr12_me
        mwe: 1144
        site: Borssele
        first_concrete_year: 2033
        order: 2                          # place in the design's order book (default: listed order)

:func:`parse_programme` turns pydantic's errors into one
:class:`~ketenradar.core.errors.DataError` whose ``field`` is the path of the first bad field
(``units[1].mwe``) and whose message says what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ketenradar.core.errors import DataError
from ketenradar.core.safe_yaml import load_yaml

#: The reference designs the demand model knows (their source tables: docs/methods/kansenkaart.md).
DESIGN_IDS: tuple[str, ...] = ("eedb_pwr12_be", "timcat_pwr12_me", "accert_ap1000")


class Unit(BaseModel):
    """One reactor unit of a programme."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    design: str = Field(description="Reference design id: " + ", ".join(DESIGN_IDS))
    name: str | None = Field(None, max_length=120, description="Name of the unit")
    mwe: float | None = Field(
        None, gt=0, le=5000, description="Net electric output, MWe (default: the design's)"
    )
    site: str = Field("", max_length=120, description="Site (free text)")
    first_concrete_year: int | None = Field(None, ge=1950, le=2150)
    commercial_operation_year: int | None = Field(None, ge=1950, le=2150)
    construction_months: int | None = Field(
        None, ge=12, le=240, description="First concrete to commercial operation, months"
    )
    order: int | None = Field(
        None, ge=1, le=1000, description="Place in the design's order book (learning)"
    )

    @model_validator(mode="after")
    def _check(self) -> Unit:
        if self.design not in DESIGN_IDS:
            raise ValueError(f"unknown design {self.design!r} (allowed: {', '.join(DESIGN_IDS)})")
        if (self.first_concrete_year is None) == (self.commercial_operation_year is None):
            raise ValueError("give exactly one of first_concrete_year, commercial_operation_year")
        return self


class Programme(BaseModel):
    """A programme scenario: reactor units and the learning rate across each design's units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    learning_rate: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="Cost reduction per doubling of a design's units (0: none; see the docs)",
    )
    units: list[Unit] = Field(min_length=1, max_length=500)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fields(loc: tuple[int | str, ...]) -> list[str]:
    model: Any = Programme
    for part in loc:
        if isinstance(part, int):
            continue
        if part == "units":
            model = Unit
        else:
            return []
    return list(model.model_fields)


def _reason(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown field (allowed: {', '.join(_fields(tuple(err['loc'][:-1])))})"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "missing":
        return "is required"
    msg = str(err["msg"])
    if "input" in err and kind not in ("model_type", "list_type", "dict_type"):
        msg += f", got {err['input']!r}"
    return msg


def parse_programme(doc: Any, *, file: str | None = None) -> Programme:
    """Validate a programme document (a mapping, e.g. parsed YAML or a JSON body).

    Every error becomes one :class:`DataError`: ``field`` is the first bad field's path, the
    message lists every problem with what is allowed."""
    if not isinstance(doc, Mapping):
        raise DataError(
            "a programme is a mapping with 'name' and 'units'", field="programme", file=file
        )
    try:
        return Programme.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors()
        first = _path(tuple(errors[0]["loc"])) or "programme"
        parts = [f"{_path(tuple(e['loc'])) or 'programme'}: {_reason(e)}" for e in errors]
        raise DataError("invalid programme: " + "; ".join(parts), field=first, file=file) from None


def programme_from_text(text: str, *, file: str | None = None) -> Programme:
    """Parse and validate a programme given as YAML or JSON text."""
    return parse_programme(load_yaml(text, file=file, kind="YAML/JSON"), file=file)


def programme_json_schema() -> dict[str, Any]:
    """The JSON Schema of a programme document (for the docs and a web API)."""
    return Programme.model_json_schema()
