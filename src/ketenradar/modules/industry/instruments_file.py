"""The instruments file (issue 18, item 5), checked with pydantic: the shipped
``data/instruments.yaml`` and a user's additions (``--instruments FILE``). Every instrument
names its source; a figure other than ``named`` needs an amount."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ketenradar.core.errors import NotFoundError
from ketenradar.core.safe_yaml import invalid_document, load_yaml
from ketenradar.modules.industry.analysis.instruments import FIGURE_COLUMNS, FIGURES

__all__ = ["DEFAULT", "load_instruments"]

#: The instruments file shipped with the module.
DEFAULT = Path(__file__).parent / "data" / "instruments.yaml"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")

    round: str = Field(min_length=1, max_length=80)
    figure: str
    amount_eur: float | None = Field(default=None, ge=0, le=1e12, allow_inf_nan=False)
    years: str | None = Field(default=None, max_length=40)
    per_year: bool = False
    recipient: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> _Row:
        if self.figure not in FIGURES:
            raise ValueError(f"figure '{self.figure}': one of {', '.join(FIGURES)}")
        if self.figure == "named" and self.amount_eur is not None:
            raise ValueError("a 'named' row has no amount_eur")
        if self.figure != "named" and self.amount_eur is None:
            raise ValueError(f"a '{self.figure}' row needs amount_eur")
        return self


class _Instrument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instrument: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1)
    rows: list[_Row] = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instruments: list[_Instrument] = Field(min_length=1)


def _read(file: Path) -> _File:
    if not file.is_file():
        raise NotFoundError(f"instruments file {file} not found", field="instruments")
    doc = load_yaml(file.read_text(encoding="utf-8"), file=file)
    try:
        return _File.model_validate(doc if doc is not None else {})
    except ValidationError as exc:
        raise invalid_document(exc, file) from None


def load_instruments(extra: Path | str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The figures (``FIGURE_COLUMNS``) of the shipped file, plus those of ``extra`` (a
    user's file, refused naming the file and the field when malformed), and the files read."""
    files = [DEFAULT, *([Path(extra)] if extra is not None else [])]
    rows = []
    for file in files:
        for ins in _read(file).instruments:
            for r in ins.rows:
                rows.append(
                    {
                        "instrument": ins.instrument,
                        "instrument_name": ins.name,
                        "round": r.round,
                        "figure": r.figure,
                        "amount_eur": r.amount_eur,
                        "per_year": r.per_year,
                        "years": r.years,
                        "recipient": r.recipient,
                        "source": " ".join(ins.source.split()),
                    }
                )
    return pd.DataFrame(rows, columns=list(FIGURE_COLUMNS)), [str(f) for f in files]
