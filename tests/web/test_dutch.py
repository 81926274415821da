"""Every Dutch page is Dutch: no untranslated message, Dutch number formats, no raw
True/False/None/nan, no English interface words outside text marked ``lang="en"``.

The pages are enumerated, not listed: every GET page route of the real app (``/{lang}/…``),
its path parameters filled from the registered modules' ``examples``, every navigation entry,
plus a few query variants that open more of a page (a method, a bloc, a BOM). Each page is
rendered by the real app over the committed starter pack (an empty store), signed in as an
admin (so the account page shows the audit log), and its visible text is checked:

(a) no message of any catalog shows its English text where a Dutch text exists;
(b) numeric cells (``class="num"``, ``data-num``) hold Dutch numbers (1.234,5; 12,3%);
(c) no ``True``, ``False``, ``None``, ``nan``;
(d) a list of common English interface words occurs only inside elements marked
    ``lang="en"`` (data with no Dutch source, e.g. BACI's HS descriptions), and such a page
    says once why (``id="english-note"``).

Also the helpers behind it: country names from CLDR, ✓/– for yes/no, Dutch fact-table
descriptions and licences that follow the English wording exactly.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import csrf_headers
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ketenradar.core import modules as registry
from ketenradar.core.countries import SPECIAL_NAMES, country_name, iso_countries
from ketenradar.interfaces.web import i18n, pages
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import service

PASSWORD = "correct horse battery staple"

#: Query variants that open more of a page than its plain URL (added to the enumeration).
VARIANTS = [
    "?economy=EU27",
    "dependencies?method=all",
    "dependencies?method=eu2021&importer=EU27",
    "countries?measure=balance_ratio_products",
    "products/720293?importer=EU27",
    "bom?name=naval_aesa_radar",
    "no-such-page",
]

#: English interface words that are not Dutch words too (so "of", "in", "is", "Product",
#: "Data" are not here); matched as whole words, case-sensitive.
ENGLISH_WORDS = [
    "the",
    "and",
    "with",
    "from",
    "which",
    "than",
    "Value",
    "value",
    "Share",
    "share",
    "Country",
    "Countries",
    "Supplier",
    "Suppliers",
    "supplier",
    "imports",
    "exports",
    "Imports",
    "Exports",
    "extraction",
    "processing",
    "refining",
    "Search",
    "Show",
    "Method",
    "Year",
    "Other",
    "other",
    "Sign",
    "page",
    "Source",
    "Sources",
    "dependent",
    "Dependent",
    "Material",
    "Materials",
    "Stage",
    "Industry",
    "Industries",
    "Yes",
    "No",
    "none",
    "all",
    "any",
    "United",
    "States",
    "Kingdom",
    "Russian",
    "Federation",
    "Republic",
    "People's",
    "Germany",
    "France",
    "Norway",
    "Belgium",
    "Netherlands",
    "China (People",
    "Notes",
    "Total",
    "total",
    "Rest of",
    "unknown",
    "missing",
    "published",
    "computed",
    "thousand",
    "million",
    "USD million",
]
_WORDS = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, ENGLISH_WORDS)) + r")(?![\w'])")
_RAW = re.compile(r"(?<!\w)(True|False|None|nan|NaN)(?!\w)")
#: a number written the English way on a Dutch page: a decimal point (a dot not followed by a
#: group of exactly three digits), a comma before a dot, two commas
_ENGLISH_NUMBER = re.compile(r"\d\.(?!\d{3}(?!\d))\d|\d,\d{3}\.\d|\d,\d{3},\d{3}")

#: elements whose text is code, not language
CODE = {"code", "pre", "kbd", "samp", "script", "style", "template", "noscript"}
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "track"}
#: attributes a reader sees or hears
SHOWN_ATTRS = ("title", "placeholder", "aria-label", "alt")


@dataclass
class Text:
    """One piece of visible text: is it inside ``lang="en"``, code, a numeric cell?"""

    text: str
    english: bool
    code: bool
    numeric: bool


@dataclass
class Visible(HTMLParser):
    """The visible text of a page, each piece with where it sits."""

    texts: list[Text] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []

    def _flags(self) -> tuple[bool, bool, bool]:
        english = False
        for _, attrs in self.stack:  # the innermost lang wins
            if attrs.get("lang"):
                english = attrs["lang"] == "en"
        code = any(tag in CODE for tag, _ in self.stack)
        numeric = any(
            "num" in (attrs.get("class") or "").split() or "data-num" in attrs
            for _, attrs in self.stack
        )
        return english, code, numeric

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag not in VOID:
            self.stack.append((tag, a))
        english, code, _ = self._flags()
        if tag in VOID and a.get("lang"):
            english = a["lang"] == "en"
        for name in SHOWN_ATTRS:
            if a.get(name):
                self.texts.append(Text(" ".join(str(a[name]).split()), english, code, False))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text or any(tag in ("script", "style", "template") for tag, _ in self.stack):
            return
        self.texts.append(Text(text, *self._flags()))


def visible(html: str) -> Visible:
    """Parse ``html`` into its visible texts."""
    v = Visible()
    v.feed(html)
    v.close()
    return v


# --- the pages --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The real app over an empty store (the starter pack), signed in as an admin."""
    app = create_app(settings=WebSettings.from_env(tmp_path_factory.mktemp("dutch") / "store"))
    service.create_user(app.state.accounts, "ann", PASSWORD, "admin")
    c = TestClient(app)
    r = c.post(
        "/api/v1/login", json={"username": "ann", "password": PASSWORD}, headers=csrf_headers(c)
    )
    assert r.status_code == 200
    return c


