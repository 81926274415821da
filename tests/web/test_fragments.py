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


def test_many_threads_share_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """16 real threads render 40 keys in two languages at once, with a store smaller than
    the keys (entries evicted while others are read): every answer is the content of its
    own key and language, and the store stays within its bound."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(pages, "_FRAGMENTS", type(pages._FRAGMENTS)())
    monkeypatch.setattr(pages, "FRAGMENTS_MAX", 25)

    def one(i: int) -> tuple[int, str, str]:
        lang = ("en", "nl")[i % 2]
        key = i % 40
        html, _ = pages.fragment(
            lang, TEMPLATE, key, {"errors": [{"detail": f"k{key}-{lang}"}], "missing": None}
        )
        return key, lang, str(html)

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(one, range(800)))
    for key, lang, html in answers:
        assert f"k{key}-{lang}<" in html
    assert len(pages._FRAGMENTS) <= 25


def test_dataset_keys_under_threads_while_the_store_changes(tmp_path: Path) -> None:
    """Readers on 8 real threads ask for the ETS dataset's key while it is added and then
    replaced by a new version: each answer is None or a version the store has held, and
    afterwards the key is the last version's."""
    import threading

    from ketenradar.datasets import open_store
    from ketenradar.modules.industry.web.views import dataset_key

    store = tmp_path / "store"
    folder = require_shared("ets_eutl/cedricr_eutl/installations-NL.csv")
    seen: set = set()
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                seen.add(dataset_key(store, "ets_emissions"))
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(8)]
    for t in readers:
        t.start()
    facade.add_dataset("ets_eutl", [folder], data_dir=store)
    versions = [open_store(store).get("ets_eutl").manifest.version]
    facade.add_dataset("ets_eutl", [folder.parent.parent], data_dir=store)  # a new version
    versions.append(open_store(store).get("ets_eutl").manifest.version)
    stop.set()
    for t in readers:
        t.join()
    assert not errors
    assert versions[0] != versions[1]
    assert dataset_key(store, "ets_emissions") == (str(store), "ets_eutl", versions[1])
    assert seen <= {None, *((str(store), "ets_eutl", v) for v in versions)}
