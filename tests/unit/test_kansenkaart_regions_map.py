"""The map of the Netherlands drawn from TopoJSON (``ketenradar.places.maps``): a hand-built
topology of two squares sharing an edge decodes to the corners computed by hand; on the real
CBS 2015 layers every province and every COROP region has a shape, keyed as the registry keys its
suppliers (province name, COROP code)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import require_shared

from ketenradar.places import maps as rm
from ketenradar.places.regions import PROVINCES, regions

# two unit squares side by side, quantised: scale 0.5, translate (4, 52); arcs delta-encoded.
# arc 0: the shared edge x=2 from (2,0) up to (2,2); arc 1: left square's other three sides
# (2,2)→(0,2)→(0,0)→(2,0); arc 2: right square's (2,0)→(4,0)→(4,2)→(2,2).
WEST = {"statnaam": "West", "statcode": "PV01"}
EAST = {"statnaam": "East", "statcode": "PV02"}
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [4.0, 52.0]},
    "arcs": [
        [[2, 0], [0, 2]],
        [[2, 2], [-2, 0], [0, -2], [2, 0]],
        [[2, 0], [2, 0], [0, 2], [-2, 0]],
    ],
    "objects": {
        "layer": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "properties": WEST},
                {"type": "Polygon", "arcs": [[2, -1]], "properties": EAST},
            ],
        }
    },
}  # fmt: skip


def test_arcs_decode_and_rings_join_by_hand():
    arcs = rm.decode_arcs(TOPOLOGY)
    assert arcs[0] == [(5.0, 52.0), (5.0, 53.0)]
    assert arcs[1] == [(5.0, 53.0), (4.0, 53.0), (4.0, 52.0), (5.0, 52.0)]
    west = rm.ring_points([0, 1], arcs)
    assert west == [(5.0, 52.0), (5.0, 53.0), (4.0, 53.0), (4.0, 52.0), (5.0, 52.0)]
    east = rm.ring_points([2, -1], arcs)  # ~0 = -1: the shared edge backwards
    assert east == [(5.0, 52.0), (6.0, 52.0), (6.0, 53.0), (5.0, 53.0), (5.0, 52.0)]
    multi = {"type": "MultiPolygon", "arcs": [[[0, 1]], [[2, -1]]]}
    assert rm.polygons(multi) == [[[0, 1]], [[2, -1]]]
    assert rm.polygons({"type": "Point"}) == []


def test_the_drawing_keeps_the_shape(tmp_path: Path):
    layers = tmp_path / rm.LAYERS
    layers.mkdir(parents=True)
    (layers / rm.LEVELS["province"]).write_text(json.dumps(TOPOLOGY), encoding="utf-8")
    m = rm.region_map("province", tmp_path)
    assert [s.key for s in m.shapes] == ["East", "West"]
    # 2° of longitude at cos(52.5°) against 1° of latitude: width 480, height 480 / (2·cos)
    import math

    assert m.height == round(480 / (2 * math.cos(math.radians(52.5))), 1)
    west = next(s for s in m.shapes if s.key == "West")
    assert west.path.startswith("M240.0 ") and west.path.endswith("Z")
    assert rm.region_map("corop", tmp_path) is None  # that layer is missing


def test_every_province_and_corop_region_has_a_shape():
    shared = require_shared("geo/nl").parent.parent
    provinces = rm.region_map("province", shared)
    assert sorted(s.key for s in provinces.shapes) == sorted(PROVINCES)
    corop = rm.region_map("corop", shared)
    assert len(corop.shapes) == 40
    codes = {p.corop_code for p in regions(shared).places.values()}
    assert {s.key for s in corop.shapes} == codes - {None}
    assert all(s.path.count("M") >= 1 for s in corop.shapes)
    assert 0.8 < provinces.height / provinces.width < 1.5  # the Netherlands is taller than wide


def test_the_centre_of_a_ring() -> None:
    """The area-weighted centroid: a unit square's is its middle, whatever the order."""
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    assert rm.centroid(square) == pytest.approx((1.0, 1.0))
    assert rm.centroid(square[::-1]) == pytest.approx((1.0, 1.0))
    # an L shape: its centroid is not the mean of its corners
    ell = [(0.0, 0.0), (3.0, 0.0), (3.0, 1.0), (1.0, 1.0), (1.0, 3.0), (0.0, 3.0)]
    assert rm.centroid(ell) == pytest.approx((1.1, 1.1))


def test_a_point_in_its_region_and_the_projection(tmp_path: Path) -> None:
    """The two squares: a point west of 5° E is in West, east of it in East, outside both
    in none; the projection puts the north-west corner at (0, 0) and the south-east corner
    at (width, height)."""
    layers = tmp_path / rm.LAYERS
    layers.mkdir(parents=True)
    (layers / rm.LEVELS["corop"]).write_text(json.dumps(TOPOLOGY), encoding="utf-8")
    m = rm.region_map("corop", tmp_path)
    assert m.region_at(4.5, 52.5).key == "PV01" and m.region_at(5.5, 52.9).key == "PV02"
    assert m.region_at(6.5, 52.5) is None and m.region_at(4.5, 53.5) is None
    assert m.projection(4.0, 53.0) == pytest.approx((0.0, 0.0))
    assert m.projection(6.0, 52.0) == pytest.approx((m.width, m.height), abs=0.05)
    # a ring with a hole: even-odd, so a point in the hole is outside
    outer = ((0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0))
    hole = ((1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0))
    donut = rm.Shape("D", "Donut", "", rings=(outer, hole))
    assert donut.contains(0.5, 0.5) and not donut.contains(2.0, 2.0)


def test_real_installations_lie_in_their_corop_region() -> None:
    """Known sites on the real CBS 2015 COROP outlines: Tata Steel IJmuiden (euets.info
    coordinates) in IJmond, Chemelot (Geleen) in Zuid-Limburg, Delfzijl's port in Delfzijl
    en omgeving and the Eemshaven (Het Hogeland) in Overig Groningen; the North Sea in none."""
    shared = require_shared("geo/nl").parent.parent
    corop = rm.region_map("corop", shared)
    assert corop.region_at(4.6205, 52.473869).name == "IJmond"
    assert corop.region_at(5.79, 50.97).name == "Zuid-Limburg"
    assert corop.region_at(6.94, 53.31).name == "Delfzijl en omgeving"
    assert corop.region_at(6.83, 53.44).name == "Overig Groningen"
    assert corop.region_at(3.0, 52.5) is None