def page_routes(routes: list) -> Iterator[APIRoute]:
    """Every APIRoute of an app, through included routers."""
    for r in routes:
        if isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "original_router"):  # FastAPI's included router
            yield from page_routes(r.original_router.routes)
        elif hasattr(r, "routes") and not hasattr(r, "app"):
            yield from page_routes(r.routes)


def page_paths(app) -> list[str]:
    """The pages of ``app`` (paths without the language): its GET routes under ``/{lang}``
    with every path parameter from the modules' ``examples``, the navigation, the variants."""
    examples: dict[str, str] = {}
    for m in registry.modules():
        examples.update(m.examples)
    paths: list[str] = []
    for route in page_routes(app.routes):
        if "GET" not in route.methods or not route.path.startswith("/{lang}"):
            continue
        names = [n.split(":")[0] for n in re.findall(r"\{([^}]+)\}", route.path)][1:]
        missing = [n for n in names if n not in examples]
        assert not missing, f"{route.path}: no example for {missing} (Module.examples)"
        path = route.path[len("/{lang}/") :]
        for n in names:
            path = re.sub(r"\{" + n + r"(:[^}]*)?\}", examples[n], path)
        paths.append(path)
    paths += [e.path for e in pages.nav_entries()]
    paths += VARIANTS
    return list(dict.fromkeys(paths))


@pytest.fixture(scope="module")
def dutch_pages(client: TestClient) -> dict[str, Visible]:
    """Every Dutch page's visible text, by URL."""
    out = {}
    for path in page_paths(client.app):
        url = f"/nl/{path}"
        with warnings.catch_warnings():
            warnings.simplefilter("error", i18n.MissingMessage)
            res = client.get(url)
        assert res.status_code in (200, 404), f"{url}: {res.status_code} {res.text[:300]}"
        assert '<html lang="nl">' in res.text, url
        out[url] = visible(res.text)
    return out


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{url}: {', '.join(sorted(set(items))[:12])}" for url, items in found.items() if items
    )


def test_the_enumeration_reaches_every_page(client: TestClient, dutch_pages):
    """Every page route, every navigation entry and every module's example is requested."""
    urls = set(dutch_pages)
    for e in pages.nav_entries():
        assert f"/nl/{e.path}" in urls
    used = {
        n.split(":")[0]
        for r in page_routes(client.app.routes)
        if "GET" in r.methods and r.path.startswith("/{lang}")
        for n in re.findall(r"\{([^}]+)\}", r.path)
    }
    for m in registry.modules():
        for name, value in m.examples.items():
            if name in used:
                assert any(value in u for u in urls), f"{m.name}: example {value} not requested"
    assert {"/nl/", "/nl/data", "/nl/login", "/nl/account"} <= urls
    assert len(urls) >= 15
    assert "audit-log" in dutch_pages["/nl/account"].ids  # signed in as an admin


