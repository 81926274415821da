"""The cluster file (``data/clusters.yaml`` or a user's copy): the five industrial clusters
with their municipalities, COROP regions and provinces and their sources, the aliases of
EUTL place spellings, the installations located by hand and those at sea
(docs/methods/industry.md, "Installations → clusters"). Validated with pydantic; every name
is checked against the map data (:mod:`ketenradar.places.regions`), an unknown
one refused naming its entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ketenradar.core.errors import DataError, NotFoundError
from ketenradar.core.safe_yaml import invalid_document, load_yaml
from ketenradar.modules.industry.analysis.clusters import (
    OFFSHORE,
    OTHER,
    UNASSIGNED,
    ClusterRule,
    municipality,
)
from ketenradar.places.regions import Regions, key
from ketenradar.places.regions import place_key as pkey

__all__ = ["DEFAULT", "ClusterMap", "ClustersFile", "load_cluster_map"]

#: The cluster file shipped with the module.
DEFAULT = Path(__file__).parent / "data" / "clusters.yaml"


class ClusterSpec(BaseModel):
    """One cluster as the file gives it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    municipalities: list[str] = []
    corops: list[str] = []
    provinces: list[str] = []

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, v: str) -> str:
        if key(v) in (key(OTHER), key(UNASSIGNED)):
            raise ValueError(f"'{v}' is reserved (installations outside the five clusters)")
        return v


class ClustersFile(BaseModel):
    """The whole cluster file."""

    model_config = ConfigDict(extra="forbid")

    clusters: list[ClusterSpec] = Field(min_length=1)
    aliases: dict[str, str] = {}
    installations: dict[str, str] = {}
    offshore: list[str] = []


@dataclass(frozen=True)
class ClusterMap:
    """The checked cluster file: rules with CBS codes, aliases keyed for lookup,
    ``overrides`` (installation id → municipality, or ``offshore`` for one at sea), the
    sources per cluster and the file it came from."""

    rules: tuple[ClusterRule, ...]
    aliases: dict[str, str]
    overrides: dict[str, str]
    sources: dict[str, str]
    file: str

    @property
    def order(self) -> list[str]:
        """The clusters in the file's order, then cluster 6 and unassigned."""
        return [r.name for r in self.rules] + [OTHER, UNASSIGNED]


def load_cluster_map(
    path: Path | str | None, regions: Regions, places: Mapping[str, tuple[str, ...]]
) -> ClusterMap:
    """The cluster file at ``path`` (default :data:`DEFAULT`) checked against ``regions``
    and the place table ``places`` (:func:`ketenradar.places.regions.place_table`).

    Refused with a :class:`DataError` naming the file and the field
    (``clusters[1].municipalities[2]``): a malformed document, an unknown municipality,
    COROP region or province, a municipality listed in two clusters, an alias or installation
    pointing at an unknown municipality."""
    file = Path(path) if path is not None else DEFAULT
    if not file.is_file():
        raise NotFoundError(f"cluster file {file} not found", field="clusters")
    doc = load_yaml(file.read_text(encoding="utf-8"), file=file)
    try:
        spec = ClustersFile.model_validate(doc if doc is not None else {})
    except ValidationError as exc:
        raise invalid_document(exc, file) from None
    corops: dict[str, str] = {}
    provinces: dict[str, str] = {}
    for p in regions.places.values():
        if p.corop and p.corop_code:
            corops[key(p.corop)] = corops[key(p.corop_code)] = p.corop_code
        if p.province and p.province_code:
            provinces[key(p.province)] = provinces[key(p.province_code)] = p.province_code
    seen: dict[str, str] = {}
    rules = []
    for i, c in enumerate(spec.clusters):
        codes = set()
        for j, m in enumerate(c.municipalities):
            where = f"clusters[{i}].municipalities[{j}]"
            place = municipality(m, regions, places)
            if place is None:
                raise DataError(
                    f"unknown municipality '{m}' (give a CBS name or code, e.g. Velsen or GM0453)",
                    file=str(file),
                    field=where,
                )
            old = regions.place(m)
            if (
                old is not None
                and not old.current
                and old.municipality_code != (place.municipality_code)
            ):
                raise DataError(
                    f"'{m}' is a municipality of 2015, now part of {place.municipality}: "
                    f"give {place.municipality}",
                    file=str(file),
                    field=where,
                )
            if not place.current:
                raise DataError(
                    f"'{m}' is a municipality of 2015 that no longer exists; give "
                    "the current municipality",
                    file=str(file),
                    field=where,
                )
            if place.municipality_code in seen:
                raise DataError(
                    f"{place.municipality} is already listed in {seen[place.municipality_code]}",
                    file=str(file),
                    field=where,
                )
            seen[place.municipality_code] = c.name
            codes.add(place.municipality_code)
        found = []
        for fld, table, what in (
            ("corops", corops, "COROP region"),
            ("provinces", provinces, "province"),
        ):
            got = set()
            for j, n in enumerate(getattr(c, fld)):
                code = table.get(key(n)) or (
                    table.get(key(regions.province(n) or "")) if fld == "provinces" else None
                )
                if code is None:
                    where = f"clusters[{i}].{fld}[{j}]"
                    raise DataError(f"unknown {what} '{n}'", file=str(file), field=where)
                got.add(code)
            found.append(frozenset(got))
        rules.append(ClusterRule(c.name, frozenset(codes), found[0], found[1]))
    names = [r.name for r in rules]
    if len(set(map(key, names))) != len(names):
        raise DataError("two clusters have the same name", file=str(file), field="clusters")
    aliases = {pkey(a): m for a, m in spec.aliases.items()}
    for fld, table in (("aliases", spec.aliases), ("installations", spec.installations)):
        for a, m in table.items():
            if regions.place(m) is None and pkey(m) not in places:
                where = f"{fld}.{a}"
                raise DataError(f"unknown municipality or place '{m}'", file=str(file), field=where)
    for j, inst in enumerate(spec.offshore):
        if inst in spec.installations:
            where = f"offshore[{j}]"
            raise DataError(
                f"{inst} is listed under installations too", file=str(file), field=where
            )
    overrides = dict(spec.installations) | dict.fromkeys(spec.offshore, OFFSHORE)
    return ClusterMap(
        tuple(rules),
        aliases,
        overrides,
        {c.name: " ".join(c.source.split()) for c in spec.clusters},
        str(file),
    )
