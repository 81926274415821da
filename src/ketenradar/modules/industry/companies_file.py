"""The maatwerk companies file (issue 18, item 3), checked with pydantic: ``data/maatwerk.yaml``
or a user's own (``ketenradar industry companies --companies FILE``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ketenradar.core.errors import NotFoundError
from ketenradar.core.safe_yaml import invalid_document, load_yaml

__all__ = ["DEFAULT", "CompanySpec", "load_companies"]

#: The companies file shipped with the module.
DEFAULT = Path(__file__).parent / "data" / "maatwerk.yaml"


class CompanySpec(BaseModel):
    """One company: its name, the stage of its agreement, its EUTL holder names."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    stage: str = Field(min_length=1, max_length=200)
    holders: list[str] = []
    note: str | None = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    companies: list[CompanySpec] = Field(min_length=1)


def load_companies(path: Path | str | None = None) -> list[CompanySpec]:
    """The companies of the file at ``path`` (default :data:`DEFAULT`), or a ``DataError``
    naming the file and the field."""
    file = Path(path) if path is not None else DEFAULT
    if not file.is_file():
        raise NotFoundError(f"companies file {file} not found", field="companies")
    doc = load_yaml(file.read_text(encoding="utf-8"), file=file)
    try:
        return _File.model_validate(doc if doc is not None else {}).companies
    except ValidationError as exc:
        raise invalid_document(exc, file) from None