# --- (a) untranslated messages -----------------------------------------------------------------


def english_only_texts() -> dict[str, str]:
    """English message texts with a different Dutch text, that no Dutch text uses: English
    text → key."""
    c = i18n.catalogs()
    dutch = {v if isinstance(v, str) else v[0] for v in c.texts["nl"].values()}
    out = {}
    for key, en in c.texts["en"].items():
        nl = c.texts["nl"].get(key)
        en = en if isinstance(en, str) else en[0]
        nl = nl if isinstance(nl, str) or nl is None else nl[0]
        if not nl or nl == en or en in dutch or "{" in en:
            continue
        if len(en) >= 4 and re.search(r"[A-Za-z]{3}", en):
            out[" ".join(en.split())] = key
    return out


def test_no_message_shows_its_english_text(dutch_pages):
    english = english_only_texts()
    long = {en: key for en, key in english.items() if len(en) >= 25}
    found: dict[str, list[str]] = {}
    for url, v in dutch_pages.items():
        hits = []
        for piece in v.texts:
            if piece.english or piece.code:
                continue
            if piece.text in english:
                hits.append(f"{english[piece.text]}={piece.text!r}")
            hits += [f"{k}={en[:40]!r}…" for en, k in long.items() if en in piece.text]
        found[url] = hits
    assert not any(found.values()), "English message texts on Dutch pages:\n" + report(found)


# --- (b) numbers ------------------------------------------------------------------------------


def test_numeric_cells_are_written_the_dutch_way(dutch_pages):
    found: dict[str, list[str]] = {}
    cells = 0
    for url, v in dutch_pages.items():
        numeric = [p.text for p in v.texts if p.numeric and not p.code]
        cells += len(numeric)
        found[url] = [t for t in numeric if _ENGLISH_NUMBER.search(t)]
    assert cells > 200, "numeric cells are found (class num)"
    assert not any(found.values()), "English number formats on Dutch pages:\n" + report(found)


def test_dutch_number_pattern_tells_dutch_from_english():
    for dutch in ("7.907.460", "0,23", "45,7%", "1.234,5", "2024", "3", "1,234"):
        assert not _ENGLISH_NUMBER.search(dutch), dutch
    for english in ("0.23", "7,907,460", "1,234.5", "45.7%", "12.5"):
        assert _ENGLISH_NUMBER.search(english), english


# --- (c) raw values ---------------------------------------------------------------------------


def test_no_raw_true_false_none_nan(dutch_pages):
    found = {
        url: [p.text for p in v.texts if not p.code and _RAW.search(p.text)]
        for url, v in dutch_pages.items()
    }
    assert not any(found.values()), "raw values on Dutch pages:\n" + report(found)


def test_no_markdown_backticks_in_what_a_reader_sees(dutch_pages):
    """A command in a message is shown as code, not between Markdown backticks."""
    found = {url: [p.text for p in v.texts if "`" in p.text] for url, v in dutch_pages.items()}
    assert not any(found.values()), "backticks on Dutch pages:\n" + report(found)


def test_commands_in_hints_are_code(client: TestClient):
    html = client.get("/nl/dependencies").text
    assert "<code>ketenradar data add baci BESTAND.zip</code>" in html
    login = client.get("/en/login").text
    assert "<code>ketenradar users create-admin</code>" in login and "`" not in login


# --- (d) English words ------------------------------------------------------------------------


def test_english_words_only_where_marked_english(dutch_pages):
    found: dict[str, list[str]] = {}
    for url, v in dutch_pages.items():
        found[url] = [
            f"{m.group(1)} in {p.text[:60]!r}"
            for p in v.texts
            if not p.english and not p.code
            for m in [_WORDS.search(p.text)]
            if m
        ]
    assert not any(found.values()), "English words on Dutch pages:\n" + report(found)


def test_english_text_comes_with_its_note(dutch_pages):
    """A Dutch page with text marked English says why, once."""
    marked = [url for url, v in dutch_pages.items() if any(p.english for p in v.texts)]
    assert marked, "the overview marks BACI's product descriptions as English"
    missing = [url for url in marked if "english-note" not in dutch_pages[url].ids]
    assert not missing, f"pages with English text but no note: {missing}"


# --- the helpers ------------------------------------------------------------------------------


