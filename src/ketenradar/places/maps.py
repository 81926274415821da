"""Maps of the Netherlands (the kansenkaart's, the industry dashboard's): provinces or COROP
regions as SVG paths, with each region's centre,
from the CBS area divisions of 2015 in the shared data folder
(``$KETENRADAR_SHARED_DATA/geo/nl/ties_cbs_2015/{Provincie,CoropGebied}_2015_layer_q1e3.json``,
TopoJSON in longitude/latitude, the same files :mod:`~ketenradar.places.regions`
reads the names from).

The TopoJSON is decoded here (quantised, delta-encoded arcs; a ring joins its arcs, a negative
index ``~i`` runs arc ``i`` backwards; the TopoJSON specification, section 2.1.1–2.2) and
projected equirectangularly with the longitude scaled by the cosine of the map's middle
latitude (at the scale of the Netherlands the distortion is under 1 %). The paths are drawn on
the server, so the map needs no script and no map library, and a reader of the page gets the
same numbers in the table beside it.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from ketenradar.places.regions import LAYERS, shared_root

#: The map levels and their layer files.
LEVELS = {
    "province": "Provincie_2015_layer_q1e3.json",
    "corop": "CoropGebied_2015_layer_q1e3.json",
}
#: The width of the drawing in SVG units (the height follows from the map's shape).
WIDTH = 480.0


@dataclass(frozen=True)
class Shape:
    """One region: its key (a province's CBS name, a COROP region's CBS code ``CR17``), its
    name, its outline as an SVG path and the centre of its largest ring (the area-weighted
    centroid, in the drawing's coordinates: where a marker for the region goes)."""

    key: str
    name: str
    path: str
    centre: tuple[float, float] = (0.0, 0.0)
    rings: tuple[tuple[tuple[float, float], ...], ...] = ()  # (longitude, latitude)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies inside the region (even-odd rule over all its rings, so a
        hole is outside)."""
        return sum(_crossings(ring, lon, lat) for ring in self.rings) % 2 == 1


@dataclass(frozen=True)
class Projection:
    """The map's projection: equirectangular, the longitude scaled by the cosine of the
    map's middle latitude; (longitude, latitude) → (x, y) in the drawing."""

    west: float
    north: float
    k: float
    scale: float

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        """The point in the drawing's coordinates (x to the east, y down)."""
        return ((lon - self.west) * self.k * self.scale, (self.north - lat) * self.scale)


def _crossings(ring: tuple[tuple[float, float], ...], x: float, y: float) -> int:
    """How often a ray from (x, y) to the east crosses the ring's edges."""
    n = 0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            n += 1
    return n


@dataclass(frozen=True)
class RegionMap:
    """The regions of one level with the drawing's size, and the file they came from."""

    level: str
    shapes: tuple[Shape, ...]
    width: float
    height: float
    source: str
    projection: Projection | None = None

    def region_at(self, lon: float, lat: float) -> Shape | None:
        """The region the point lies in, ``None`` when none (at sea, abroad)."""
        return next((s for s in self.shapes if s.contains(lon, lat)), None)


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs of a TopoJSON topology as lists of (longitude, latitude): quantised arcs are
    delta-encoded and transformed by ``scale`` and ``translate``."""
    transform = topology.get("transform")
    out = []
    for arc in topology["arcs"]:
        if transform is None:
            out.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for p in arc:
            x += p[0]
            y += p[1]
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def ring_points(
    ring: list[int], arcs: list[list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    """The points of one ring: its arcs joined (``~i``: arc ``i`` backwards), each arc's first
    point dropped after the first as it repeats the previous arc's last."""
    points: list[tuple[float, float]] = []
    for i, index in enumerate(ring):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if i == 0 else arc[1:])
    return points


def polygons(geometry: dict) -> list[list[list[int]]]:
    """A geometry's polygons (each a list of rings of arc indices)."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def centroid(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """The area-weighted centroid of a closed ring (the shoelace formula); the mean of its
    points when it has no area."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        n = len(ring) or 1
        return (sum(x for x, _ in ring) / n, sum(y for _, y in ring) / n)
    return (cx / (3 * a), cy / (3 * a))


def _area(ring: list[tuple[float, float]]) -> float:
    return (
        abs(
            sum(
                x0 * y1 - x1 * y0
                for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)
            )
        )
        / 2
    )


def _path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in ring) + "Z")
    return "".join(parts)


@functools.cache
def _load(root: str, level: str) -> RegionMap | None:
    path = Path(root) / LAYERS / LEVELS[level]
    if not path.is_file():
        return None
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    geometries = topology["objects"]["layer"]["geometries"]
    lons = [x for arc in arcs for x, _ in arc]
    lats = [y for arc in arcs for _, y in arc]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    k = math.cos(math.radians((south + north) / 2))
    projection = Projection(west, north, k, WIDTH / ((east - west) * k))
    scale = projection.scale

    shapes = []
    for g in geometries:
        props = g["properties"]
        outlines = tuple(
            tuple(ring_points(ring, arcs)) for polygon in polygons(g) for ring in polygon
        )
        rings = [[projection(*p) for p in ring] for ring in outlines]
        key = props["statnaam"] if level == "province" else props["statcode"]
        biggest = max(rings, key=_area) if rings else []
        centre = centroid(biggest) if biggest else (0.0, 0.0)
        centre = (round(centre[0], 1), round(centre[1], 1))
        shapes.append(Shape(key, props["statnaam"], _path(rings), centre, outlines))
    shapes.sort(key=lambda s: s.name)
    height = (north - south) * scale
    return RegionMap(level, tuple(shapes), WIDTH, round(height, 1), str(path), projection)


def region_map(level: str, shared: Path | str | None = None) -> RegionMap | None:
    """The regions of ``level`` (``province`` or ``corop``) drawn as SVG paths, from
    ``shared`` (default ``$KETENRADAR_SHARED_DATA``); ``None`` when the map data is missing."""
    if level not in LEVELS:
        raise ValueError(f"unknown map level {level!r} (known: {', '.join(LEVELS)})")
    return _load(str(shared_root(shared)), level)
