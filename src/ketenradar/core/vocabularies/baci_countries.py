"""Map BACI's numeric country codes to ISO3, keeping BACI's special codes, labelled.

BACI's dictionaries carry an ISO3 code for most entries. We validate each against
``country_converter`` (the ISO 3166 list it maintains) and fall back to it where the
dictionary has none. BACI's own aggregates and historical entities that have no ISO3 code of
their own keep a stable, labelled project code (CEPII's own codes from the V2024 releases,
so that the same entity has the same code across releases).
"""

from __future__ import annotations

import logging

#: BACI codes that are not countries with an ISO3 code. Codes as in CEPII's V2024 releases.
SPECIAL_CODES: dict[int, tuple[str, str]] = {
    490: ("S19", "Other Asia, nes (BACI aggregate; in practice mostly Taiwan)"),
    697: ("R20", "Europe EFTA, nes (BACI aggregate)"),
    711: ("ZA1", "Southern African Customs Union (historical, until 1999)"),
    849: ("PUS", "US Misc. Pacific Islands (BACI aggregate)"),
}


def _cc_valid_iso3(codes: list[str]) -> set[str]:
    """The subset of ``codes`` that country_converter knows as ISO3 codes."""
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    cc = coco.CountryConverter()
    known = set(cc.data["ISO3"].dropna().astype(str))
    return {c for c in codes if c in known}


def _cc_from_names(names: list[str]) -> list[str | None]:
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    res = coco.convert(names, to="ISO3", not_found=None)
    if isinstance(res, str):
        res = [res]
    return [r if isinstance(r, str) and len(r) == 3 else None for r in res]


def map_countries(rows: list[dict]) -> list[dict]:
    """Turn BACI dictionary rows into the canonical ``countries`` table.

    Returns rows ``source_code, iso3, name, is_special, note``.
    """
    iso_in = [r["iso3"] for r in rows if r["iso3"]]
    valid = _cc_valid_iso3(iso_in)
    need_names = [r for r in rows if r["code"] not in SPECIAL_CODES and r["iso3"] not in valid]
    by_name = dict(
        zip(
            [r["code"] for r in need_names],
            _cc_from_names([r["name_full"] for r in need_names]) if need_names else [],
            strict=True,
        )
    )
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
            note = f"ISO3 from country_converter (dictionary gave {r['iso3'] or 'none'})"
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