def test_country_names_come_from_cldr():
    from babel import Locale

    nl = Locale("nl").territories
    for c in iso_countries():
        if c.iso2 in nl:
            assert country_name(c.iso3, "nl") == nl[c.iso2]
        assert country_name(c.iso3, "en") == c.name
    assert country_name("NLD", "nl") == "Nederland"
    assert country_name("USA", "nl") == "Verenigde Staten"
    assert country_name("S19", "nl") == SPECIAL_NAMES["S19"]["nl"]
    assert "Azië" in country_name("S19", "nl") and "Asia" in country_name("S19", "en")
    assert country_name("X891", "nl") == "BACI-code 891 (geen ISO3-code)"
    assert country_name("ZZZ", "nl") == "ZZZ"


def test_filters_on_a_real_page_render(client: TestClient):
    env = pages.templates.env
    tpl = env.from_string(
        "{{ 'CHN' | country }}|{{ True | yesno }}|{{ False | yesno }}|{{ none | yesno }}|"
        "{{ 'Cobalt ores' | english('hs') }}|{{ english_notes | join(',') }}"
    )
    nl = tpl.render(lang="nl", english_notes=[])
    assert nl.startswith("China|")
    assert 'aria-label="ja">✓<' in nl and 'aria-label="nee">–<' in nl
    assert '<span lang="en">Cobalt ores</span>|hs' in nl
    en = tpl.render(lang="en", english_notes=[])
    assert 'aria-label="yes">✓<' in en and "|Cobalt ores|" in en  # English needs no mark


def test_fact_descriptions_and_licences_follow_the_english_wording():
    """The Dutch footer text of a fact table or licence is found by its English wording: the
    English catalog text must be exactly what the code writes (else the footer falls back to
    English, marked)."""
    from ketenradar.sources import baci, eu_crm, io_tables, usgs, wgi, wmd

    en = i18n.catalogs().texts["en"]
    for m in registry.modules():
        for table in m.facts:
            assert en.get(f"fact_{table.name}") == table.description, (
                f"messages fact_{table.name} ({m.name}): the English text must be the table's "
                "description in facts.py, with a Dutch text beside it"
            )
            if table.derived:
                assert en.get(f"fact_{table.name}_derived") == table.derived, table.name
    licences = {
        "licence_baci": baci.LICENCE,
        "licence_eu_crm": eu_crm.LICENCE,
        "licence_icio": io_tables.ICIO_LICENCE,
        "licence_wiod": io_tables.WIOD_LICENCE,
        "licence_usgs": usgs.LICENCE,
        "licence_wgi": wgi.LICENCE,
        "licence_wmd": wmd.LICENCE,
    }
    for key, text in licences.items():
        assert en.get(key) == text, key
    joined = "; ".join([eu_crm.LICENCE, io_tables.ICIO_LICENCE, wgi.LICENCE, wgi.LICENCE])
    nl = str(i18n.data_text(joined, "nl", "licence_"))
    assert "lang=" not in nl and nl.count("Wereldbank") == 1 and "OESO" in nl
    table = registry.fact_tables()["screening"][1]
    derived = table.describe({"imps": "BEL", "dataset": "baci_x", "span": "2020–2021"})
    assert str(i18n.data_text(derived, "nl", "fact_")).endswith("in baci_x, 2020–2021")
    assert 'lang="en"' in str(i18n.data_text("something else", "nl", "fact_", []))


def test_the_footer_is_dutch(client: TestClient):
    html = client.get("/nl/").text
    footer = html.split("<footer>")[1]
    assert "gebruiksvoorwaarden" in footer and "OESO" in footer
    assert not re.search(r"\d{4}-\d\d-\d\dT", footer), "the build time in Dutch"
    assert Path(i18n.__file__).exists()


def test_audit_log_events_are_dutch_labels(client: TestClient):
    html = client.get("/nl/account").text.split('id="audit-log"')[1]
    assert '<td data-action="login">ingelogd</td>' in html
    assert '<td data-action="login">signed in</td>' in client.get("/en/account").text
    assert str(i18n.label("bom_saved", "nl", "audit_action_")) == "bom opgeslagen"
    assert str(i18n.label("no_such_event", "nl", "audit_action_")) == "<code>no_such_event</code>"
