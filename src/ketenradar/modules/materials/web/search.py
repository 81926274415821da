"""What the materials module contributes to the site search: every material of the
vocabulary, by its id, its English and Dutch names and the names the EU CRM assessment uses
for it ("wolfraam" finds tungsten)."""

from __future__ import annotations

from ketenradar.core.vocabularies.materials import materials
from ketenradar.interfaces.web.search import SearchEntry
from ketenradar.results.facts import Facts


def entries(facts: Facts) -> list[SearchEntry]:
    """One entry per material (the facts are not needed: the vocabulary is packaged)."""
    return [
        SearchEntry(
            "material",
            m.material,
            m.name,
            f"materials/{m.material}",
            names=(m.material.replace("_", " "), m.name_nl, *m.eu_crm_names),
            labels={"nl": m.name_nl},
        )
        for m in materials()
    ]
