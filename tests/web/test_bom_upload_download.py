"""Downloads of an uploaded BOM's exposure: ``POST /api/v1/bom/exposure.{fmt}``.

An uploaded BOM that was not saved is stored nowhere, so its page cannot link to a download:
it holds the file's text in a hidden form and offers, next to each table, one submit button
per format (CSV, XLSX, Parquet and the CSV's provenance) that posts that form with the page's
CSRF token, as a browser without a script does. Against the real app (TestClient over the
committed starter pack): each file holds the rows ``POST /api/v1/bom/exposure`` answers for
the same file, its provenance names the uploaded file and the SHA-256 of its bytes, and the
route refuses what the JSON route refuses with the same answer.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import HAND_BOM as BOM
from conftest import csrf_headers, signed_in, web_app
from fastapi.testclient import TestClient

from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings

NAME = "toy radar.yaml"
FORMATS = ("csv", "xlsx", "parquet", "csv.provenance.json")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    return create_app(settings=WebSettings.from_env(tmp_path_factory.mktemp("bomdl") / "store"))


def _token(c: TestClient) -> str:
    return csrf_headers(c)["X-CSRF-Token"]


def _page(c: TestClient, data: bytes, name: str = NAME, **fields: str):
    """The BOM page after uploading ``data`` through its own form."""
    fields = {"csrf_token": _token(c), "supply": "eu_crm"} | fields
    return c.post("/en/bom", files={"file": (name, data)}, data=fields)


def _download_form(page: str) -> tuple[dict[str, str], dict[str, str]]:
    """The page's hidden download form (its fields, as a browser would read them) and every
    download button of it (element id → the URL it posts to)."""
    page = page.replace("\r\n", "\n").replace("\r", "\n")  # what an HTML parser reads
    form = re.search(r'<form id="bom-upload-download"[^>]*>(.*?)</form>', page, re.S)
    assert form, "no download form on the page"
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[1]
        )
    }
    buttons = {
        bid: html.unescape(action)
        for action, bid in re.findall(
            r'<button type="submit" form="bom-upload-download" formaction="([^"]+)" id="([^"]+)"',
            page,
        )
    }
    return fields, buttons


def _submit(c: TestClient, url: str, fields: dict[str, str]):
    """Post the form as a browser does (multipart/form-data, line breaks sent as CRLF)."""
    parts = {k: (None, v.replace("\n", "\r\n")) for k, v in fields.items()}
    return c.post(url, files=parts)


def _same_rows(got: pd.DataFrame, want: list[dict]) -> None:
    """``got`` (a downloaded table) holds the rows and values of ``want`` (the JSON route's)."""
    want_df = pd.DataFrame(want)
    assert len(got) == len(want_df) > 0
    assert list(got.columns) == list(want_df.columns)
    for col in want_df.columns:
        a, b = got[col], want_df[col]
        if pd.api.types.is_bool_dtype(b):
            assert a.astype(bool).tolist() == b.tolist(), col
        elif pd.api.types.is_numeric_dtype(b):
            np.testing.assert_allclose(
                pd.to_numeric(a, errors="coerce").to_numpy(float),
                b.to_numpy(float),
                rtol=1e-11,
                err_msg=col,
            )
        else:
            norm = lambda s: ["" if pd.isna(v) else str(v) for v in s]  # noqa: E731
            assert norm(a) == norm(b), col


def _csv(r) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(r.content), keep_default_na=False, na_values=[""])


def test_the_page_of_an_upload_offers_download_forms(app):
    c = TestClient(app)
    data = BOM.encode()
    page = _page(c, data)
    assert page.status_code == 200 and 'id="bom-result"' in page.text
    fields, buttons = _download_form(page.text)
    # the file's text, name and checksum, with the page's own CSRF token
    assert fields["bom"] == BOM and fields["filename"] == NAME
    assert fields["sha256"] == hashlib.sha256(data).hexdigest()
    assert fields["csrf_token"] == c.cookies.get("kr_csrf")
    for table in ("materials", "countries"):
        for fmt, key in zip(FORMATS, ("csv", "xlsx", "parquet", "provenance"), strict=True):
            url = buttons[f"download-bom-{table}-{key}"]
            assert url == f"/api/v1/bom/exposure.{fmt}?supply=eu_crm&table={table}"
    # no links: nothing is stored to link to
    assert 'id="download-bom-materials-csv" href=' not in page.text
    # a packaged BOM keeps its links and has no form
    packaged = c.get("/en/bom", params={"name": "mri_scanner"}).text
    assert 'id="download-bom-materials-csv" href=' in packaged
    assert 'id="bom-upload-download"' not in packaged
    # a rejected upload offers nothing to download
    bad = _page(c, BOM.replace("quantity: 2", "quantity: -2").encode())
    assert bad.status_code == 422 and 'id="bom-upload-download"' not in bad.text


