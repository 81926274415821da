"""The kansenkaart's editable tables read from files: the requirements per work package, the
certificates (``data/requirements.yaml``, ``data/certificates.yaml``), the SMR designs
(``data/smr_designs.yaml``) and a user's heat demand file; each the packaged copy or a
user's file, validated by :mod:`~ketenradar.modules.kansenkaart.analysis.requirements` and
:mod:`~ketenradar.modules.kansenkaart.analysis.smr`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from ketenradar.core.errors import UsageError
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.modules.kansenkaart.analysis.requirements import (
    CertificateTable,
    RequirementTable,
    parse_certificates,
    parse_requirements,
)
from ketenradar.modules.kansenkaart.analysis.smr import (
    DesignTable,
    HeatDemandFile,
    parse_designs,
    parse_heat_demand,
)


def _read(path: Path | str | None, packaged: str, option: str) -> tuple[Any, str]:
    """The parsed YAML/JSON of ``path`` (a user's file) or of the packaged ``data/packaged``,
    and the name to cite in errors."""
    if path is None:
        text = (resources.files("ketenradar.modules.kansenkaart") / "data" / packaged).read_text(
            encoding="utf-8"
        )
        return load_yaml(text, file=packaged), packaged
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"file {p} not found", field=option)
    return load_yaml(p.read_text(encoding="utf-8"), file=str(p), kind="YAML/JSON"), str(p)


def load_certificates(path: Path | str | None = None) -> CertificateTable:
    """The certificates table: ``path`` or the packaged ``data/certificates.yaml``."""
    doc, name = _read(path, "certificates.yaml", "certificates")
    return parse_certificates(doc, file=name)


def load_requirements(
    path: Path | str | None = None,
    certificates: CertificateTable | None = None,
    work_packages: dict[str, Any] | None = None,
) -> RequirementTable:
    """The requirements per work package: ``path`` or the packaged ``data/requirements.yaml``,
    checked against the certificates and (when given) the taxonomy's work packages."""
    doc, name = _read(path, "requirements.yaml", "rules")
    certs = certificates if certificates is not None else load_certificates()
    return parse_requirements(doc, certs, work_packages, file=name)


def load_designs(path: Path | str | None = None) -> DesignTable:
    """The SMR design table: ``path`` or the packaged ``data/smr_designs.yaml``."""
    doc, name = _read(path, "smr_designs.yaml", "designs")
    return parse_designs(doc, file=name)


def load_heat_demand(path: Path | str) -> HeatDemandFile:
    """A heat demand file (YAML/JSON)."""
    doc, name = _read(path, "", "demand")
    return parse_heat_demand(doc, file=name)
