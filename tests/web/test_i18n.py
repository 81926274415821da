"""The web interface in Dutch and English: message catalogs, the extraction check, numbers and
dates per language, and languages under concurrent rendering.

The extraction check reads every message key the templates (``t('key')``, ``_('key')``,
``gettext``; Jinja2's Babel extractor) and the web code (``t(...)``, the page titles given to
``render``; Babel's Python extractor) use, adds the keys chosen at run time (navigation,
module titles, the values behind ``t('io_' ~ kind)`` and the like) and fails on any key with
no Dutch or no English text. A page that uses a missing key also fails: MissingMessage is an
error under pytest (pyproject.toml), and :func:`test_every_page_in_both_languages` renders
every page in both languages.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import time
import warnings
from collections import defaultdict
from contextlib import redirect_stderr
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from babel.dates import get_month_names
from babel.messages.extract import extract_from_dir
from conftest import csrf_headers, together
from fastapi.testclient import TestClient

from ketenradar.core import modules as registry
from ketenradar.core.errors import DataError
from ketenradar.interfaces.web import i18n, pages
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.i18n import MissingMessage
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.io.shock import MODELS, SCOPES
from ketenradar.modules.io.web import views as io_views
from ketenradar.modules.materials import assessment, bom
from ketenradar.modules.materials.analysis import concentration
from ketenradar.modules.materials.web import views as materials_views
from ketenradar.modules.trade.web import content, country
from ketenradar.registry import service

SRC = Path(i18n.__file__).resolve().parents[2]  # src/ketenradar
PASSWORD = "correct horse battery staple"

#: the callables whose argument is a message key (Babel keyword specs)
KEYWORDS = {"t": None, "_": None, "gettext": None, "ngettext": (1, 2), "render": (4,)}


def web_folders() -> list[Path]:
    """The web code and templates of the shell and of every registered module."""
    folders = [SRC / "interfaces" / "web"]
    for m in registry.modules():
        web = Path(str(m.folder(m.templates))).parent if m.templates else None
        if web is not None and web.is_dir():
            folders.append(web)
    return folders


def extracted_keys() -> dict[str, list[str]]:
    """Every constant message key in the web templates and code, with where it is used."""
    found: dict[str, list[str]] = defaultdict(list)
    for folder in web_folders():
        with redirect_stderr(StringIO()):  # Babel notes the f-strings in render()'s other args
            for name, line, msg, _comments, _ctx in extract_from_dir(
                folder,
                method_map=[
                    ("**/templates/**.html", "jinja2.ext:babel_extract"),
                    ("**.py", "python"),
                ],
                options_map={"**/templates/**.html": {"silent": "false"}},
                keywords=KEYWORDS,
            ):
                key = msg[0] if isinstance(msg, tuple) else msg
                found[key].append(f"{folder.name}/{name}:{line}")
    return found


def dynamic_keys() -> dict[str, str]:
    """The keys chosen at run time (``t(prefix ~ value)``, navigation, module titles, column
    labels), each with where its value comes from."""
    keys: dict[str, str] = {}
    for m in registry.modules():
        keys[m.title] = f"Module.title of {m.name}"
        for table in m.facts:
            for column in table.columns:
                keys[column.label] = f"the label of column {table.name}.{column.name}"
            # the footer's description of the table in Dutch (i18n.data_text; test_dutch.py)
            keys[f"fact_{table.name}"] = f"the description of fact table {table.name}"
            if table.derived:
                keys[f"fact_{table.name}_derived"] = f"the derived description of {table.name}"
    for key in i18n.catalogs().texts["en"]:
        if key.startswith("audit_action_"):
            keys[key] = "an audit-log event (registry/service.py; the label filter)"
    for kind in i18n.ENGLISH_NOTES:
        keys[f"english_note_{kind}"] = "i18n.ENGLISH_NOTES"
    for key in i18n.catalogs().texts["en"]:
        if key.startswith("licence_"):
            keys[key] = "a source's licence (i18n.data_text; test_dutch.py checks the wording)"
        if key.startswith("source_title_"):
            keys[key] = "a source's name in the footer (i18n.source_name: 'source_title_' ~ source)"
    for e in pages.nav_entries():
        keys[e.label] = "the navigation"
    for m in registry.modules():  # the tables computed on request (e.g. io_shock)
        for table in m.results:
            for column in table.columns:
                keys[column.label] = f"the label of column {table.name}.{column.name}"
    from ketenradar.interfaces.web.downloads import DATA_COLUMNS  # downloads' own columns
    from ketenradar.modules.trade.web import downloads as trade_downloads

    for column in (*DATA_COLUMNS, *trade_downloads.OVERVIEW_COLUMNS,
                   *trade_downloads.COMPARE_COLUMNS):  # fmt: skip
        keys[column.label] = f"the label of download column {column.name}"
    from ketenradar.modules.trade.ecosystems import ECOSYSTEMS  # the ecosystem filters

    for name in ECOSYSTEMS:
        keys[i18n.ecosystem_key(name)] = "trade ecosystems.ECOSYSTEMS (i18n.ecosystem)"
    from ketenradar.modules.kansenkaart.analysis.requirements import ORIGINS
    from ketenradar.modules.kansenkaart.references import load_taxonomy
    from ketenradar.modules.kansenkaart.web import matching_page
    from ketenradar.modules.stockpile.web import views as stockpile_views

    kansenkaart_tabs = ("demand", "requirements", "matching", "suppliers")

    for spec in load_taxonomy().work_packages.values():  # kansenkaart names.py reads them
        keys[spec["label"]] = "a kansenkaart work package's name (data/work_packages.yaml)"
    sets: list[tuple[str, Any, str]] = [
        ("job_", ("queued", "running", "cancelling", "done", "failed", "cancelled"), "data.html"),
        ("country_measure_", country.MEASURES, "country.MEASURES"),
        (
            "country_col_",
            ["value", *country.BALANCE_COLUMNS[:4], *(m for m in country.MEASURES if "va_" in m)],
            "the world map's columns",
        ),
        ("country_note_", country.NOTES, "country.NOTES"),
        (
            "country_direction_",
            {content.balance_direction(a, b) for a in (0, 1) for b in (0, 1)},
            "content.balance_direction",
        ),
        ("method_", content.METHODS, "content.METHODS (the method selectors and names)"),
        ("mat_stage_", bom.STAGES, "bom.STAGES"),
        ("stage_", bom.STAGES, "bom.STAGES (shared: the overview's CRMA table)"),
        ("mat_", materials_views.CONCENTRATION_SOURCES.values(), "CONCENTRATION_SOURCES"),
        ("mat_note_", assessment.NOTE_TEXTS, "assessment.NOTE_TEXTS (reconciliation notes)"),
        ("mat_crma_note_", concentration.CRMA_NOTES, "concentration.CRMA_NOTES"),
        ("mat_trend_", [x.replace(" ", "_") for x in concentration.TRENDS], "TRENDS"),
        ("bom_note_", bom.NOTES, "bom.NOTES (a BOM input's supply notes)"),
        ("", [c.label for c in bom.UNIT_COLUMNS.values()], "bom.UNIT_COLUMNS"),
        ("io_", (*io_views.KINDS, "all"), "io views.KINDS"),
        ("io_to_", SCOPES, "io shock SCOPES"),
        ("io_model_", MODELS, "io shock MODELS"),
        ("stockpile_web_form_", stockpile_views.FORMS, "stockpile web views.FORMS"),
        ("kansenkaart_web_tab_", kansenkaart_tabs, "_kansenkaart_tabs.html"),
        ("kansenkaart_web_map_level_", ("province", "corop"), "kansenkaart MatchQuery.level"),
        ("kansenkaart_web_map_caption_", ("province", "corop"), "kansenkaart MatchQuery.level"),
        ("kansenkaart_web_map_measure_", matching_page.MEASURES, "matching_page.MEASURES"),
        ("kansenkaart_web_map_title_", matching_page.MEASURES, "matching_page.MEASURES"),
        ("kansenkaart_web_map_origin_", ORIGINS, "kansenkaart requirements.ORIGINS"),
    ]
    for prefix, values, origin in sets:
        for v in values:
            keys[prefix + v] = origin
    return keys


def placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    data = tmp_path_factory.mktemp("i18n") / "data"
    app = create_app(settings=WebSettings.from_env(data))
    service.create_user(app.state.accounts, "ann", PASSWORD, "admin")
    return TestClient(app)


# --- (a) the extraction check ---------------------------------------------------------------


def test_every_message_used_has_a_dutch_and_an_english_text():
    texts = i18n.catalogs().texts
    used = extracted_keys()
    assert len(used) > 250 and "largest_dependencies" in used and "overview" in used
    assert any(".py:" in w for w in used["overview"])  # the page title, from render(...)
    missing = {
        f"{key} ({lang}; used at {', '.join(where[:3])})"
        for key, where in used.items()
        for lang in i18n.LANGUAGES
        if not texts[lang].get(key)
    }
    assert not missing, f"messages with no text: {sorted(missing)}"
    dynamic = {
        f"{key} ({lang}; from {origin})"
        for key, origin in dynamic_keys().items()
        for lang in i18n.LANGUAGES
        if not texts[lang].get(key)
    }
    assert not dynamic, f"run-time messages with no text: {sorted(dynamic)}"


def test_every_message_in_the_catalogs_is_translated_alike():
    c = i18n.catalogs()
    assert len(c.keys()) > 300
    for key in sorted(c.keys()):
        nl, en = c.texts["nl"].get(key), c.texts["en"].get(key)
        assert nl and nl.strip(), f"'{key}' has no Dutch text ({c.where['en'].get(key)})"
        assert en and en.strip(), f"'{key}' has no English text ({c.where['nl'].get(key)})"
        assert placeholders(nl) == placeholders(en), f"'{key}': other placeholders in nl and en"
    # the Dutch and English catalog of each folder define the same keys
    for folder in i18n.catalog_folders():
        per_lang = {
            lang: {k for k, (path, _) in c.where[lang].items() if path.parent == folder}
            for lang in i18n.LANGUAGES
        }
        assert per_lang["nl"] == per_lang["en"], folder


def test_no_message_is_left_unused(client: TestClient):
    """A key in a catalog is used by a template, the code or a run-time choice."""
    counts = client.get("/api/v1/overview").json()["counts"]
    used = set(extracted_keys()) | set(dynamic_keys()) | set(counts)
    unused = sorted(i18n.catalogs().keys() - used)
    assert not unused, f"messages nothing uses (remove them or use them): {unused}"


def test_messages_are_split_by_where_they_are_used():
    """A module's page messages live in the module's catalog, shared ones in the shell's."""
    where = i18n.catalogs().where["nl"]
    assert where["largest_dependencies"][0] == SRC / "modules/trade/messages/nl.po"
    assert where["whatif"][0] == SRC / "modules/materials/messages/nl.po"
    assert where["io_shock"][0] == SRC / "modules/io/messages/nl.po"
    for shared in ("title", "sign_in", "error", "data", "description", "share", "year"):
        assert where[shared][0] == i18n.SHELL_MESSAGES / "nl.po", shared
    assert i18n.catalog_folders()[0] == i18n.SHELL_MESSAGES