def test_each_format_holds_the_json_routes_rows_and_names_the_file(app):
    c = TestClient(app)
    data = BOM.encode()
    sha = hashlib.sha256(data).hexdigest()
    fields, buttons = _download_form(_page(c, data).text)
    want = c.post(
        "/api/v1/bom/exposure", files={"file": (NAME, data)}, headers=csrf_headers(c)
    ).json()
    got = {}
    for bid, url in buttons.items():
        r = _submit(c, url, fields)
        assert r.status_code == 200, (bid, r.text[:500])
        assert r.headers["content-disposition"].startswith("attachment; filename=")
        got[bid] = r
    # CSV: each table's rows; its sidecar is the provenance, linked from the CSV
    for table in ("materials", "countries"):
        r = got[f"download-bom-{table}-csv"]
        disposition = r.headers["content-disposition"]
        assert disposition == f'attachment; filename="bom_upload_toy-radar_eu_crm_{table}.csv"'
        _same_rows(_csv(r), want[table])
        link = re.match(r'<([^>]+)>; rel="describedby"', r.headers["link"])[1]
        assert link == f"/api/v1/bom/exposure.csv.provenance.json?supply=eu_crm&table={table}"
    side = got["download-bom-materials-provenance"].json()
    assert side["parameters"]["uploaded_bom"] == NAME
    assert side["parameters"]["bom_sha256"] == sha
    assert side["command"] == "POST /api/v1/bom/exposure.csv?supply=eu_crm&table=materials"
    assert any(NAME in n and sha in n and "not stored" in n for n in side["notes"])
    assert {col["name"] for col in side["columns"]} == set(want["materials"][0])
    assert side["datasets"] and side["datasets"][0]["release"]
    # XLSX: every table of the view, the provenance and the columns
    book = got["download-bom-materials-xlsx"].content
    sheets = openpyxl.load_workbook(io.BytesIO(book)).sheetnames
    assert sheets == ["materials", "countries", "summary", "provenance", "columns"]
    for table in ("materials", "countries"):
        _same_rows(pd.read_excel(io.BytesIO(book), sheet_name=table), want[table])
    _same_rows(pd.read_excel(io.BytesIO(book), sheet_name="summary"), [want["summary"]])
    lines = "\n".join(
        str(v) for v in pd.read_excel(io.BytesIO(book), sheet_name="provenance").iloc[:, 0]
    )
    assert NAME in lines and sha in lines
    # Parquet: the table, the provenance in the file's metadata
    for table in ("materials", "countries"):
        pqt = pq.read_table(io.BytesIO(got[f"download-bom-{table}-parquet"].content))
        _same_rows(pqt.to_pandas(), want[table])
        prov = json.loads(pqt.schema.metadata[b"ketenradar.provenance"])
        assert prov["parameters"]["uploaded_bom"] == NAME
        assert prov["parameters"]["bom_sha256"] == sha
        assert prov["analysis"] == "bill-of-materials exposure: toy radar"
    # by hand: gallium 2 × 1.5 = 3 kg of 7.5 kg
    mats = _csv(got["download-bom-materials-csv"])
    assert mats.loc[mats["material"] == "gallium", "share"].item() == pytest.approx(0.4)


def test_the_file_field_gives_the_same_files_as_the_text(app):
    """The route takes the upload of ``POST /api/v1/bom/exposure`` (field ``file``) too."""
    c = TestClient(app)
    h = csrf_headers(c)
    url = "/api/v1/bom/exposure.csv?table=countries"
    by_file = c.post(url, files={"file": (NAME, BOM.encode())}, headers=h)
    by_text = c.post(url, files={"bom": (None, BOM), "filename": (None, NAME)}, headers=h)
    assert by_file.status_code == by_text.status_code == 200
    assert by_file.content == by_text.content and by_file.content.count(b"\n") > 2
    side = c.post(
        "/api/v1/bom/exposure.csv.provenance.json",
        files={"file": (NAME, BOM.encode())},
        headers=h,
    ).json()
    assert side["parameters"]["bom_sha256"] == hashlib.sha256(BOM.encode()).hexdigest()
    both = c.post(url, files={"file": (NAME, BOM.encode()), "bom": (None, BOM)}, headers=h)
    assert both.status_code == 400 and both.json()["field"] == "bom"


