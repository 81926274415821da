"""The KPI file (issue 18, item 6), checked with pydantic: ``data/kpis.yaml`` or a user's
own (``ketenradar industry kpis --kpis FILE``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ketenradar.core.errors import NotFoundError
from ketenradar.core.safe_yaml import invalid_document, load_yaml

__all__ = ["DEFAULT", "KpiSpec", "load_kpis"]

#: The KPI file shipped with the module.
DEFAULT = Path(__file__).parent / "data" / "kpis.yaml"


class Target(BaseModel):
    """A KPI's target and its source."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["at_least", "at_most", "band", "reduction"]
    level: float | None = Field(default=None, allow_inf_nan=False)
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)
    amount: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    base_year: int | None = Field(default=None, ge=1900, le=2100)
    year: int | None = Field(default=None, ge=1900, le=2100)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _fields(self) -> Target:
        need = {
            "at_least": ("level",),
            "at_most": ("level",),
            "band": ("low", "high"),
            "reduction": ("amount", "base_year"),
        }[self.kind]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a '{self.kind}' target needs {', '.join(missing)}")
        if self.kind == "band" and self.low > self.high:  # type: ignore[operator]
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self


class Series(BaseModel):
    """Where a KPI's actual series comes from."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["statline_table", "wdi_indicators"]
    table: str | None = None
    code: str | None = None
    measure: str | None = None
    scale: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    indicator: str | None = None
    country: str | None = None
    load: str = Field(min_length=1)
    note: str = ""


class KpiSpec(BaseModel):
    """One KPI."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(min_length=1, max_length=40)
    target: Target
    series: Series


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kpis: list[KpiSpec] = Field(min_length=1)


def load_kpis(path: Path | str | None = None) -> list[KpiSpec]:
    """The KPIs of the file at ``path`` (default :data:`DEFAULT`), or a ``DataError`` naming
    the file and the field (``kpis[1].target``)."""
    file = Path(path) if path is not None else DEFAULT
    if not file.is_file():
        raise NotFoundError(f"KPI file {file} not found", field="kpis")
    doc = load_yaml(file.read_text(encoding="utf-8"), file=file)
    try:
        return _File.model_validate(doc if doc is not None else {}).kpis
    except ValidationError as exc:
        raise invalid_document(exc, file) from None
