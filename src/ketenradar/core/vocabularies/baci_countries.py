"""Map BACI's numeric country codes to ISO3, keeping BACI's special codes, labelled.

BACI's dictionaries carry an ISO3 code for most entries. We validate each against the
packaged ISO 3166 list (:mod:`ketenradar.core.countries`) and look the entry's full name up
there where the dictionary has none (or one that is not ISO3: ``CSK``, ``DDR``). BACI's own
aggregates and historical entities that have no ISO3 code of their own keep a stable,
labelled project code (CEPII's own codes from the V2024 releases, so that the same entity has
the same code across releases).
"""

from __future__ import annotations

from ketenradar.core.countries import is_iso3, names_to_iso3

#: BACI codes that are not countries with an ISO3 code. Codes as in CEPII's V2024 releases.
SPECIAL_CODES: dict[int, tuple[str, str]] = {
    490: ("S19", "Other Asia, nes (BACI aggregate; in practice mostly Taiwan)"),
    697: ("R20", "Europe EFTA, nes (BACI aggregate)"),
    711: ("ZA1", "Southern African Customs Union (historical, until 1999)"),
    849: ("PUS", "US Misc. Pacific Islands (BACI aggregate)"),
}


def map_countries(rows: list[dict]) -> list[dict]:
    """Turn BACI dictionary rows into the canonical ``countries`` table.

    Returns rows ``source_code, iso3, name, is_special, note``.
    """
    valid = {r["iso3"] for r in rows if r["iso3"] and is_iso3(r["iso3"])}
    need_names = [r for r in rows if r["code"] not in SPECIAL_CODES and r["iso3"] not in valid]
    iso = names_to_iso3([r["name_full"] for r in need_names])
    by_name = {r["code"]: iso[r["name_full"]] for r in need_names}
    out = []
    for r in rows:
        code = r["code"]
        note = None
        if code in SPECIAL_CODES:
            iso3, note = SPECIAL_CODES[code]
            special = True
        elif r["iso3"] in valid:
            iso3, special = r["iso3"], False
            if "..." in r["name"] or r["name"].lower().startswith(("fmr", "former")):
                note = f"historical BACI entity, counted as {iso3}"
        elif by_name.get(code):
            iso3, special = by_name[code], False
            note = f"ISO3 from its name (dictionary gave {r['iso3'] or 'none'})"
        else:
            iso3, special = f"X{code:03d}", True
            note = f"BACI code {code} has no ISO3 code; kept as {iso3}"
        out.append(
            {
                "source_code": code,
                "iso3": iso3,
                "name": r["name"],
                "is_special": special,
                "note": note,
            }
        )
    return out


def unknown_code_row(code: int) -> dict:
    """Row for a code found in trade data but not in the dictionary (reported as a warning)."""
    return {
        "source_code": code,
        "iso3": f"X{code:03d}",
        "name": f"unknown BACI code {code}",
        "is_special": True,
        "note": "code not in the BACI country dictionary",
    }
