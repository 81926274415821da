"""The manifest written next to every dataset: where it came from and what it holds."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class InputFile:
    """One source file that went into a dataset."""

    name: str
    sha256: str
    size: int
    role: str  # e.g. "trade", "countries", "products"
    rows: int | None = None
    years: tuple[int, ...] = ()
    origin: str | None = None  # the path or URL it was read from (informative only)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> InputFile:
        """Build from the JSON form."""
        d = dict(d)
        d["years"] = tuple(d.get("years") or ())
        return cls(**d)


@dataclass
class Manifest:
    """Provenance and content of one dataset version.

    Attributes
    ----------
    name : the dataset's name in the store (e.g. ``baci_hs92_v202401b``)
    source : the connector that made it (``baci``)
    kind : the canonical table family analyses read (``trade_flows``)
    release : the publisher's release (``V202401b``)
    licence, citation : terms of the source
    parser_version : version of the connector's parser
    ingested_at : ISO-8601 UTC timestamp of ingestion
    inputs : every input file with its sha256
    tables : row counts per table (and per year for yearly tables)
    attributes : source-specific facts (HS edition, years, ...)
    warnings : counted, reported issues found while ingesting (e.g. unknown codes)
    """

    name: str
    source: str
    kind: str
    release: str
    licence: str
    citation: str
    parser_version: str
    ingested_at: str
    version: str
    inputs: list[InputFile] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        d = asdict(self)
        d["inputs"] = [asdict(i) for i in self.inputs]
        for i in d["inputs"]:
            i["years"] = list(i["years"])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        """Build from the JSON form."""
        d = dict(d)
        d["inputs"] = [InputFile.from_dict(i) for i in d.get("inputs", [])]
        return cls(**d)

    def write(self, directory: Path) -> Path:
        """Write ``manifest.json`` into ``directory``."""
        path = directory / MANIFEST_FILE
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n")
        return path

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        """Read ``manifest.json`` from ``directory``."""
        return cls.from_dict(json.loads((directory / MANIFEST_FILE).read_text()))

    def provenance(self) -> dict[str, Any]:
        """The short form that results carry: name, release, version and input checksums."""
        return {
            "dataset": self.name,
            "source": self.source,
            "release": self.release,
            "version": self.version,
            "licence": self.licence,
            "citation": self.citation,
            "parser_version": self.parser_version,
            "ingested_at": self.ingested_at,
            "inputs": [{"file": i.name, "sha256": i.sha256} for i in self.inputs],
        }
