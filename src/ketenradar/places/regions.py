"""Municipality → COROP region → province (the kansenkaart's supplier registry, the industry
module's clusters), from the map data in the shared data folder
(``$KETENRADAR_SHARED_DATA/geo/nl``; docs/methods/kansenkaart.md, "Supplier registry"):

* ``ties_cbs_2015/Gemeente_2015_layer_q1e3.json`` (CBS area divisions 2015, TopoJSON): every
  municipality of 2015 with its COROP and province code; ``CoropGebied_…`` and
  ``Provincie_…`` name the COROP regions and provinces;
* ``woningwaardering/corop.generated.csv`` (MIT, Woonstad Rotterdam): places with their
  current municipality and COROP region, which adds the municipalities formed since 2015
  (their province: that of their COROP region).

Names are matched ignoring case, accents and the spelling of apostrophes and dashes; CBS codes
(``GM0363``) work too. When the folder is missing the lookup is empty: a municipality is then
kept as given, with the province as given (and no COROP region).
"""

from __future__ import annotations

import csv
import functools
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

GEO = Path("geo") / "nl"
LAYERS = GEO / "ties_cbs_2015"
PLACES = GEO / "woningwaardering" / "corop.generated.csv"


@dataclass(frozen=True)
class Place:
    """A municipality with its COROP region and province (names and CBS codes)."""

    municipality: str
    municipality_code: str
    corop: str | None
    corop_code: str | None
    province: str | None
    province_code: str | None
    #: in the current list (``corop.generated.csv``), not only in the 2015 division
    current: bool = False


@dataclass(frozen=True)
class Regions:
    """The lookup tables: municipalities by key (name or code), provinces by key."""

    places: dict[str, Place]
    provinces: dict[str, str]
    source: str | None

    def place(self, name: str) -> Place | None:
        """The municipality ``name`` (or CBS code), or ``None``."""
        return self.places.get(key(name))

    def province(self, name: str) -> str | None:
        """The province ``name`` (or CBS code ``PV27``) in its CBS spelling, or ``None``."""
        return self.provinces.get(key(name))

    @property
    def available(self) -> bool:
        """Whether the map data was found."""
        return bool(self.places)


def key(name: str) -> str:
    """``name`` folded for matching: lower case, no accents, apostrophes and dashes alike."""
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    for a, b in (("’", "'"), ("‘", "'"), ("–", "-"), ("—", "-"), (" - ", "-")):
        text = text.replace(a, b)
    return " ".join(text.split())


#: Provinces whose usual name differs from the CBS 2015 layer's.
PROVINCE_ALIASES = {"fryslan": "Friesland"}


def _layer(path: Path) -> list[dict[str, str]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [g["properties"] for g in doc["objects"]["layer"]["geometries"]]


@functools.cache
def _load(root: str) -> Regions:
    base = Path(root)
    layers = base / LAYERS
    names = ("Gemeente_2015_layer_q1e3.json", "CoropGebied_2015_layer_q1e3.json")
    names += ("Provincie_2015_layer_q1e3.json",)
    if not all((layers / n).is_file() for n in names):
        return Regions({}, {}, None)
    gm, cr, pv = (_layer(layers / n) for n in names)
    province_of = {p["statcode"]: p["statnaam"] for p in pv}
    corop_of = {c["statcode"]: (c["statnaam"], c["provincie"]) for c in cr}
    places: dict[str, Place] = {}

    def add(place: Place) -> None:
        for k in (key(place.municipality), key(place.municipality_code)):
            places.setdefault(k, place)

    csv_path = base / PLACES
    if csv_path.is_file():  # the current municipalities first (a 2015 name may be merged)
        with csv_path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                code = f"CR{int(row['COROP-gebiedcode']):02d}"
                pv_code = corop_of.get(code, (None, None))[1]
                add(
                    Place(
                        row["Gemeente"],
                        f"GM{int(row['Gemeentecode']):04d}",
                        row["COROP-gebied"],
                        code,
                        province_of.get(pv_code) if pv_code else None,
                        pv_code,
                        current=True,
                    )
                )
    for g in gm:
        corop, _ = corop_of.get(g["corop_gebied"], (None, None))
        add(
            Place(
                g["statnaam"],
                g["statcode"],
                corop,
                g["corop_gebied"],
                province_of.get(g["provincie"]),
                g["provincie"],
            )
        )
    provinces = {key(n): n for n in province_of.values()}
    provinces |= {key(c): n for c, n in province_of.items()}
    provinces |= {k: v for k, v in PROVINCE_ALIASES.items() if v in province_of.values()}
    return Regions(places, provinces, str(layers))


#: The twelve provinces (CBS spelling), used when the map data is missing.
PROVINCES = (
    "Groningen",
    "Friesland",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
)


def shared_root(shared: Path | str | None = None) -> Path:
    """The shared data folder: ``shared``, else the setting ``KETENRADAR_SHARED_DATA``."""
    if shared is not None:
        return Path(shared)
    from ketenradar.core.config import shared_data_dir

    return Path(shared_data_dir())


def regions(shared: Path | str | None = None) -> Regions:
    """The lookup from ``shared`` (default ``$KETENRADAR_SHARED_DATA``); empty when the map
    data is not there."""
    return _load(str(shared_root(shared)))


def province_name(name: str, table: Regions | None = None) -> str | None:
    """The province ``name`` in its CBS spelling (the map data's, else the built-in list of
    the twelve provinces), or ``None`` when it is no Dutch province."""
    table = table if table is not None else regions()
    found = table.province(name)
    if found:
        return found
    k = key(name)
    return PROVINCE_ALIASES.get(k) or next((p for p in PROVINCES if key(p) == k), None)


def place_key(name: str) -> str:
    """``name`` folded for place lookups: :func:`key` with dashes read as spaces
    (``OUD BEIJERLAND`` = ``Oud-Beijerland``)."""
    return " ".join(key(name).replace("-", " ").split())


@functools.cache
def _place_table(root: str) -> dict[str, tuple[str, ...]]:
    path = Path(root) / PLACES
    out: dict[str, set[str]] = {}
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                out.setdefault(place_key(row["Woonplaats"]), set()).add(row["Gemeente"])
    return {k: tuple(sorted(v)) for k, v in out.items()}


def place_table(shared: Path | str | None = None) -> dict[str, tuple[str, ...]]:
    """The places (woonplaatsen) of ``corop.generated.csv``: folded name (:func:`place_key`)
    → its current municipality names (a name used for places in more than one municipality
    has them all); empty when the file is not there."""
    return _place_table(str(shared_root(shared)))
