"""Accessibility (issue 15, point 18; WCAG 2.1 AA): axe-core on every page of the site in
both languages, forms used with the keyboard only, charts with a text alternative.

axe-core is vendored from npm (tests/browser/vendor/axe-core: version, sha256 and licence in
SOURCE.txt) and injected into each page with ``add_script_tag``; nothing is fetched from
another host. The pages come from the app itself (site_pages.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import shot
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from site_pages import site_pages

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: the WCAG 2.1 A and AA rules of axe-core
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
     nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + n.failureSummary
       .split('\\n').slice(0, 2).join(' '))})))"""
#: every chart: what it is, how it is described
CHARTS = """() => [...document.querySelectorAll(
    'main .js-plotly-plot, main .chart, main .world-map')].filter(c => c.offsetParent).map(c => {
    const table = (c.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
      .map(id => document.getElementById(id)).find(e => e && e.querySelector('tr, li'));
    return {id: c.id, role: c.getAttribute('role'), label: c.getAttribute('aria-label') || '',
            table: !!table};
  })"""


@pytest.fixture
def page(browser):
    """A page whose CSP lets the test inject axe-core (the app's CSP allows no inline script,
    which is what ``add_script_tag`` adds); errors and requests to other hosts are noted."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = ctx.new_page()
    pg.errors, pg.external = [], []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on(
        "request",
        lambda r: (
            None if r.url.startswith(("http://127.0.0.1", "data:")) else pg.external.append(r.url)
        ),
    )
    yield pg
    ctx.close()


def _open(page, url: str) -> None:
    page.goto(url, wait_until="load")
    try:
        page.wait_for_load_state("networkidle", timeout=20_000)
        if page.locator("main .chart, main .world-map, main [id$='-chart']").count():
            page.wait_for_timeout(1500)  # charts draw once plotly.js is parsed
            page.wait_for_load_state("networkidle", timeout=20_000)
    except PlaywrightTimeout:  # a busy machine: check what is there
        pass


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "_") or "root"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_axe_finds_no_serious_violation_on_any_page(page, base_url, lang):
    assert AXE.is_file() and (AXE.parent / "LICENSE").is_file()
    found = []
    paths = site_pages(lang)
    for path in paths:
        _open(page, base_url + path)
        page.add_script_tag(path=str(AXE))
        for v in page.evaluate(RUN_AXE, TAGS):
            if v["impact"] in ("serious", "critical"):
                found.append(f"{path}: {v['id']} ({v['impact']}) {v['help']}: {v['nodes']}")
        shot(page, f"a11y_{lang}_{_slug(path)}")
    assert found == [], "\n".join(found)
    assert page.external == []


def test_axe_sees_a_real_violation(page, base_url):
    """The check itself works: a page made inaccessible on purpose is caught."""
    _open(page, base_url + "/en/dependencies")
    page.evaluate("document.querySelector('form.filters input[name=q]').labels[0]?.remove()")
    page.evaluate(
        "document.querySelectorAll('input[name=q]').forEach(i => {"
        "i.removeAttribute('aria-label'); i.removeAttribute('title');"
        "i.removeAttribute('placeholder'); i.id = ''})"
    )
    page.add_script_tag(path=str(AXE))
    ids = {v["id"] for v in page.evaluate(RUN_AXE, TAGS)}
    assert "label" in ids


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_charts_have_a_text_alternative(page, base_url, lang):
    charted = 0
    for path in site_pages(lang):
        _open(page, base_url + path)
        for c in page.evaluate(CHARTS):
            charted += 1
            # an image with a label, or a figure (plotly's controls inside stay focusable)
            # described by the table of the numbers it draws
            described = (c["role"] == "img" and c["label"].strip()) or c["table"]
            assert described, f"{path}: chart #{c['id']} has no text alternative ({c})"
    assert charted >= 6  # product (2), map, country, materials, io …


def test_a_form_is_usable_with_the_keyboard_only(page, base_url):
    """Tab from the top of the explorer to its search field, type, submit with Enter; the
    focused field shows where the focus is."""
    _open(page, base_url + "/en/dependencies?method=all")
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('form.filters [name=q]')"):
            break
    else:
        pytest.fail("the explorer's search field cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.type("cobalt")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=cobalt**")
    assert page.locator("#dependencies tbody tr").count() >= 1
    shot(page, "a11y_keyboard_explorer")
    # the sign-in form: Tab from the user name to the password, Enter submits
    _open(page, base_url + "/en/login")
    page.locator("form.login input[name=username]").focus()
    page.keyboard.type("nobody")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "password"
    page.keyboard.type("wrong password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".error, .error-box, [role=alert]").count() >= 1
    shot(page, "a11y_keyboard_login")
