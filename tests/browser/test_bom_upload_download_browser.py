"""An uploaded (not saved) BOM's "download all rows" in a real browser: the page's download
buttons are submit buttons of a hidden form (no script) that posts the file's text back with
the page's CSRF token; the browser saves the answer and stays on the page.

The file is a Windows one (CRLF line breaks, a UTF-8 byte-order mark): the browser reads the
text into the page and posts it with CRLF, and the provenance still names the SHA-256 of the
file's own bytes.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
from conftest import HAND_BOM as TOY


def test_an_uploaded_bom_downloads_without_a_script(page, base_url, tmp_path: Path):
    data = codecs.BOM_UTF8 + TOY.replace("\n", "\r\n").encode()
    sha = hashlib.sha256(data).hexdigest()
    f = tmp_path / "windows radar.yaml"
    f.write_bytes(data)
    page.goto(f"{base_url}/en/bom")
    page.set_input_files("#bom-upload input[name=file]", str(f))
    page.click("#bom-upload button")
    page.wait_for_selector("#bom-result")
    url = page.url
    box = page.locator("#download-bom-countries-downloads")
    box.scroll_into_view_if_needed()
    assert "Download all rows" in box.inner_text()
    files = {}
    for key in ("csv", "xlsx", "parquet", "provenance"):
        with page.expect_download() as dl:
            page.click(f"#download-bom-countries-{key}")
        files[key] = Path(dl.value.path())
        files[f"{key}_name"] = dl.value.suggested_filename
    assert page.url == url and page.is_visible("#bom-result")  # the page stayed
    assert files["csv_name"] == "bom_upload_windows-radar_eu_crm_countries.csv"
    # what the JSON route answers for the same file
    token = page.get_attribute("meta[name=csrf-token]", "content")
    want = page.request.post(
        f"{base_url}/api/v1/bom/exposure",
        multipart={"file": {"name": f.name, "mimeType": "application/x-yaml", "buffer": data}},
        headers={"X-CSRF-Token": token},
    ).json()
    countries = pd.DataFrame(want["countries"])
    csv = pd.read_csv(files["csv"])
    assert list(csv["country"]) == list(countries["country"]) and len(csv) > 1
    pd.testing.assert_series_equal(
        csv["exposure_all"], countries["exposure_all"], check_names=False, rtol=1e-11
    )
    xlsx = io.BytesIO(files["xlsx"].read_bytes())
    assert {"materials", "countries", "summary", "provenance"} <= set(
        openpyxl.load_workbook(xlsx).sheetnames
    )
    assert len(pd.read_excel(xlsx, sheet_name="materials")) == len(want["materials"])
    parquet = pq.read_table(files["parquet"])
    assert parquet.num_rows == len(countries)
    for prov in (
        json.loads(parquet.schema.metadata[b"ketenradar.provenance"]),
        json.loads(files["provenance"].read_text("utf-8")),
    ):
        assert prov["parameters"]["uploaded_bom"] == f.name
        assert prov["parameters"]["bom_sha256"] == sha  # the file's own bytes
    assert page.errors == [] and page.external == []
