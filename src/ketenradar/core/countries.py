"""Country names as publishers write them, to ISO3.

``country_converter`` does the matching; publishers' own spellings it does not know are
listed in :data:`OVERRIDES` (each one checked against the real files). Names that are not
countries (``World total``, ``Other countries``) are the callers' business.
"""

from __future__ import annotations

import logging
from functools import cache

#: Publisher spellings that country_converter does not resolve (or resolves wrongly).
OVERRIDES: dict[str, str] = {
    "Congo (Kinshasa)": "COD",
    "Congo (Brazzaville)": "COG",
    "Congo, D.R.": "COD",
    "DRC": "COD",
    "Korea, South": "KOR",
    "Korea, North": "PRK",
    "Burma": "MMR",
    "Hongkong": "HKG",
    "Kosovo": "XKX",
    "Turkiye": "TUR",
    "Türkiye": "TUR",
    "Eswatini": "SWZ",
    # Misspellings in the EU CRM 2023 tables.
    "Brasil": "BRA",
    "Brasilia": "BRA",
    "Libanon": "LBN",
    "Turkyie": "TUR",
}


@cache
def _converter():
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter()


def names_to_iso3(names: list[str]) -> dict[str, str | None]:
    """Map each distinct name to an ISO3 code, or ``None`` when it is not a known country."""
    out: dict[str, str | None] = {}
    todo = []
    for n in dict.fromkeys(names):
        key = " ".join(n.split())
        if key in OVERRIDES:
            out[n] = OVERRIDES[key]
        elif len(key) == 3 and key.isupper():
            out[n] = key if _is_iso3(key) else None
        else:
            todo.append(n)
    if todo:
        res = _converter().convert(todo, to="ISO3", not_found=None)
        if isinstance(res, str):
            res = [res]
        for n, r in zip(todo, res, strict=True):
            out[n] = r if isinstance(r, str) and len(r) == 3 else None
    return out


@cache
def _iso3_set() -> frozenset[str]:
    return frozenset(_converter().data["ISO3"].dropna().astype(str))


def _is_iso3(code: str) -> bool:
    return code in _iso3_set() or code == "XKX"


@cache
def known_country_names() -> tuple[str, ...]:
    """ISO3 codes and short names country_converter knows (for 'closest' suggestions)."""
    data = _converter().data
    return tuple(sorted(set(data["ISO3"].dropna().astype(str)) | set(data["name_short"].dropna())))
