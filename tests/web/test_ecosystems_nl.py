"""The 14 EU industrial ecosystems in Dutch: every ecosystem of the HS → ecosystem table has its
Dutch name as the 2022 Dutch industrial policy letter lists them (footnote 40; the table in
docs/methods/ecosystems.md) in the catalogs, and the explorer shows it on /nl/
(table and filter), English on /en/, with the English name kept as the filter's value.

The explorer is served from a hand-made BACI release with one product per ecosystem (and one
product of several ecosystems), so that the page shows all 14.
"""

from __future__ import annotations

import csv
import re

import pytest
from conftest import write_country_dict, write_product_dict, write_trade
from fastapi.testclient import TestClient
from test_dutch import visible

from ketenradar import api
from ketenradar.interfaces.web import i18n
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.trade.ecosystems import (
    ECOSYSTEMS,
    ecosystems_for,
    load_ecosystem_table,
    packaged_table_path,
)
from ketenradar.results import live

#: The Dutch names (the 2022 Dutch industrial policy letter, footnote 40), by the English name.
DUTCH = {
    "Aerospace & Defence": "Lucht- en ruimtevaart en defensie",
    "Agri-food": "Agrovoeding",
    "Construction": "Bouw",
    "Cultural & Creative Industries": "Culturele en creatieve sectoren",
    "Digital": "Digitale sector",
    "Electronics": "Elektronica",
    "Energy-Intensive Industries": "Energie-intensieve industrieën",
    "Energy-Renewables": "Hernieuwbare energiebronnen",
    "Health": "Gezondheid",
    "Mobility-Transport-Automotive": "Mobiliteit/vervoer/automobielsector",
    "Proximity, Social Economy & Civil Security": (
        "Nabijheid, sociale economie en civiele veiligheid"
    ),
    "Retail": "Detailhandel",
    "Textile": "Textiel",
    "Tourism": "Toerisme",
}
#: lithium-ion accumulators: Electronics, Energy-Renewables and Mobility at once
SEVERAL = "850760"
EXPORTERS = [156, 842, 276, 528]  # CHN USA DEU NLD
IMPORTERS = [528, 276, 842]


def csv_ecosystems() -> set[str]:
    """The distinct values of the table file's ``ecosystem`` column, read as plain CSV."""
    with packaged_table_path().open(encoding="utf-8-sig", newline="") as fh:
        return {row["ecosystem"].strip() for row in csv.DictReader(fh)}


def one_product_each() -> dict[str, str]:
    """An HS6 code per ecosystem whose longest matching prefix gives that ecosystem."""
    out: dict[str, str] = {}
    for prefix, eco in load_ecosystem_table():
        code = prefix.ljust(6, "0")
        if eco not in out and ecosystems_for(code) == (eco,):
            out[eco] = code
    return out


def test_every_ecosystem_of_the_table_has_its_dutch_name():
    names = csv_ecosystems()
    assert names == set(ECOSYSTEMS) == set(DUTCH) and len(names) == 14
    texts = i18n.catalogs().texts
    for name in sorted(names):
        key = i18n.ecosystem_key(name)
        assert key.startswith("ecosystem_") and " " not in key and "&" not in key, key
        assert texts["nl"].get(key) == DUTCH[name], f"{key}: Dutch name of {name!r}"
        assert texts["en"].get(key) == name, f"{key}: the English text is the name in the table"
        assert i18n.ecosystem_text(name, "nl") == DUTCH[name]
    assert len({i18n.ecosystem_key(n) for n in names}) == 14  # no two names share a key
    # the shell's catalogs hold them, beside the filters (i18n.ecosystem) that use them
    where = i18n.catalogs().where["nl"][i18n.ecosystem_key("Health")][0]
    assert where == i18n.SHELL_MESSAGES / "nl.po"


def test_the_ecosystem_filters():
    notes: list[str] = []
    both = "Electronics; Energy-Renewables; Mobility-Transport-Automotive"
    nl = str(i18n.ecosystem(both, "nl", notes))
    assert nl == "Elektronica; Hernieuwbare energiebronnen; Mobiliteit/vervoer/automobielsector"
    assert notes == []  # Dutch text: no English note
    assert str(i18n.ecosystem(both, "en")) == both
    assert str(i18n.ecosystem("Aerospace & Defence", "en")) == "Aerospace &amp; Defence"
    assert str(i18n.ecosystem(None, "nl")) == str(i18n.ecosystem("", "nl")) == ""
    # a name no catalog has stays English, marked, with the page's note
    odd = str(i18n.ecosystem("Health; Space Mining", "nl", notes))
    assert odd == 'Gezondheid; <span lang="en">Space Mining</span>' and notes == ["data"]
    assert str(i18n.ecosystem("Space Mining", "en")) == "Space Mining"
    options = i18n.ecosystem_options(["Retail", "Aerospace & Defence", "Agri-food"], "nl")
    assert options == [
        ("Agri-food", "Agrovoeding", False),
        ("Retail", "Detailhandel", False),
        ("Aerospace & Defence", "Lucht- en ruimtevaart en defensie", False),
    ]
    en = i18n.ecosystem_options(["Retail", "Agri-food", "Space Mining"], "en")
    assert en == [
        ("Agri-food", "Agri-food", False),
        ("Retail", "Retail", False),
        ("Space Mining", "Space Mining", False),
    ]
    notes = []
    assert i18n.ecosystem_options(["Space Mining"], "nl", notes) == [
        ("Space Mining", "Space Mining", True)
    ] and notes == ["data"]


