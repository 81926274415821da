"""Numbers the pages' scripts draw, in a real browser: Dutch separators on /nl/ pages (the
world map's colour scale and plotly's own formats), English ones on /en/ pages."""

from __future__ import annotations

import re

NUMBER = re.compile(r"\d[\d.,]*\d|\d")


def _map(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_selector("#world-map[data-drawn]", timeout=30_000)
    return page.evaluate(
        "(() => { const el = document.getElementById('world-map');"
        " return {ticks: el.data[0].colorbar.ticktext, separators: el.layout.separators,"
        " hover: el.data[0].text}; })()"
    )


def test_world_map_numbers_follow_the_page_language(page, base_url):
    nl = _map(page, f"{base_url}/nl/countries")
    en = _map(page, f"{base_url}/en/countries")
    # the colour scale of thousand USD on a log scale: 1, 10, 100, 1.000, 10.000, …
    assert "1.000" in nl["ticks"] and "10.000" in nl["ticks"], nl["ticks"]
    assert "1,000" in en["ticks"] and "10,000" in en["ticks"], en["ticks"]
    assert nl["separators"] == ",." and en["separators"] == ".,"
    assert len(nl["hover"]) == len(en["hover"]) > 10
    # the same countries' hover texts hold the same numbers, with the separators swapped
    swap = str.maketrans(",.", ".,")
    grouped = 0
    for dutch, english in zip(nl["hover"], en["hover"], strict=True):
        numbers = NUMBER.findall(english)
        assert NUMBER.findall(dutch) == [n.translate(swap) for n in numbers], (dutch, english)
        grouped += any("," in n for n in numbers)
    assert grouped > 0
    assert page.errors == [] and page.external == []
