"""Build ketenradar's packaged country tables (maintainer script; the package only reads them).

    python scripts/build_country_table.py            # write the two tables below
    python scripts/build_country_table.py --check    # exit 1 when the committed tables are stale
    python scripts/build_country_table.py --record-realdata ../shared/data
        # re-record tests/unit/data/country_names_realdata.csv (review the diff before committing)

Outputs in ``src/ketenradar/data/``:

* ``countries.csv``: ``iso3, iso2, numeric, name``: ISO 3166-1 (alpha-3, alpha-2, numeric) as
  packaged by ``pycountry`` (LGPL-2.1; its data is Debian's iso-codes), plus Kosovo (``XKX``,
  the user-assigned code the EU and the World Bank use). ``name`` is the English short name
  ketenradar shows: ISO's common name where it has one, else its name, except
  :data:`SHORT_NAMES`.
* ``country_names.csv``: ``name, iso3, source``: every spelling the lookup knows: ISO names,
  official and common names, the short names, and :data:`VARIANTS`, the spellings the
  publishers use that ISO does not (each with where it comes from).

The lookup (:mod:`ketenradar.core.countries`) matches names case-, accent- and
punctuation-insensitively (:func:`~ketenradar.core.countries.name_key`), so ``Turkiye``
needs no row of its own next to ISO's ``Türkiye``; two spellings with one key and different
codes stop the build.

:data:`VARIANTS` was derived from what ``country_converter`` 1.3.2 (the lookup before issue 14)
made of every country name in the real files (BACI dictionaries, USGS MCS, World Mining Data,
WGI, EU CRM): each name it mapped that ISO's names do not give is a row here, except the
deliberate departures listed under :data:`LEFT_OUT`. ``--record-realdata`` writes what the
connectors make of every name in those files; ``tests/unit/test_countries.py`` checks that the
lookup still gives exactly that (the first recording was made with ``country_converter``).

Needs ``pycountry`` (in the ``test`` extra): ``pip install -e ".[test]"``.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "ketenradar" / "data"
COUNTRIES_CSV = DATA / "countries.csv"
NAMES_CSV = DATA / "country_names.csv"
REALDATA_CSV = REPO / "tests" / "unit" / "data" / "country_names_realdata.csv"

#: Kosovo has no ISO 3166-1 code; XK/XKX are the user-assigned codes the EU and World Bank use.
KOSOVO = ("XKX", "XK", "", "Kosovo")

#: Short names shown instead of ISO's inverted or long names (most as ketenradar showed them
#: before issue 14, so that pages and reports keep their wording).
SHORT_NAMES: dict[str, str] = {
    "COD": "DR Congo",
    "COG": "Congo Republic",
    "FSM": "Micronesia",
    "PSE": "Palestine",
    "RUS": "Russia",
    "SHN": "Saint Helena",
    "VAT": "Vatican",
    "VGB": "British Virgin Islands",
    "VIR": "United States Virgin Islands",
}

_BACI = "BACI country dictionaries V202201, V202301"
_BACI24 = "BACI country dictionary V202401b"
_BACI_ALL = "BACI country dictionaries V202201, V202301, V202401b"
_WB = "World Bank WGI 2020 (csv, xlsx)"
_MOJIBAKE = "BACI country dictionary {}, mis-encoded in the publisher's file"

#: Publishers' spellings that ISO's names do not give: (name, ISO3, where it comes from).
VARIANTS: list[tuple[str, str, str]] = [
    # BACI (CEPII) dictionaries, short and full names; wgi.db (GeoPolRisk) repeats the short ones
    ("Bonaire", "BES", _BACI_ALL),
    ("Bonaire, Saint Eustatius and Saba", "BES", _BACI),
    ("Bosnia Herzegovina", "BIH", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Br. Indian Ocean Terr.", "IOT", _BACI_ALL),
    ("British Indian Ocean Territories", "IOT", _BACI),
    ("Br. Virgin Isds", "VGB", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Cayman Isds", "CYM", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Central African Rep.", "CAF", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("China, Hong Kong SAR", "HKG", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("China, Hong Kong Special Administrative Region", "HKG", _BACI),
    ("China, Macao SAR", "MAC", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("China, Macao Special Administrative Region", "MAC", _BACI),
    ("Christmas Isds", "CXR", _BACI_ALL),
    ("Christmas Islands", "CXR", _BACI),
    ("Cocos Isds", "CCK", _BACI_ALL),
    ("Cocos Islands", "CCK", _BACI),
    ("Cook Isds", "COK", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("CÃ´te d'Ivoire", "CIV", _MOJIBAKE.format("V202401b")),
    ("CÙte d'Ivoire", "CIV", _MOJIBAKE.format("V202201")),
    ("Dem. People's Rep. of Korea", "PRK", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Dem. Rep. of the Congo", "COD", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Democratic Republic of the Congo", "COD", _BACI),
    ("Dominican Rep.", "DOM", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("FS Micronesia", "FSM", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Federated State of Micronesia", "FSM", _BACI),
    ("Falkland Isds (Malvinas)", "FLK", _BACI_ALL),
    ("Fr. South Antarctic Terr.", "ATF", _BACI_ALL),
    ("French South Antarctic Territories", "ATF", _BACI),
    ("Lao People's Dem. Rep.", "LAO", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Marshall Isds", "MHL", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("N. Mariana Isds", "MNP", _BACI_ALL),
    ("Norfolk Isds", "NFK", _BACI_ALL),
    ("Norfolk Islands", "NFK", _BACI),
    ("Rep. of Korea", "KOR", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Republic of Korea", "KOR", _BACI),
    ("Rep. of Moldova", "MDA", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Saint BarthÃ©lemy", "BLM", _MOJIBAKE.format("V202401b")),
    ("Saint Helena", "SHN", _BACI_ALL),
    ("Saint Maarten", "SXM", _BACI_ALL),
    ("Saint Maarten (Dutch part)", "SXM", _BACI),
    ("Solomon Isds", "SLB", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Swaziland", "SWZ", _BACI + "; " + _WB + " (Eswatini's former name)"),
    ("TFYR of Macedonia", "MKD", _BACI),
    ("The Former Yugoslav Republic of Macedonia", "MKD", _BACI),
    ("Turkey", "TUR", _BACI + "; USGS MCS; " + _WB + " (Türkiye's former name)"),
    ("Turks and Caicos Isds", "TCA", _BACI_ALL),
    ("United Rep. of Tanzania", "TZA", _BACI_ALL + "; GeoPolRisk wgi.db"),
    ("Wallis and Futuna Isds", "WLF", _BACI_ALL),
    ("Wallis and Futuna Islands", "WLF", _BACI),
    # BACI's historical entities, counted as their main successor (BACI gives CSK, DDR, ...)
    ("Czechoslovakia", "CZE", _BACI + " (code 200, until 1992)"),
    ("Czechoslovakia (...1992)", "CZE", _BACI24 + " (code 200)"),
    ("Dem. Rep. of Germany (...1990)", "DEU", _BACI24 + " (code 278)"),
    ("Fmr Dem. Rep. of Germany", "DEU", _BACI + " (code 278)"),
    ("Former Democratic Republic of Germany", "DEU", _BACI + " (code 278)"),
    ("Fed. Rep. of Germany (...1990)", "DEU", _BACI24 + " (code 280)"),
    ("Fmr Fed. Rep. of Germany", "DEU", _BACI + " (code 280)"),
    ("Former Federal Republic of Germany", "DEU", _BACI + " (code 280)"),
    ("Fmr Sudan", "SDN", _BACI + " (code 736, until 2011)"),
    ("Former Sudan", "SDN", _BACI + " (code 736, until 2011)"),
    ("Sudan (...2011)", "SDN", _BACI24 + " (code 736)"),
    ("Norway, Svalbard and Jan Mayen", "NOR", _BACI + " (code 579)"),
    # World Bank WGI entity names
    ("Congo, Dem. Rep.", "COD", _WB),
    ("Congo, Rep.", "COG", _WB + "; World Mining Data"),
    ("Egypt, Arab Rep.", "EGY", _WB),
    ("Hong Kong SAR, China", "HKG", _WB),
    ("Iran, Islamic Rep.", "IRN", _WB),
    ("Jersey, Channel Islands", "JEY", _WB + "; GeoPolRisk wgi.db"),
    ("Korea, Dem. Rep.", "PRK", _WB),
    ("Korea, Rep.", "KOR", _WB),
    ("Lao PDR", "LAO", _WB),
    ("Macao SAR, China", "MAC", _WB),
    ("Micronesia, Fed. Sts.", "FSM", _WB),
    ("St. Kitts and Nevis", "KNA", _WB),
    ("St. Lucia", "LCA", _WB),
    ("St. Vincent and the Grenadines", "VCT", _WB),
    ("Taiwan, China", "TWN", _WB + "; GeoPolRisk wgi.db"),
    ("Venezuela, RB", "VEN", _WB),
    ("West Bank and Gaza", "PSE", _WB),
    ("Yemen, Rep.", "YEM", _WB),
    # World Mining Data (GeoPolRisk world_mining_data.db)
    ("Brunei", "BRN", "World Mining Data"),
    ("Cape Verde", "CPV", "World Mining Data; EU CRM 2023; " + _WB + " (Cabo Verde's former name)"),
    ("Congo, D.R.", "COD", "World Mining Data; EU CRM 2023"),
    ("Korea, North", "PRK", "World Mining Data; EU CRM 2023; USGS MCS"),
    ("Korea, South", "KOR", "World Mining Data; EU CRM 2023"),
    ("Russia", "RUS", "World Mining Data; EU CRM 2023; USGS MCS"),
    # EU CRM 2023 supply-share tables (misspellings in the publisher's files)
    ("Brasil", "BRA", "EU CRM 2023 (misspelling)"),
    ("Brasilia", "BRA", "EU CRM 2023 (misspelling)"),
    ("Libanon", "LBN", "EU CRM 2023 (misspelling)"),
    ("Surinam", "SUR", "EU CRM 2023"),
    ("Turkyie", "TUR", "EU CRM 2023 (misspelling)"),
    # USGS Mineral Commodity Summaries
    ("Burma", "MMR", "USGS MCS (Myanmar's former name)"),
    ("Congo (Kinshasa)", "COD", "USGS MCS"),
    ("Congo (Brazzaville)", "COG", "USGS MCS (ketenradar's list before issue 14)"),
    # Names people type (the web's country box, scenario files); before issue 14 these
    # resolved too, by country_converter's patterns
    ("DRC", "COD", "common abbreviation"),
    ("Hongkong", "HKG", "common spelling"),
    ("Korea", "KOR", "common name (USGS MCS writes 'Korea' for the Republic of Korea)"),
    ("Britain", "GBR", "common name"),
    ("Great Britain", "GBR", "common name"),
    ("UK", "GBR", "common abbreviation"),
    ("U.K.", "GBR", "common abbreviation"),
    ("US", "USA", "common abbreviation"),
    ("U.S.", "USA", "common abbreviation"),
    ("Ivory Coast", "CIV", "common name"),
    ("Macedonia", "MKD", "North Macedonia's former short name"),
    ("East Timor", "TLS", "common name"),
    ("Vatican City", "VAT", "common name"),
    ("Macau", "MAC", "common spelling"),
    ("Democratic Republic of Congo", "COD", "common name"),
]

#: Names in the real files that country_converter mapped and this table deliberately does not.
LEFT_OUT: dict[str, str] = {
    "Southern African Customs Union": "BACI code 711 (until 1999): five countries, not ZAF; "
    "BACI's special code ZA1 (ketenradar.core.vocabularies.baci_countries)",
    "Southern African Customs Union (...1999)": "as above",
}

_HEADER_COUNTRIES = (
    "# ISO 3166-1 countries (alpha-3, alpha-2, numeric) with the English short name ketenradar "
    "shows.\n"
    "# Built by scripts/build_country_table.py from pycountry {version} (LGPL-2.1; data from "
    "Debian iso-codes), plus XKX Kosovo (user-assigned code). Do not edit by hand.\n"
)
_HEADER_NAMES = (
    "# Country spellings -> ISO3 for ketenradar.core.countries (matched case-, accent- and "
    "punctuation-insensitively).\n"
    "# Built by scripts/build_country_table.py from pycountry {version} (ISO 3166-1 names) and "
    "the project's own list of publishers' spellings (source). Do not edit by hand.\n"
)


def _pycountry():
    try:
        import pycountry
    except ImportError:
        sys.exit("pycountry is needed: pip install -e '.[test]'")
    return pycountry


def pycountry_version() -> str:
    """The installed pycountry release (written into the tables' headers)."""
    from importlib.metadata import version

    return version("pycountry")


def build_rows() -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, str]]]:
    """The rows of ``countries.csv`` and ``country_names.csv``.

    Raises ``ValueError`` when two spellings with the same lookup key name different codes, or
    a variant names a code that is not in the table or is redundant (ISO's names give it).
    """
    from ketenradar.core.countries import name_key

    pycountry = _pycountry()
    countries: list[tuple[str, str, str, str]] = []
    names: list[tuple[str, str, str]] = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        common = getattr(c, "common_name", None)
        official = getattr(c, "official_name", None)
        short = SHORT_NAMES.get(c.alpha_3) or common or c.name
        countries.append((c.alpha_3, c.alpha_2, c.numeric, short))
        names.append((c.name, c.alpha_3, "ISO 3166-1 name"))
        if official:
            names.append((official, c.alpha_3, "ISO 3166-1 official name"))
        if common:
            names.append((common, c.alpha_3, "ISO 3166-1 common name"))
    countries.append(KOSOVO)
    countries.sort()
    names.append((KOSOVO[3], KOSOVO[0], "user-assigned code (EU, World Bank); not in ISO 3166-1"))
    codes = {c[0] for c in countries}
    for name, iso3, source in VARIANTS:
        if iso3 not in codes:
            raise ValueError(f"variant {name!r}: {iso3} is not a country code of the table")
        if name in LEFT_OUT:
            raise ValueError(f"variant {name!r} is listed in LEFT_OUT too")
        names.append((name, iso3, source))
    # after the variants, so that a publisher's spelling keeps its source
    names += [(short, iso3, "ketenradar short name") for iso3, short in SHORT_NAMES.items()]
    seen: dict[str, tuple[str, str]] = {}
    kept: list[tuple[str, str, str]] = []
    for name, iso3, source in names:
        key = name_key(name)
        if key in seen:
            if seen[key][1] != iso3:
                raise ValueError(
                    f"{name!r} ({iso3}) and {seen[key][0]!r} ({seen[key][1]}) share the key {key!r}"
                )
            if (name, iso3, source) in VARIANTS:
                raise ValueError(f"variant {name!r} is redundant: {seen[key][0]!r} gives it")
            continue  # ISO's name, official name and common name may share a key
        seen[key] = (name, iso3)
        kept.append((name, iso3, source))
    kept.sort(key=lambda r: (r[1], name_key(r[0])))
    return countries, kept


