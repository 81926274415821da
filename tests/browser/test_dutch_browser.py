"""The Dutch pages in a real browser, after their scripts ran (charts, the map's table, the
what-if): numbers written the Dutch way, no raw True/False/NaN/undefined, country names in
Dutch. Screenshots are kept in test-artifacts/ (dutch-*.png).

The server-rendered text of every page is checked more thoroughly in tests/web/test_dutch.py;
this test adds what only the scripts write.
"""

from __future__ import annotations

import re

import pytest
from browser_support import shot

from ketenradar.interfaces.web import pages

#: a number written the English way (same rule as tests/web/test_dutch.py)
ENGLISH_NUMBER = re.compile(r"\d\.(?!\d{3}(?!\d))\d|\d,\d{3}\.\d|\d,\d{3},\d{3}")
RAW = re.compile(r"(?<!\w)(True|False|None|NaN|nan|undefined|null)(?!\w)")

#: the pages, from the navigation (so new modules' pages come along), plus a country and
#: a product whose tables and charts are drawn by scripts
PATHS = [e.path for e in pages.nav_entries()] + ["countries/CHN", "products/271111"]

VISIBLE_TEXTS = """() => {
  const shown = el =>
    !el.closest('code, pre, script, style, [lang="en"]') && el.offsetParent !== null;
  const nums = [...document.querySelectorAll('.num, [data-num]')].filter(shown)
    .map(el => el.innerText.trim()).filter(Boolean);
  const all = [...document.querySelectorAll('main *, footer *')].filter(shown)
    .flatMap(el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()))
    .filter(Boolean);
  const svg = [...document.querySelectorAll('.main-svg text')].map(t => t.textContent.trim())
    .filter(Boolean);
  return {nums, all, svg};
}"""


@pytest.mark.parametrize("path", PATHS)
def test_dutch_page_after_its_scripts(page, base_url: str, path: str):
    page.goto(f"{base_url}/nl/{path}", wait_until="networkidle")
    page.wait_for_timeout(300)  # charts draw after their data arrives
    name = "dutch-" + (re.sub(r"[^a-z0-9]+", "-", path).strip("-") or "overview")
    shot(page, name)
    got = page.evaluate(VISIBLE_TEXTS)
    english_numbers = [t for t in got["nums"] + got["svg"] if ENGLISH_NUMBER.search(t)]
    assert not english_numbers, f"/nl/{path}: English number formats {english_numbers[:10]}"
    raw = [t for t in got["all"] + got["svg"] if RAW.search(t)]
    assert not raw, f"/nl/{path}: raw values {raw[:10]}"
    assert not page.errors, page.errors


def test_the_map_table_names_countries_in_dutch(page, base_url: str):
    page.goto(f"{base_url}/nl/countries", wait_until="networkidle")
    names = page.locator("a.country-link").all_inner_texts()
    shot(page, "dutch-countries-names")
    assert "Verenigde Staten" in names and "Noorwegen" in names, names[:20]
    assert "United States" not in names


def test_product_descriptions_are_marked_english_with_a_note(page, base_url: str):
    page.goto(f"{base_url}/nl/", wait_until="networkidle")
    marked = page.locator('#largest-dependencies [lang="en"]')
    assert marked.count() >= 5
    note = page.locator("#english-note")
    assert note.is_visible()
    assert "Engels" in note.inner_text() and "BACI" in note.inner_text()
    shot(page, "dutch-overview-english-note")