# --- the explorer over a store with every ecosystem -----------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("ecosystems")
    products = [*one_product_each().values(), SEVERAL]
    assert len(products) == 15 and len(ecosystems_for(SEVERAL)) == 3
    src = root / "src"
    src.mkdir()
    write_country_dict(src)
    write_product_dict(src, products)
    rows = [
        (2022, i, j, k, 50 + 7 * p + 3 * e, "1.5")
        for p, k in enumerate(products)
        for e, i in enumerate(EXPORTERS)
        for j in IMPORTERS
        if i != j
    ]
    write_trade(src, 2022, rows)
    data = root / "store"
    api.add_dataset("baci", [src], data_dir=data)
    live.build(data)
    return TestClient(create_app(settings=WebSettings.from_env(data)))


def explorer(client: TestClient, lang: str, **params: str) -> str:
    params = {"importer": "NLD", "year": "2022", "method": "all", "page_size": "50", **params}
    res = client.get(f"/{lang}/dependencies", params=params)
    assert res.status_code == 200, res.text[:300]
    return res.text


def cells(html: str, column: str) -> list[str]:
    """The visible text of the explorer's cells in ``column``, row by row."""
    table = html.split('<table id="dependencies">')[1].split("</table>")[0]
    head = table.split("</thead>")[0]
    index = head.count("<th ", 0, head.index(f'<th data-column="{column}"'))
    out = []
    for row in table.split("<tbody>")[1].split("<tr>")[1:]:
        cell = row.split("<td>")[1 + index].split("</td>")[0]
        out.append(" ".join(p.text for p in visible(cell).texts))
    return out


def options(html: str) -> list[tuple[str, str]]:
    """The ecosystem filter's options: (value, visible text), the empty choice left out."""
    select = html.split('<select name="ecosystem">')[1].split("</select>")[0]
    out = []
    for part in select.split("<option ")[2:]:
        value = part.split('value="')[1].split('"')[0].replace("&amp;", "&")
        out.append((value, visible("<option " + part).texts[0].text))
    return out


def test_the_dutch_explorer_shows_dutch_ecosystem_names(client: TestClient):
    html = explorer(client, "nl")
    shown = cells(html, "ecosystem")
    assert len(shown) == 15
    assert set(shown) >= set(DUTCH.values())
    assert "Elektronica; Hernieuwbare energiebronnen; Mobiliteit/vervoer/automobielsector" in shown
    # no English name anywhere a reader sees it, and none marked as English text
    page = visible(html)
    seen = " | ".join(p.text for p in page.texts)
    for english in ECOSYSTEMS:  # as a whole name ("Digital" is in "Digitale sector")
        assert not re.search(rf"(?<!\w){re.escape(english)}(?!\w)", seen), english
    english_texts = [p.text for p in page.texts if p.english]
    assert not any(d in t for t in english_texts for d in DUTCH.values())
    # the filter: Dutch names in Dutch order, the English name the value the API takes
    opts = options(html)
    assert sorted(opts) == sorted(DUTCH.items())
    assert [text for _, text in opts] == sorted(DUTCH.values(), key=str.casefold)
    select = html.split('<select name="ecosystem">')[1].split("</select>")[0]
    assert 'lang="en"' not in select


def test_the_english_explorer_shows_the_english_names(client: TestClient):
    html = explorer(client, "en")
    shown = cells(html, "ecosystem")
    assert set(shown) >= set(ECOSYSTEMS)
    assert "Electronics; Energy-Renewables; Mobility-Transport-Automotive" in shown
    seen = " | ".join(p.text for p in visible(html).texts)
    assert not any(d in seen for d in DUTCH.values() if d not in ECOSYSTEMS)
    assert sorted(options(html)) == sorted((e, e) for e in ECOSYSTEMS)


def test_the_ecosystem_filter_takes_the_english_name(client: TestClient):
    html = explorer(client, "nl", ecosystem="Energy-Renewables")
    assert sorted(cells(html, "ecosystem")) == [
        "Elektronica; Hernieuwbare energiebronnen; Mobiliteit/vervoer/automobielsector",
        "Hernieuwbare energiebronnen",
    ]
    assert '<option value="Energy-Renewables" selected>Hernieuwbare energiebronnen</option>' in html
    html = explorer(client, "en", ecosystem="Aerospace & Defence")
    assert cells(html, "ecosystem") == ["Aerospace & Defence"]
    assert '<option value="Aerospace &amp; Defence" selected>Aerospace &amp; Defence</option>' in (
        html
    )


def test_the_dutch_footer_of_derived_facts_has_no_english_word(client: TestClient):
    """A derived table's description names its importers in a list any language reads
    ("NLD, EU27"), not joined by the English "and" inside a Dutch sentence."""
    footer = re.sub(r"<[^>]+>", " ", explorer(client, "nl").split("<footer")[1])
    assert "van NLD, EU27 van elk product" in footer, footer[:400]
    assert " and " not in footer