def render() -> dict[Path, str]:
    """The text of each packaged table, as the script writes it."""
    countries, names = build_rows()
    version = pycountry_version()
    out: dict[Path, str] = {}
    for path, header, cols, rows in (
        (COUNTRIES_CSV, _HEADER_COUNTRIES, ("iso3", "iso2", "numeric", "name"), countries),
        (NAMES_CSV, _HEADER_NAMES, ("name", "iso3", "source"), names),
    ):
        buf = io.StringIO()
        buf.write(header.format(version=version))
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)
        out[path] = buf.getvalue()
    return out


# -- what the connectors make of the real files ----------------------------------------------

REALDATA_COLUMNS = ("source", "file", "code", "name", "iso3", "label", "estimated")


@contextmanager
def _spy(module, name: str, calls: list) -> Iterator[None]:
    """Record each call's arguments and result of ``module.name`` (the real function runs)."""
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        args = tuple(a if isinstance(a, (str, bytes, dict, Path)) else list(a) for a in args)
        result = real(*args, **kwargs)
        calls.append((args, result))
        return result

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, real)


def realdata_mapping(data: Path) -> list[dict[str, str]]:
    """What the connectors make of every country name and code in the real files in ``data``.

    One row per distinct (source, file, code, name): the ISO3 code (or the kept code) the
    connector stores; for USGS also the cleaned label and the estimate mark read off it.
    """
    from ketenradar.core.countries import names_to_iso3
    from ketenradar.core.vocabularies.baci_countries import map_countries
    from ketenradar.sources import usgs, wgi, wmd
    from ketenradar.sources.baci_files import read_country_dictionary
    from ketenradar.sources.eu_crm import parse_eu_crm

    rows: list[dict[str, str]] = []

    def add(source: str, file: Path | str, code: object, name: object, iso3: object, **kw):
        rows.append(
            {
                "source": source,
                "file": Path(file).relative_to(data).as_posix(),
                "code": "" if code is None else str(code),
                "name": "" if name is None else str(name),
                "iso3": iso3 or "",
                "label": kw.get("label", ""),
                "estimated": kw.get("estimated", ""),
            }
        )

    for f in sorted(data.glob("baci*/country_codes_*.csv")):
        for r in map_countries(read_country_dictionary(f)):
            add("baci", f, r["source_code"], r["name"], r["iso3"])
    calls: list = []
    with _spy(usgs, "resolve_countries", calls):
        usgs.parse_usgs([data / "usgs_mcs"])
    for raw, (label, iso3, _row_type, est) in sorted(
        {k: v for _, r in calls for k, v in r.items()}.items()
    ):
        add("usgs", data / "usgs_mcs", None, raw, iso3, label=label, estimated=str(est).lower())
    for name in (
        "wgi/2020_Worldwide_Governance_Indicators_1996-2019.csv",
        "wgi/2020_Worldwide_Governance_Indicators_1996-2019t.xlsx",
        "geopolrisk/wgi.db",
    ):
        calls = []
        with _spy(wgi, "map_codes", calls):
            wgi.parse_wgi([data / name])
        for (pairs,), (out, _kept) in calls:
            for code, entity in dict.fromkeys((c.strip().upper(), n) for c, n in pairs):
                add("wgi", data / name, code, entity, out[code])
    db = data / "geopolrisk" / "world_mining_data.db"
    prod = wmd.parse_wmd([db]).tables["production"]
    pairs = prod[["country", "country_label"]].drop_duplicates().dropna(subset=["country"])
    valid = names_to_iso3(list(pairs["country"]))
    for code, label in pairs.itertuples(index=False):
        add("wmd", db, code, label, valid[code])
    shares = parse_eu_crm([data / "eu_crm"]).tables["supply_shares"]
    for label, iso3 in (
        shares[["country_label", "country"]].drop_duplicates().itertuples(index=False)
    ):
        add("eu_crm", data / "eu_crm", None, label, iso3 if isinstance(iso3, str) else None)
    uniq = {tuple(r[c] for c in REALDATA_COLUMNS): r for r in rows}
    return [uniq[k] for k in sorted(uniq)]


def render_realdata(data: Path) -> str:
    """The text of the committed expectation for ``data``."""
    buf = io.StringIO()
    buf.write(
        "# What ketenradar's connectors make of every country name and code in the real files\n"
        "# (../shared/data). Recorded by scripts/build_country_table.py --record-realdata; the\n"
        "# first recording was made with country_converter 1.3.2, the lookup before issue 14.\n"
    )
    w = csv.DictWriter(buf, REALDATA_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(realdata_mapping(data))
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (or check) the packaged tables, or re-record the real-data expectation."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="exit 1 when a table is stale")
    p.add_argument("--record-realdata", type=Path, metavar="DATA", help="the shared data folder")
    args = p.parse_args(argv)
    if args.record_realdata:
        REALDATA_CSV.parent.mkdir(parents=True, exist_ok=True)
        REALDATA_CSV.write_text(render_realdata(args.record_realdata.resolve()), encoding="utf-8")
        print(f"wrote {REALDATA_CSV.relative_to(REPO)}")
        return 0
    stale = []
    for path, text in render().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
    if args.check and stale:
        print("stale: " + ", ".join(str(s.relative_to(REPO)) for s in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