# --- (c) each key in one catalog; broken catalogs --------------------------------------------


def write_catalog(folder: Path, messages: dict[str, str], lang: str = "nl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(f'\nmsgid "{k}"\nmsgstr "{v}"\n' for k, v in messages.items())
    path = folder / f"{lang}.po"
    path.write_text(f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n{body}', encoding="utf-8")
    return path


def test_the_real_catalogs_define_each_key_once():
    c = i18n.load(i18n.catalog_folders())  # raises when a key is defined twice
    for lang in i18n.LANGUAGES:
        assert len(c.where[lang]) == len(c.keys())


def test_a_key_in_two_catalogs_stops_the_load_naming_both(tmp_path: Path):
    extra = tmp_path / "acme" / "messages"
    write_catalog(extra, {"acme_title": "Acme"}, "en")
    second = write_catalog(extra, {"acme_title": "Acme", "overview": "Overzicht (Acme)"}, "nl")
    with pytest.raises(DataError) as err:
        i18n.load([*i18n.catalog_folders(), extra])
    text = str(err.value)
    assert "'overview' is defined twice" in text
    assert str(SRC / "modules/trade/messages/nl.po") in text and str(second) in text
    assert err.value.file == str(second) and err.value.line == 8


def test_a_key_twice_in_one_catalog_and_other_broken_catalogs(tmp_path: Path):
    folder = tmp_path / "messages"
    write_catalog(folder, {"a": "A"}, "en")
    write_catalog(folder, {"a": "A", "b": "B"}, "nl")
    path = folder / "nl.po"
    path.write_text(path.read_text() + '\nmsgid "a"\nmsgstr "A again"\n')
    with pytest.raises(
        DataError, match=r"'a' is defined twice in this catalog \(first on line 5\)"
    ):
        i18n.load([folder])
    write_catalog(folder, {"a": "A"}, "en")  # says Language: en in nl.po
    (folder / "nl.po").write_text((folder / "en.po").read_text())
    with pytest.raises(DataError, match="header says Language: en, its name says nl"):
        i18n.load([folder])
    (folder / "nl.po").unlink()
    with pytest.raises(DataError, match="the nl message catalog is missing") as err:
        i18n.load([folder])
    assert err.value.file == str(folder / "nl.po")
    (folder / "nl.po").write_text('msgid "a"\nmsgstr "A"\nmsgid\n')
    with pytest.raises(DataError, match=r"not a valid \.po catalog"):
        i18n.load([folder])


def test_fuzzy_and_empty_texts_count_as_missing(tmp_path: Path):
    folder = tmp_path / "messages"
    write_catalog(folder, {"a": "A", "b": "B", "c": "C"}, "en")
    write_catalog(folder, {"a": "A", "c": ""}, "nl")
    path = folder / "nl.po"
    path.write_text(path.read_text() + '\n#, fuzzy\nmsgid "b"\nmsgstr "B?"\n')
    c = i18n.load([folder])
    assert c.texts["nl"] == {"a": "A"} and set(c.where["nl"]) == {"a", "b", "c"}


# --- a missing key: the key itself, loudly -----------------------------------------------------


def test_a_missing_message_shows_its_key_and_warns():
    t = i18n.translator("nl")
    assert t("largest_dependencies") == "Grootste afhankelijkheden naar waarde"
    with pytest.warns(MissingMessage, match="'no_such_message' has no nl text"):
        assert t("no_such_message") == "no_such_message"  # production: the key, visibly
    template = pages.templates.env.from_string("<p>{{ _('no_such_message') }}</p>")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingMessage)  # as under pytest (pyproject.toml)
        with pytest.raises(MissingMessage):
            template.render(lang="en")


def test_plural_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "messages"
    for lang, forms in (("nl", ("{n} product", "{n} producten")), ("en", ("{n} product", "x"))):
        path = write_catalog(folder, {}, lang)
        path.write_text(
            path.read_text().replace(
                '"\n', '"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n', 1
            )
            + f'\nmsgid "n_products"\nmsgid_plural "n_products"\n'
            f'msgstr[0] "{forms[0]}"\nmsgstr[1] "{forms[1]}"\n'
        )
    monkeypatch.setattr(i18n, "catalogs", lambda: i18n.load([folder]))
    assert i18n.ngettext("nl", "n_products", "n_products", 1) == "{n} product"
    assert i18n.ngettext("nl", "n_products", "n_products", 3) == "{n} producten"
    assert i18n.gettext("nl", "n_products") == "{n} product"
    env = pages.templates.env
    assert (
        env.from_string("{{ ngettext('n_products', 'n_products', 0) }}").render(lang="nl")
        == "{n} producten"
    )


# --- numbers and dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", ["1.234,5", "1.234.568", "0,50", "12.350.000", "0,0001235", "45,7%", "46%", "3%"]),
        ("en", ["1,234.5", "1,234,568", "0.50", "12,350,000", "0.0001235", "45.7%", "46%", "3%"]),
    ],
)
def test_numbers_per_language(lang: str, expected: list[str]):
    got = [
        i18n.format_number(1234.5, lang, 1),
        i18n.format_number(1234567.891, lang),
        i18n.format_number(0.5, lang, 2),
        i18n.format_number(12345678.9, lang, significant=4),
        i18n.format_number(0.000123456, lang, significant=4),
        i18n.format_percent(0.4567, lang, 1),
        i18n.format_percent(0.4567, lang),
        i18n.format_percent(0.025, lang),  # rounds half to even, like '{:.0%}'
    ]
    assert got == expected
    for missing in (None, float("nan"), pd.NA):
        assert i18n.format_number(missing, lang, 2) == i18n.format_percent(missing, lang) == ""
    with pytest.raises(TypeError, match="not a number: '12'"):
        i18n.format_number("12", lang)


