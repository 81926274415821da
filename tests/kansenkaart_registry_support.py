"""Helpers of the supplier registry's tests (tests/unit/test_kansenkaart_registry.py and
tests/web/test_kansenkaart_registry_api.py): a tiny hand-made CBS map division and two test
suppliers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ketenradar.modules.kansenkaart import suppliers as sp

#: A hand-made map division: (code, name, COROP code, province code).
MUNICIPALITIES = [
    ("GM0718", "Vlissingen", "CR32", "PV29"),
    ("GM0654", "Borsele", "CR32", "PV29"),
    ("GM0363", "Amsterdam", "CR23", "PV27"),
    ("GM0772", "Eindhoven", "CR36", "PV30"),
]
COROPS = [
    ("CR32", "Overig Zeeland", "PV29"),
    ("CR23", "Groot-Amsterdam", "PV27"),
    ("CR36", "Zuidoost-Noord-Brabant", "PV30"),
]
PROVINCES = [("PV29", "Zeeland"), ("PV27", "Noord-Holland"), ("PV30", "Noord-Brabant")]


def _layer(path: Path, props: list[dict[str, str]]) -> None:
    geometries = [{"type": "Polygon", "arcs": [], "properties": p} for p in props]
    doc = {"type": "Topology", "arcs": [], "objects": {"layer": {"geometries": geometries}}}
    path.write_text(json.dumps(doc), encoding="utf-8")


def write_geo(shared: Path) -> Path:
    """A shared data folder holding only a tiny CBS division (the layers' properties)."""
    folder = shared / "geo" / "nl" / "ties_cbs_2015"
    folder.mkdir(parents=True)
    _layer(
        folder / "Gemeente_2015_layer_q1e3.json",
        [
            {"statcode": c, "statnaam": n, "corop_gebied": cr, "provincie": pv}
            for c, n, cr, pv in MUNICIPALITIES
        ],
    )
    _layer(
        folder / "CoropGebied_2015_layer_q1e3.json",
        [{"statcode": c, "statnaam": n, "provincie": pv} for c, n, pv in COROPS],
    )
    _layer(
        folder / "Provincie_2015_layer_q1e3.json",
        [{"statcode": c, "statnaam": n} for c, n in PROVINCES],
    )
    return shared


ACME = sp.SupplierProfile(
    name="Acme Valves (test)",
    kvk="01234567",
    municipality="Vlissingen",
    size_class="medium",
    capabilities=["valves", "piping"],
    certifications=[sp.Certification(certificate="iso_9001", valid_until=date(2099, 1, 1))],
    experience=["offshore"],
    ambitions=[sp.Ambition(work_package="pumps", from_year=2030)],
    conditions="ACME-SECRET: a five-year framework contract",
    contact_email="sales@acme.example",
)
BRAVO = sp.SupplierProfile(
    name="Bravo Steel (test)",
    kvk="76543210",
    municipality="Amsterdam",
    capabilities=["civil_structures"],
    conditions="BRAVO-SECRET: advance payment",
)