def test_a_windows_file_keeps_its_checksum(app):
    """A file with CRLF line breaks and a byte-order mark: the page holds its text, the
    browser sends CRLF; the provenance names the SHA-256 of the file's own bytes, which the
    route checks against the text (a checksum of other bytes is not taken)."""
    c = TestClient(app)
    data = codecs.BOM_UTF8 + BOM.replace("\n", "\r\n").encode()
    sha = hashlib.sha256(data).hexdigest()
    fields, buttons = _download_form(_page(c, data).text)
    assert fields["sha256"] == sha and fields["bom"] == BOM
    url = buttons["download-bom-materials-provenance"]
    assert _submit(c, url, fields).json()["parameters"]["bom_sha256"] == sha
    forged = fields | {"sha256": "0" * 64}
    text_sha = hashlib.sha256(BOM.encode()).hexdigest()  # the text's own, with LF
    assert _submit(c, url, forged).json()["parameters"]["bom_sha256"] == text_sha


BAD = BOM.replace("mass_kg: 4,", "mass_kg: -4,")


def test_a_bad_or_large_bom_gets_the_json_routes_answer(app):
    c = TestClient(app)
    h = csrf_headers(c)
    max_bom = app.state.settings.max_bom_bytes

    def both(data: bytes, name: str = NAME, **params: str):
        files = {"file": (name, data)}
        want = c.post("/api/v1/bom/exposure", files=files, params=params, headers=h)
        got = c.post("/api/v1/bom/exposure.xlsx", files=files, params=params, headers=h)
        return want, got

    for data, status in (
        (BAD.encode(), 422),  # fails validation: the reason and where
        (b"tin: [1", 422),  # not YAML
        ("é".encode("latin-1"), 422),  # not UTF-8
        (b"   \n", 422),  # empty
        (b"#" * (max_bom + 1), 413),  # the file over the limit (the body within it)
        (b"#" * (3 * max_bom), 413),  # the body over the limit: the guard's answer
    ):
        want, got = both(data)
        assert want.status_code == got.status_code == status, got.text[:300]
        assert got.json() == want.json()
    want, got = both(BOM.encode(), supply="usgs")  # no USGS data in the starter pack
    assert want.status_code == got.status_code == 409 and got.json() == want.json()
    want = c.post("/api/v1/bom/exposure", files={"file": (NAME, BAD.encode())}, headers=h)
    assert (want.json()["file"], want.json()["line"]) == (NAME, 15)  # copper's line
    # the same answer for the BOM's text, as the page's form sends it
    form = {"bom": (None, BAD.replace("\n", "\r\n")), "filename": (None, NAME)}
    got = c.post("/api/v1/bom/exposure.csv", files=form, headers=h)
    assert got.status_code == 422 and got.json() == want.json()
    big = {"bom": (None, "#" * (max_bom + 1)), "filename": (None, NAME)}
    got = c.post("/api/v1/bom/exposure.csv", files=big, headers=h)
    assert got.status_code == 413 and got.json()["detail"] == "the file is larger than 1 MB"
    # not a form at all: as the JSON route
    want = c.post("/api/v1/bom/exposure", json={"bom": BOM}, headers=h)
    got = c.post("/api/v1/bom/exposure.csv", json={"bom": BOM}, headers=h)
    assert want.status_code == got.status_code == 400 and got.json() == want.json()


def test_no_csrf_token_is_403(app):
    c = TestClient(app)
    fields, buttons = _download_form(_page(c, BOM.encode()).text)
    url = buttons["download-bom-materials-csv"]
    assert _submit(c, url, fields).status_code == 200
    for sent in (
        {k: v for k, v in fields.items() if k != "csrf_token"},
        fields | {"csrf_token": "x.y"},
    ):
        r = _submit(c, url, sent)
        assert (r.status_code, r.json()["code"]) == (403, "csrf_failed"), r.text
    # another client (no cookie) cannot replay the page's token
    r = _submit(TestClient(app), url, fields)
    assert (r.status_code, r.json()["code"]) == (403, "csrf_failed")


def test_a_saved_upload_links_its_stored_copy_instead(tmp_path: Path, monkeypatch):
    """Uploaded and saved by an analyst: the page links the saved BOM's downloads (no form)."""
    application = web_app(tmp_path, monkeypatch, {"alice": "analyst"})
    alice = signed_in(application, "alice")
    page = _page(alice, BOM.encode(), save="1", save_name="mine")
    assert page.status_code == 200 and 'id="bom-saved"' in page.text
    assert 'id="bom-upload-download"' not in page.text
    link = re.search(r'id="download-bom-materials-csv" href="([^"]+)"', page.text)[1]
    assert "saved=" in link and alice.get(html.unescape(link)).status_code == 200


def test_the_download_is_in_the_openapi(app):
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    op = paths["/api/v1/bom/exposure.{fmt}"]["post"]
    props = op["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"file", "bom", "filename", "sha256"} <= set(props)
    assert {p["name"] for p in op["parameters"]} == {"fmt", "supply", "table"}
