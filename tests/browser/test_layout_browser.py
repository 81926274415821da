"""Any screen (issue 15, point 17): every page of the site (found in the app: site_pages.py)
at phone width (390 px) and at a common laptop width (1,366 px), in Dutch and English.

At 390 px no page scrolls sideways (wide tables scroll inside themselves), "Sign in", the
language switch and every navigation entry are on screen, and charts take the full width. At
1,366 px no page scrolls sideways, no table needs to scroll inside itself (the explorer and
the material tables fit) and no table header breaks inside a word. A screenshot of every page
at both widths is kept."""

from __future__ import annotations

import pytest
from browser_support import shot
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from site_pages import site_pages

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}

#: how a page's width is judged: the document, every table (its own scroll width against the
#: box it sits in) and every chart
MEASURE = """() => {
  const tables = [...document.querySelectorAll('main table')].filter(t => t.offsetParent)
    .map(t => {
      const box = t.parentElement.closest('.scroll-x') || t.parentElement;
      // wider than the box it sits in, or (a table shown as a scrolling block) its own box
      const width = Math.max(t.getBoundingClientRect().width, t.scrollWidth);
      const room = t.scrollWidth > t.clientWidth + 1 ? t.clientWidth : box.clientWidth;
      return {id: t.id || t.className || t.tagName, width: Math.round(width), room};
    });
  const main = document.querySelector('main');
  const cs = getComputedStyle(main);
  const content = main.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const charts = [...document.querySelectorAll('main .js-plotly-plot')].filter(c => c.offsetParent)
    .map(c => ({id: c.id, width: c.getBoundingClientRect().width}));
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
          tables, charts, content};
}"""


#: header words broken across lines: every word of every shown header cell (a word may break
#: after a hyphen, a slash or a dash of its own), as "column: word", when its rendered boxes
#: lie on more than one line. (Debian's Chromium has no hyphenation dictionaries, so
#: ``hyphens: auto`` hyphenates nothing here: any break inside a word is a wrong one.)
BROKEN_HEADER_WORDS = """() => {
  const broken = [];
  for (const th of document.querySelectorAll('main th')) {
    if (!th.offsetParent) continue;
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of n.data.matchAll(/[^\\s\\-\\/–—]+[\\-\\/–—]?/g)) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const lines = new Set([...r.getClientRects()].filter(b => b.width > 0)
          .map(b => Math.round(b.top)));
        if (lines.size > 1) broken.push(`${th.dataset.column || th.textContent.trim()}: ${m[0]}`);
      }
    }
  }
  return broken;
}"""


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "_") or "root"


def _open(page, url: str) -> None:
    """Load ``url`` and give its charts time to draw (plotly is parsed, then asks for data)."""
    page.goto(url, wait_until="load")
    try:
        page.wait_for_load_state("networkidle", timeout=20_000)
        if page.locator("main .chart, main .world-map, main [id$='-chart']").count():
            page.wait_for_timeout(1500)
            page.wait_for_load_state("networkidle", timeout=20_000)
    except PlaywrightTimeout:  # a busy machine: measure what is there
        pass


def _on_screen(page, selector: str, width: int) -> bool:
    loc = page.locator(selector)
    if not loc.count() or not loc.first.is_visible():
        return False
    box = loc.first.bounding_box()
    return bool(box) and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_page_scrolls_sideways_on_a_phone(browser, base_url, lang):
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    problems = []
    paths = site_pages(lang)
    assert len(paths) >= 12 and f"/{lang}/materials/cobalt" in paths
    for path in paths:
        _open(page, base_url + path)
        m = page.evaluate(MEASURE)
        if m["scroll"] > m["inner"]:
            problems.append(f"{path}: the page is {m['scroll']} px wide at {m['inner']} px")
        for sel in ("#sign-in", "header a.lang", "header nav a >> nth=0", "header nav a >> nth=-1"):
            if not _on_screen(page, sel, PHONE["width"]):
                problems.append(f"{path}: {sel} is not on screen")
        for c in m["charts"]:  # charts take the width there is (not ~230 px)
            if c["width"] < 0.95 * m["content"]:
                problems.append(
                    f"{path}: chart {c['id']} {c['width']:.0f} of {m['content']:.0f} px"
                )
        shot(page, f"layout_390_{lang}_{_slug(path)}")
    ctx.close()
    assert problems == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_tables_fit_a_laptop_screen(browser, base_url, lang):
    ctx = browser.new_context(viewport=LAPTOP)
    page = ctx.new_page()
    problems = []
    for path in site_pages(lang):
        _open(page, base_url + path)
        m = page.evaluate(MEASURE)
        if m["scroll"] > m["inner"]:
            problems.append(f"{path}: the page is {m['scroll']} px wide at {m['inner']} px")
        for t in m["tables"]:
            if t["width"] > t["room"] + 1:
                problems.append(f"{path}: table {t['id']} is {t['width']} px in {t['room']} px")
        # a header breaks between words, never inside one ("Productomsch|rijving")
        for word in page.evaluate(BROKEN_HEADER_WORDS):
            problems.append(f"{path}: the header word {word!r} is broken across lines")
        shot(page, f"layout_1366_{lang}_{_slug(path)}")
    ctx.close()
    assert problems == []


def test_the_explorer_and_the_material_table_fit_1366(browser, base_url):
    """The two pages the issue names, with all their columns shown."""
    ctx = browser.new_context(viewport=LAPTOP)
    page = ctx.new_page()
    for url, table in (
        ("/nl/dependencies?method=all", "#dependencies"),
        ("/nl/materials/cobalt", "main table >> nth=0"),
        ("/en/materials", "#criticality"),
    ):
        _open(page, base_url + url)
        loc = page.locator(table)
        assert loc.count() and loc.first.locator("tbody tr").count() > 0, url
        box = loc.first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], (url, box)
        assert loc.first.evaluate("t => t.scrollWidth <= t.clientWidth + 1"), url
    shot(page, "layout_1366_materials")
    ctx.close()
