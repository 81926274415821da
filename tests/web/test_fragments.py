"""Page contents kept per key (``pages.fragment``): the same key serves the kept HTML without
gathering the context again, another key or language renders afresh, ``None`` never keeps,
the English notes travel with the HTML, and the store is bounded. On the industry dashboard:
a page rendered on an empty store is not served once data is loaded (the key holds the
dataset versions)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require_shared
from fastapi.testclient import TestClient

from ketenradar import api as facade
from ketenradar.interfaces.web import pages
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings

TEMPLATE = "_industry_notices.html"  # a small template that extends nothing


def test_kept_per_key_and_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "_FRAGMENTS", type(pages._FRAGMENTS)())
    calls = []

    def ctx(detail: str):
        def build() -> dict:
            calls.append(detail)
            return {"errors": [{"field": "x", "detail": detail}], "missing": None}

        return build

    one, notes = pages.fragment("nl", TEMPLATE, ("k", 1), ctx("first"))
    assert "first" in one and notes == ["data"]  # on /nl/: English data, noted for the footer
    again, notes2 = pages.fragment("nl", TEMPLATE, ("k", 1), ctx("second"))
    assert again == one and notes2 == ["data"] and calls == ["first"]  # kept: not rebuilt
    other, _ = pages.fragment("nl", TEMPLATE, ("k", 2), ctx("third"))
    assert "third" in other and calls == ["first", "third"]
    english, notes3 = pages.fragment("en", TEMPLATE, ("k", 1), ctx("fourth"))
    assert "fourth" in english and notes3 == []  # each language apart
    for detail in ("a", "b"):
        html, _ = pages.fragment("en", TEMPLATE, None, ctx(detail))
        assert detail in html  # None: rendered every time
    assert calls[-2:] == ["a", "b"]


def test_the_store_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "_FRAGMENTS", type(pages._FRAGMENTS)())
    monkeypatch.setattr(pages, "FRAGMENTS_MAX", 3)
    for i in range(5):
        pages.fragment("en", TEMPLATE, i, {"errors": [], "missing": None})
    assert [k[2] for k in pages._FRAGMENTS] == [2, 3, 4]


def test_the_dashboard_follows_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(require_shared()))
    store = tmp_path / "store"
    client = TestClient(create_app(settings=WebSettings.from_env(store)))
    empty = client.get("/en/industry").text
    assert 'id="industry-missing"' in empty and 'id="industry-totals"' not in empty
    facade.add_dataset("ets_eutl", [require_shared("ets_eutl")], data_dir=store)
    full = client.get("/en/industry").text
    assert 'id="industry-missing"' not in full and 'id="industry-totals"' in full
    assert client.get("/en/industry").text == full  # kept, the same