def test_english_numbers_are_written_as_python_wrote_them():
    """The English pages show what the ``'{:,.0f}'``/``'%.2f'``/``'{:.1%}'`` formats showed."""
    for v in (0.0, 0.125, 2.675, 1234.5, 999999.5, 1e9 / 7, -3.14159, 0.0049999):
        assert i18n.format_number(v, "en") == f"{v:,.0f}"
        assert i18n.format_number(v, "en", 2) == f"{v:,.2f}"
        assert i18n.format_percent(v, "en", 1) == f"{v:,.1%}"


def test_dates_per_language():
    day = dt.date(2025, 3, 14)
    at = dt.datetime(2025, 3, 14, 9, 5, 7)
    assert i18n.format_date(day, "nl") == "14 mrt 2025"
    assert i18n.format_date(day, "en") == "14 Mar 2025"
    assert i18n.format_date("2025-03-14", "en", "short") == "14/03/2025"
    assert i18n.format_datetime(at, "nl") == "14 mrt 2025, 09:05:07"
    assert i18n.format_datetime(at, "en") == "14 Mar 2025, 09:05:07"
    aware = at.replace(tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert i18n.format_datetime(aware, "en", "HH:mm") == "09:05"  # in its own zone
    assert i18n.format_date(None, "nl") == i18n.format_datetime("", "nl") == ""
    env = pages.templates.env
    page = env.from_string("{{ d | date }} {{ x | number(1) }} {{ s | percent(1) }}")
    assert page.render(lang="nl", d=day, x=1234.5, s=0.125) == "14 mrt 2025 1.234,5 12,5%"
    assert page.render(lang="en", d=day, x=1234.5, s=0.125) == "14 Mar 2025 1,234.5 12.5%"


# --- (b) real pages ------------------------------------------------------------------------------


def test_overview_numbers_in_dutch_and_english(client: TestClient):
    o = client.get("/api/v1/overview").json()
    top = o["largest_dependencies"][0]["external_imports_kusd"]
    assert top >= 1000  # the test needs a thousands separator
    english = f"{top:,.0f}"
    dutch = english.replace(",", ".")
    nl = client.get("/nl/").text
    en = client.get("/en/").text
    assert '<html lang="nl">' in nl and '<html lang="en">' in en
    first_row = lambda page: page.split('id="largest-dependencies"')[1].split("</tr>")[1]  # noqa: E731
    assert f'<td class="num">{dutch}</td>' in first_row(nl)
    assert f'<td class="num">{english}</td>' in first_row(en)
    assert english not in nl
    va = o["foreign_value_added"][0]["embodied_va_share"]
    assert f'<td class="num">{va:.1%}'.replace(".", ",") in nl
    assert f'<td class="num">{va:.1%}' in en


def test_country_and_product_pages_in_dutch(client: TestClient):
    c = client.get("/api/v1/countries/CHN").json()
    v = c["summary"]["importer_dependent_kusd"]
    assert v >= 1000
    page = client.get("/nl/countries/CHN").text
    assert f'<span class="n">{v:,.0f}</span>'.replace(",", ".") in page
    p = client.get("/nl/products/720293", params={"importer": "EU27"}).text
    hhi = re.findall(r'<td class="num">(\d+,\d\d)</td>', p)
    assert hhi, "the HHI column in Dutch (0,23)"
    assert not re.findall(r'<td class="num">\d+\.\d\d</td>', p)


def test_audit_log_dates_per_language(client: TestClient):
    r = client.post(
        "/api/v1/login",
        json={"username": "ann", "password": PASSWORD},
        headers=csrf_headers(client),
    )
    assert r.status_code == 200
    at = service.audit_log(client.app.state.accounts)[0].at
    nl = client.get("/nl/account").text.split('id="audit-log"')[1]
    en = client.get("/en/account").text.split('id="audit-log"')[1]
    nl_month = get_month_names("abbreviated", locale="nl_NL")[at.month]
    en_month = get_month_names("abbreviated", locale="en_GB")[at.month]
    assert f"<td>{at.day} {nl_month} {at.year}, {at:%H:%M:%S}</td>" in nl
    assert f"<td>{at.day} {en_month} {at.year}, {at:%H:%M:%S}</td>" in en
    assert f"{at:%Y-%m-%d}" not in nl


PAGES = [
    "",
    "dependencies",
    "dependencies?method=all&q=cobalt",
    "countries",
    "countries?measure=balance_ratio_products",
    "countries?measure=importer_dependent_va_musd",
    "countries/CHN",
    "countries/TWN",
    "products/720293?importer=EU27",
    "materials",
    "materials/gallium",
    "materials/tin",
    "bom",
    "bom?name=naval_aesa_radar",
    "kansenkaart",
    "kansenkaart/requirements?origin=FR",
    "kansenkaart/matching?level=corop",
    "kansenkaart/suppliers",
    "industry",
    "industry/costs?consumption_mwh=50000&load_factor=0.8&run=1",
    "industry/installations/NL_144",
    "industry/companies/34040331",
    "io",
    "data",
    "login",
    "account",
    "no-such-page",
]


def test_every_page_in_both_languages(client: TestClient):
    """Every page renders in both languages with no missing message (an error under pytest)
    and in its own language."""
    for path in PAGES:
        for lang in i18n.LANGUAGES:
            with warnings.catch_warnings():
                warnings.simplefilter("error", MissingMessage)
                r = client.get(f"/{lang}/{path}")
            assert r.status_code == (404 if path == "no-such-page" else 200), (lang, path)
            assert f'<html lang="{lang}">' in r.text
            assert ("Gegevens en methode" in r.text) == (lang == "nl"), (lang, path)


# --- (d) languages under concurrency ----------------------------------------------------------


def test_languages_rendered_concurrently_stay_apart(client: TestClient):
    env = pages.templates.env
    template = env.from_string(
        "{% for i in range(40) %}{{ _('overview') }}|{{ t('share') }}|{{ gettext('product') }}|"
        "{{ 1234.5 | number(1) }}|{{ pause() }}{% endfor %}"
    )
    expected = {
        "nl": "Overzicht|Aandeel|Product|1.234,5|" * 40,
        "en": "Overview|Share|Product|1,234.5|" * 40,
    }
    langs = ["nl", "en"] * 8

    def pause() -> str:  # lets the other threads render in between
        time.sleep(0.001)
        return ""

    results = together(
        [lambda lang=lang: template.render(lang=lang, pause=pause) for lang in langs]
    )
    wrong = [
        i for i, (lang, r) in enumerate(zip(langs, results, strict=True)) if r != expected[lang]
    ]
    assert not wrong, f"renders in the wrong language: {[results[i] for i in wrong][:2]}"

    def page(lang: str) -> str:
        return client.get(f"/{lang}/").text

    pages_ = together([lambda lang=lang: page(lang) for lang in langs])
    for lang, text in zip(langs, pages_, strict=True):
        assert isinstance(text, str), text
        assert f'<html lang="{lang}">' in text
        assert ("Grootste afhankelijkheden naar waarde" in text) == (lang == "nl")
        assert ("Largest dependencies by value" in text) == (lang == "en")


# --- numbers drawn by the pages' scripts ----------------------------------------------------------


def test_scripts_format_numbers_in_the_page_language():
    """The static scripts format numbers with Intl.NumberFormat in the page's language (and
    tell plotly the separators), never with toLocaleString or toFixed: both from the page's
    language through the shared static/ketenradar.js, which base.html loads before them."""
    shared = SRC / "interfaces/web/static/ketenradar.js"
    scripts = [
        p
        for m in registry.modules()
        if m.static
        for p in Path(str(m.folder(m.static))).glob("*.js")
    ] + [p for p in (SRC / "interfaces/web/static").glob("*.js") if p != shared]
    assert len(scripts) >= 6
    text = shared.read_text()
    assert 'locale: () => (document.documentElement.lang === "nl" ? "nl-NL" : "en-GB")' in text
    assert 'plotlySeparators: () => (document.documentElement.lang === "nl" ? ",." : ".,")' in text
    for path in scripts:
        text = path.read_text()
        assert "toLocaleString(" not in text and ".toFixed(" not in text, path
        if "NumberFormat" in text:
            assert "ketenradar.locale()" in text, path
        if "Plotly.newPlot" in text:
            assert "ketenradar.plotlySeparators()" in text, path
    base = (SRC / "interfaces/web/templates/base.html").read_text()
    assert '<html lang="{{ lang }}">' in base
    # in <head>: loaded before the scripts each page puts at the end of its main block
    assert '<script src="/static/ketenradar.js"></script>' in base.split("</head>")[0]


def test_fixed_decimals_format_as_babel_does() -> None:
    """The fast path of ``format_number`` (Python's formatting of the exact Decimal with the
    locale's symbols) gives babel's ``format_decimal`` to the character: halves, negative
    zero, values that round to zero, big and tiny numbers, in both languages."""
    import decimal
    import random

    from babel.numbers import format_decimal

    from ketenradar.interfaces.web.i18n import _decimal, _locale, format_number

    rng = random.Random(7)
    values = [0, -0.0, 0.125, 0.375, 2.675, -0.004, -0.005, 123.455, 1e15, 5e-324, -7]
    values += [decimal.Decimal("1.005"), decimal.Decimal("-2.5"), float("inf")]
    values += [rng.uniform(-1e7, 1e7) for _ in range(300)]
    values += [round(rng.uniform(-1e4, 1e4), 3) for _ in range(300)]
    for lang in ("en", "nl"):
        for v in values:
            for digits in range(5):
                pattern = "#,##0" + ("." + "0" * digits if digits else "")
                want = format_decimal(_decimal(v), format=pattern, locale=_locale(lang))
                assert format_number(v, lang, digits) == want, (v, lang, digits)
    assert format_number(-1234.5, "nl", 1) == "-1.234,5"
    assert format_number(-1234.5, "en", 1) == "-1,234.5"
