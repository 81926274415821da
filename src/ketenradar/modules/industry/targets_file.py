"""The targets file (issue 18, item 3): a YAML (or JSON) list of emission targets with their
sources, checked with pydantic; the module ships ``data/targets.yaml`` and a user passes one
of their own (``ketenradar industry targets --targets FILE``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ketenradar.core.errors import DataError, NotFoundError
from ketenradar.core.safe_yaml import invalid_document, load_yaml
from ketenradar.modules.industry.analysis.clusters import SECTORS
from ketenradar.modules.industry.analysis.targets import Target

__all__ = ["DEFAULT", "TargetSpec", "TargetsFile", "load_targets"]

#: The targets file shipped with the module.
DEFAULT = Path(__file__).parent / "data" / "targets.yaml"
#: The sector names a scope may use (those of the EU ETS activity codes).
SECTOR_NAMES = tuple(sorted(set(SECTORS.values())))


class TargetSpec(BaseModel):
    """One target as the file gives it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1)
    baseline_year: int = Field(ge=2005, le=2100)
    target_year: int = Field(ge=2005, le=2100)
    reduction_t: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    reduction_share: float | None = Field(default=None, gt=0, le=1, allow_inf_nan=False)
    level_t: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    sectors: list[str] = []
    exclude_sectors: list[str] = []
    clusters: list[str] = []
    judgement: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TargetSpec:
        given = [n for n in ("reduction_t", "reduction_share", "level_t") if getattr(self, n)]
        if self.level_t == 0:
            given.append("level_t")
        if len(given) != 1:
            raise ValueError(
                "give exactly one of reduction_t, reduction_share, level_t"
                + (f" (given: {', '.join(given)})" if given else "")
            )
        if self.target_year <= self.baseline_year:
            raise ValueError(
                f"target_year {self.target_year} must come after baseline_year {self.baseline_year}"
            )
        for field in ("sectors", "exclude_sectors"):
            for s in getattr(self, field):
                if s not in SECTOR_NAMES:
                    raise ValueError(
                        f"{field}: unknown sector '{s}' (known: {', '.join(SECTOR_NAMES)})"
                    )
        return self

    def target(self) -> Target:
        """The checked :class:`~ketenradar.modules.industry.analysis.targets.Target`."""
        return Target(
            id=self.id,
            name=self.name,
            source=" ".join(self.source.split()),
            baseline_year=self.baseline_year,
            target_year=self.target_year,
            reduction_t=self.reduction_t,
            reduction_share=self.reduction_share,
            level_t=self.level_t,
            sectors=tuple(self.sectors),
            exclude_sectors=tuple(self.exclude_sectors),
            clusters=tuple(self.clusters),
            judgement=" ".join(self.judgement.split()) if self.judgement else None,
        )


class TargetsFile(BaseModel):
    """The whole targets file."""

    model_config = ConfigDict(extra="forbid")

    targets: list[TargetSpec] = Field(min_length=1)


def load_targets(path: Path | str | None = None) -> list[Target]:
    """The targets of the file at ``path`` (default :data:`DEFAULT`). Refused with a
    :class:`DataError` naming the file and the field (``targets[1].reduction_t``): a
    malformed document, a target with none or two of its amounts, a target year not after
    the base year, an unknown sector, two targets with one id."""
    file = Path(path) if path is not None else DEFAULT
    if not file.is_file():
        raise NotFoundError(f"targets file {file} not found", field="targets")
    doc = load_yaml(file.read_text(encoding="utf-8"), file=file)
    try:
        spec = TargetsFile.model_validate(doc if doc is not None else {})
    except ValidationError as exc:
        raise invalid_document(exc, file) from None
    ids = [t.id for t in spec.targets]
    for i, t in enumerate(spec.targets):
        if ids.index(t.id) != i:
            raise DataError(f"id '{t.id}' is used twice", file=str(file), field=f"targets[{i}].id")
    return [t.target() for t in spec.targets]
