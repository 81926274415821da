"""Installations → industrial clusters (issue 18, item 2): pure functions.

An EUTL installation is located from its city string (the EUTL has no municipality): the
``(GEM. X)`` municipality when the string names one, else the whole string, its parts and
the editable aliases of the cluster file, looked up in the place table (woonplaats →
current municipality, ``geo/nl/woningwaardering/corop.generated.csv``) and the municipality
lookup of :mod:`ketenradar.places.regions` (municipality → COROP → province).
The municipality then falls in one of the five clusters (listed municipality first, then a
listed COROP region, then a listed province) or in cluster 6; an installation that cannot be
located is kept as ``unassigned`` with the reason. Method: docs/methods/industry.md,
"Installations → clusters".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from ketenradar.places.regions import Place, Regions, key
from ketenradar.places.regions import place_key as pkey

__all__ = [
    "OFFSHORE",
    "OTHER",
    "SECTORS",
    "UNASSIGNED",
    "Assignment",
    "ClusterRule",
    "assign",
    "candidates",
    "locate",
    "municipality",
    "sector",
]

#: The cluster of a located installation outside the five clusters.
OTHER = "cluster 6"
#: The cluster column's value for an installation that could not be located.
UNASSIGNED = "unassigned"
#: The override of an installation at sea (no municipality; the EUTL city is an office).
OFFSHORE = "offshore"

#: EU ETS activity code (EUTL ``MainActivityTypeCode``; 1–9: Annex I of Directive 2003/87/EC
#: as in 2005–2012, 20–47: Annex I as amended by Directive 2009/29/EC, from 2013; 10:
#: aircraft; 99: opted-in) → sector label used in the cluster tables.
SECTORS: dict[int, str] = {
    1: "combustion",
    20: "combustion",
    2: "refining",
    21: "refining",
    3: "iron and steel",  # coke ovens
    22: "iron and steel",  # production of coke
    4: "iron and steel",  # metal ore roasting or sintering
    23: "iron and steel",
    5: "iron and steel",
    24: "iron and steel",
    25: "iron and steel",  # production or processing of ferrous metals
    26: "non-ferrous metals",
    27: "non-ferrous metals",
    28: "non-ferrous metals",
    6: "cement and lime",
    29: "cement and lime",
    30: "cement and lime",
    7: "glass",
    31: "glass",
    8: "ceramics",
    32: "ceramics",
    33: "mineral wool and gypsum",
    34: "mineral wool and gypsum",
    9: "pulp and paper",
    35: "pulp and paper",
    36: "pulp and paper",
    37: "chemicals",  # carbon black
    38: "chemicals",  # nitric acid
    39: "chemicals",  # adipic acid
    40: "chemicals",  # glyoxal and glyoxylic acid
    41: "chemicals",  # ammonia
    42: "chemicals",  # bulk organic chemicals
    43: "chemicals",  # hydrogen and synthesis gas
    44: "chemicals",  # soda ash and sodium bicarbonate
    45: "CO2 capture and storage",
    46: "CO2 capture and storage",
    47: "CO2 capture and storage",
    10: "aviation",
    99: "other (opted in)",
}

#: Province suffixes of Dutch place names (``KATWIJK NB``, ``NIEUWDORP ZLD``, ``Hengelo (O)``)
#: → the province (CBS spelling) they point to.
PROVINCE_SUFFIXES = {
    "nb": "Noord-Brabant",
    "zld": "Zeeland",
    "z": "Zeeland",
    "zh": "Zuid-Holland",
    "nh": "Noord-Holland",
    "gld": "Gelderland",
    "gl": "Gelderland",
    "o": "Overijssel",
    "ov": "Overijssel",
    "l": "Limburg",
    "lb": "Limburg",
    "dr": "Drenthe",
    "fr": "Friesland",
    "gr": "Groningen",
    "u": "Utrecht",
    "ut": "Utrecht",
}

_GEM = re.compile(r"\(?\s*\bgem(?:eente)?\.?\s+([^()]+?)\s*\)?\s*$", re.IGNORECASE)
_PAREN = re.compile(r"\(([^()]*)\)")


def sector(code: int | None) -> str | None:
    """The sector label of EU ETS activity ``code`` (:data:`SECTORS`), ``None`` if unknown."""
    return None if code is None or pd.isna(code) else SECTORS.get(int(code))


def candidates(city: str) -> tuple[str | None, list[str], str | None]:
    """The normalised EUTL ``city`` string: ``(municipality, names, province)``.

    ``municipality``: the ``X`` of ``(GEM. X)`` / ``GEM. X`` when given; ``names``: the
    names to try in order (the whole string without that part and without a province
    suffix, the text in brackets, the parts between dashes or commas, the words of four
    letters or more); ``province``: the province a suffix such as ``NB`` or ``(O)`` names.

    >>> candidates("VELSEN-NOORD (GEM.VELSEN)")
    ('VELSEN', ['VELSEN-NOORD', 'VELSEN', 'NOORD'], None)
    """
    text = " ".join(city.replace("\u00a0", " ").split())
    text = re.sub(r"\s*-\s*", "-", text)  # "Schiphol- Rijk", "VONDELINGENPLAAT - ROTTERDAM"
    text = re.sub(r"(?i)\bgem\.(?=\S)", "gem. ", text)  # "(GEM.VELSEN)"
    municipality = None
    m = _GEM.search(text)
    if m:
        municipality = m.group(1).strip()
        text = text[: m.start()].strip()
    province = None
    inner = [p.strip() for p in _PAREN.findall(text)]
    for p in list(inner):
        if key(p) in PROVINCE_SUFFIXES:
            province = PROVINCE_SUFFIXES[key(p)]
            inner.remove(p)
    base = _PAREN.sub(" ", text).strip()
    words = base.split()
    if len(words) > 1 and key(words[-1]) in PROVINCE_SUFFIXES:
        province = PROVINCE_SUFFIXES[key(words[-1])]
    names: list[str] = []

    def add(name: str) -> None:
        name = name.strip(" ,.-")
        if name and key(name) not in {key(n) for n in names}:
            names.append(name)

    add(base)
    if province and len(words) > 1 and key(words[-1]) in PROVINCE_SUFFIXES:
        add(" ".join(words[:-1]))
    for p in inner:
        add(p)
    for part in [*re.split(r"[-,]", base), *(q for p in inner for q in re.split(r"[-,]", p))]:
        add(part)
    for word in re.split(r"[\s,-]+", base):
        if len(word) >= 4:
            add(word)
    return municipality, names, province


@dataclass(frozen=True)
class Located:
    """Where a city string points: a municipality (``None`` when not found) and how."""

    place: Place | None
    basis: str


def municipality(
    name: str, regions: Regions, places: Mapping[str, tuple[str, ...]]
) -> Place | None:
    """The municipality ``name`` (a CBS name or code), current where possible: one of the
    current list, else through the place of the same name (Delfzijl → Eemsdelta, Stein →
    Stein (L.)); a 2015 municipality otherwise; ``None`` when unknown."""
    found = regions.place(name)
    if found is not None and found.current:
        return found
    now = places.get(pkey(name), ())
    same = [m for m in now if _bare(m) == _bare(name)]
    if len(now) == 1 or len(same) == 1:
        return regions.place(now[0] if len(now) == 1 else same[0])
    return found


def _bare(name: str) -> str:
    """A municipality name without its bracketed suffix: ``Rijswijk (ZH.)`` → ``rijswijk``."""
    return key(_PAREN.sub(" ", name))


def locate(
    city: str | None,
    regions: Regions,
    places: Mapping[str, tuple[str, ...]],
    aliases: Mapping[str, str] | None = None,
) -> Located:
    """The municipality of an EUTL ``city`` string, with the basis (or, when not found, the
    reason). ``places``: :func:`ketenradar.places.regions.place_table`; ``aliases``: folded
    name (:func:`key`) → municipality (the cluster file's ``aliases``)."""
    aliases = aliases or {}
    if city is None or not str(city).strip():
        return Located(None, "no city in the EUTL")
    gem, names, province = candidates(str(city))
    if gem:
        found = municipality(aliases.get(pkey(gem), gem), regions, places)
        if found is not None:
            return Located(found, f"municipality named in the city: {gem}")
    ambiguous: list[str] = []
    for name in names:
        k = pkey(name)
        if k in aliases:
            found = municipality(aliases[k], regions, places)
            if found is not None:
                return Located(found, f"alias {name} → {aliases[k]}")
        options = places.get(k, ())
        if province and len(options) > 1:
            narrowed = tuple(
                o for o in options if (p := regions.place(o)) is not None and p.province == province
            )
            options = narrowed or options
        if len(options) == 1:
            found = regions.place(options[0])
            if found is not None:
                return Located(found, f"place {name} in {found.municipality}")
        own = municipality(name, regions, places)
        if own is not None and own.current:
            return Located(own, f"municipality {name}")
        if len(options) > 1:
            same = [o for o in options if _bare(o) == _bare(name)]
            if len(same) == 1 and (found := regions.place(same[0])) is not None:
                return Located(found, f"place {name}: the municipality of that name")
            ambiguous.append(f"{name} is a place in {', '.join(options)}")
            if name == names[0]:  # the whole string is a known place: no guessing by parts
                break
        elif own is not None:
            return Located(own, f"municipality {name} (CBS 2015)")
    if ambiguous:
        return Located(None, "ambiguous: " + "; ".join(ambiguous))
    return Located(None, f"place not found: {city!r}")


@dataclass(frozen=True)
class ClusterRule:
    """One of the five clusters: its name and the CBS codes of its municipalities, COROP
    regions and provinces (a municipality listed by name wins over a region rule)."""

    name: str
    municipalities: frozenset[str]
    corops: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Assignment:
    """An installation's municipality, COROP region, province, cluster and the basis."""

    municipality: str | None
    municipality_code: str | None
    corop: str | None
    province: str | None
    cluster: str
    basis: str


def cluster_of(place: Place, rules: Iterable[ClusterRule]) -> tuple[str, str]:
    """The cluster of municipality ``place`` and why: a cluster listing the municipality,
    else one listing its COROP region, else its province, else :data:`OTHER`."""
    rules = list(rules)
    for r in rules:
        if place.municipality_code in r.municipalities:
            return r.name, f"municipality {place.municipality} listed in {r.name}"
    for r in rules:
        if place.corop_code and place.corop_code in r.corops:
            return r.name, f"COROP region {place.corop} listed in {r.name}"
    for r in rules:
        if place.province_code and place.province_code in r.provinces:
            return r.name, f"province {place.province} listed in {r.name}"
    return OTHER, f"{place.municipality} is outside the five clusters"


def assign_one(
    city: str | None,
    regions: Regions,
    places: Mapping[str, tuple[str, ...]],
    rules: Iterable[ClusterRule],
    aliases: Mapping[str, str] | None = None,
    override: str | None = None,
) -> Assignment:
    """The :class:`Assignment` of one installation from its ``city`` (or from ``override``,
    a municipality the cluster file gives for this installation, or :data:`OFFSHORE` for an
    installation at sea)."""
    if override == OFFSHORE:
        return Assignment(
            None,
            None,
            None,
            None,
            UNASSIGNED,
            f"offshore installation (listed under offshore in the cluster file): the EUTL "
            f"city {city!r} is the operator's office, not the site",
        )
    if override:
        found = municipality(override, regions, places)
        located = Located(found, f"municipality given in the cluster file: {override}")
    else:
        located = locate(city, regions, places, aliases)
    p = located.place
    if p is None:
        return Assignment(None, None, None, None, UNASSIGNED, located.basis)
    cluster, why = cluster_of(p, rules)
    return Assignment(
        p.municipality, p.municipality_code, p.corop, p.province, cluster, f"{located.basis}; {why}"
    )


#: The columns of :func:`assign` (the result table ``industry clusters --table installations``
#: declares the same names; a test holds them equal).
ASSIGNMENT_COLUMNS = (
    "installation_id",
    "name",
    "holder",
    "city",
    "postcode",
    "activity_code",
    "sector",
    "municipality",
    "municipality_code",
    "corop",
    "province",
    "cluster",
    "basis",
    "latitude",
    "longitude",
    "corop_at_coordinates",
)


def assign(
    installations: pd.DataFrame,
    regions: Regions,
    places: Mapping[str, tuple[str, ...]],
    rules: Iterable[ClusterRule],
    aliases: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    corop_at: Callable[[float, float], str | None] | None = None,
) -> pd.DataFrame:
    """One row per installation (``ASSIGNMENT_COLUMNS``): its location, sector, cluster and
    the basis; installations that cannot be located have cluster :data:`UNASSIGNED` and the
    reason in ``basis`` (none is dropped). Where ``installations`` has ``latitude`` and
    ``longitude``, they are kept (not for an installation at sea: they geocode its
    operator's office), and ``corop_at`` (longitude, latitude → the COROP region
    the point lies in) checks them against the location from the city."""
    rules = list(rules)
    overrides = overrides or {}
    rows = []
    for r in installations.itertuples(index=False):
        a = assign_one(r.city, regions, places, rules, aliases, overrides.get(r.installation_id))
        lat, lon = getattr(r, "latitude", None), getattr(r, "longitude", None)
        if lat is None or lon is None or pd.isna(lat) or pd.isna(lon):
            lat = lon = None
        if overrides.get(r.installation_id) == OFFSHORE:
            lat = lon = None  # geocoded from the EUTL address: the operator's office
        rows.append(
            {
                "installation_id": r.installation_id,
                "name": r.name,
                "holder": r.holder,
                "city": r.city,
                "postcode": r.postcode,
                "activity_code": None if pd.isna(r.activity_code) else int(r.activity_code),
                "sector": sector(r.activity_code),
                "municipality": a.municipality,
                "municipality_code": a.municipality_code,
                "corop": a.corop,
                "province": a.province,
                "cluster": a.cluster,
                "basis": a.basis,
                "latitude": lat,
                "longitude": lon,
                "corop_at_coordinates": corop_at(lon, lat)
                if corop_at and lat is not None and lon is not None
                else None,
            }
        )
    df = pd.DataFrame(rows, columns=list(ASSIGNMENT_COLUMNS))
    return df.astype({"activity_code": "Int64", "latitude": "float64", "longitude": "float64"})


#: The columns of :func:`per_cluster` (as the result table declares them; a test holds them
#: equal).
CLUSTER_COLUMNS = (
    "year",
    "cluster",
    "verified_t",
    "installations",
    "free_allocation_t",
    "coverage",
)


def per_cluster(
    assignment: pd.DataFrame, rows: pd.DataFrame, order: Iterable[str], export_files: set[str]
) -> pd.DataFrame:
    """Per cluster and year: verified emissions (t), installations with a verified number and
    free allocation (t) of the installations in ``assignment`` (``rows``: the emissions
    table). ``order``: the clusters in the order shown (the five, cluster 6, unassigned);
    ``coverage`` as in the totals per year (``all`` when the EUTL export gives the year)."""
    em = rows.merge(assignment[["installation_id", "cluster"]], on="installation_id")
    verified = em["status"] == "verified"
    em = em.assign(_v=em["verified_t"].where(verified), _n=verified.astype("int64"))
    g = em.groupby(["cluster", "year"], sort=False)
    out = g.agg(
        verified_t=("_v", lambda s: s.sum(min_count=1)),
        installations=("_n", "sum"),
        free_allocation_t=("free_allocation_t", lambda s: s.sum(min_count=1)),
    ).reset_index()
    cover = em.groupby("year")["source"].agg(
        lambda s: "all" if s.isin(export_files).any() else "large only"
    )
    out["coverage"] = out["year"].map(cover)
    rank = {c: i for i, c in enumerate(order)}
    out = out.assign(_r=out["cluster"].map(rank).fillna(len(rank)))
    out = out.sort_values(["year", "_r"], kind="stable").drop(columns="_r")
    out["year"] = out["year"].astype("int64")
    out["installations"] = out["installations"].astype("int64")
    return out[list(CLUSTER_COLUMNS)].reset_index(drop=True)
