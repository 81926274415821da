"""Hostile input gets a 4xx in the one error shape, never a 5xx.

First the server errors found by hand (each a regression test): a BOM with a 5,000-digit
number, one with a number too large for a float, a what-if whose name or description holds a
lone surrogate, a what-if number Python will not convert, non-UTF-8 BOM files on the web and
on the command line. Then property tests (hypothesis) that send every write endpoint of the
application — as an admin and anonymously — random and hostile bodies: huge numbers,
surrogates, control characters, deep nesting, odd file names and file contents, broken JSON
and multipart; every answer must be below 500 and, on the API, the one error body
(:class:`~ketenradar.interfaces.web.errors.ErrorBody`)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import csrf_headers
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ketenradar.core.errors import DataError
from ketenradar.interfaces.cli.app import app as cli
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.errors import ErrorBody
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import service

PASSWORD = "correct horse battery staple"

BOM = """system: Test system
unit: mass_kg
illustrative: true
sources:
  - {id: s1, citation: "a source"}
materials:
  - {material: tin, mass_kg: AMOUNT, source: s1}
"""


def _app():
    data = Path(tempfile.mkdtemp(prefix="ketenradar-fuzz-"))
    application = create_app(settings=WebSettings.from_env(data))
    service.create_user(application.state.accounts, "ann", PASSWORD, "admin")
    return application


APP = _app()


def _client(username: str | None) -> tuple[TestClient, dict[str, str]]:
    c = TestClient(APP)
    if username:
        r = c.post(
            "/api/v1/login",
            json={"username": username, "password": PASSWORD},
            headers=csrf_headers(c),
        )
        assert r.status_code == 200
    return c, csrf_headers(c)


@pytest.fixture(scope="module")
def admin() -> tuple[TestClient, dict[str, str]]:
    return _client("ann")


@pytest.fixture(scope="module")
def anon() -> tuple[TestClient, dict[str, str]]:
    return _client(None)


def assert_error_shape(r, where: object) -> None:
    """Below 500; an API error is the one error body, its status the answer's (pages answer
    with the error page)."""
    assert r.status_code < 500, (where, r.status_code, r.text[:800])
    if r.status_code >= 400 and r.request.url.path.startswith("/api/"):
        body = ErrorBody.model_validate(r.json())
        assert body.status == r.status_code, (where, body)


def _upload_bom(c: TestClient, h: dict[str, str], data: bytes, name: str = "bom.yaml"):
    return c.post("/api/v1/bom/exposure", files={"file": (name, data)}, headers=h)


# --- the server errors found by hand ----------------------------------------------------------


def test_bom_with_a_5000_digit_number_is_a_422_naming_the_line(anon):
    c, h = anon
    r = _upload_bom(c, h, BOM.replace("AMOUNT", "9" * 5000).encode())
    assert r.status_code == 422 and (r.json()["file"], r.json()["line"]) == ("bom.yaml", 7)
    assert r.json()["detail"] == (
        "bom.yaml, line 7: not valid YAML: a number of 5,000 characters is too long "
        "(at most 4,300 digits)"
    )
    bom = BOM.replace("AMOUNT", "9" * 5000).encode()
    r = c.post("/en/bom", files={"file": ("bom.yaml", bom)}, headers=h)
    assert r.status_code == 422 and "a number of 5,000 characters is too long" in r.text


def test_bom_with_a_number_too_large_for_a_float_is_a_422(anon):
    c, h = anon
    r = _upload_bom(c, h, BOM.replace("AMOUNT", "1" + "0" * 400).encode())
    assert r.status_code == 422 and r.json()["field"] == "mass_kg", r.text
    assert "mass_kg must be finite, got a 401-digit number" in r.json()["detail"]


@pytest.mark.parametrize("field", ["name", "description"])
def test_whatif_text_with_a_lone_surrogate_is_a_422(anon, field: str):
    c, h = anon
    doc = {"name": "x", "changes": [{"wgi": {"country": "MMR", "estimate": -2.5}}]}
    doc[field] = "tin \ud800 shock"
    r = c.post(
        "/api/v1/materials/whatif",
        content=json.dumps(doc).encode(),  # ensure_ascii: the surrogate travels as \\ud800
        headers={**h, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == (
        f"field 'body.{field}': the text holds a lone surrogate (U+D800), which is not valid "
        "Unicode"
    )


def test_whatif_numbers_python_will_not_read_are_a_422(anon):
    c, h = anon
    for raw, needle in (
        (
            b'{"name": "x", "changes": [{"wgi": {"country": "MMR", "estimate": '
            + b"9" * 5000
            + b"}}]}",
            "a number has more than 4,300 digits",
        ),
        (b'{"name": "x", "changes": NaN}', "NaN is not a number JSON allows"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"name": "\xff"}', "not UTF-8 text"),
    ):
        r = c.post(
            "/api/v1/materials/whatif",
            content=raw,
            headers={**h, "Content-Type": "application/json"},
        )
        assert r.status_code == 422 and needle in r.json()["detail"], r.text


def test_non_utf8_bom_is_a_clear_data_error_on_the_web_and_the_cli(anon, tmp_path: Path):
    latin1 = BOM.replace("Test system", "Système").replace("AMOUNT", "1").encode("latin-1")
    c, h = anon
    r = _upload_bom(c, h, latin1)
    assert r.status_code == 422 and "not UTF-8 text" in r.json()["detail"], r.text
    assert (r.json()["file"], r.json()["line"]) == ("bom.yaml", 1)
    f = tmp_path / "latin1.yaml"
    f.write_bytes(latin1)
    res = CliRunner().invoke(cli, ["bom", "exposure", str(f)])
    assert res.exit_code == DataError.exit_code, res.output
    out = " ".join(res.output.split())
    assert "latin1.yaml, line 1: not UTF-8 text (byte 12: 0xe8); save the file as UTF-8" in out


# --- property tests: every write endpoint ------------------------------------------------------

SURROGATES = st.characters(categories=["Cs"])
CONTROLS = st.characters(categories=["Cc"])
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.one_of(SURROGATES, CONTROLS, st.characters()), min_size=1, max_size=40),
    st.sampled_from(
        [
            "",
            "\ud800",
            "a\udfffb",
            "\x00",
            "\x1b[31mred",
            "../../etc/passwd",
            "%00",
            "😀",
            "tin",
            "CHN",
            "x" * 5000,
        ]
    ),
)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([-1, 0, 1.5, 1e308, -1e308, 5e-324]),
)
KEYS = st.one_of(
    st.sampled_from(
        [
            *("name", "description", "changes", "export_restriction", "shift", "wgi"),
            *("recycling", "parameters", "material", "country", "t", "estimate", "from"),
            *("to", "share", "rate", "username", "password", "role", "body", "private"),
            *("release", "hs", "economy", "supplier", "industries", "fall", "kind", "source"),
        ]
    ),
    ODD_TEXT,
)
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, ODD_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)
CHANGE = st.dictionaries(
    st.sampled_from(["export_restriction", "shift", "wgi", "recycling", "parameters"]),
    st.dictionaries(KEYS, st.one_of(NUMBERS, ODD_TEXT, VALUES), max_size=5),
    min_size=1,
    max_size=1,
)
WHATIF = st.fixed_dictionaries(
    {"name": ODD_TEXT, "changes": st.lists(CHANGE, max_size=3)},
    optional={"description": ODD_TEXT},
)
RAW_BODIES = st.sampled_from(
    [
        b"",
        b"{",
        b"null",
        b"[" * 50_000,
        b'{"a": ' + b"9" * 5000 + b"}",
        b'{"a": NaN, "b": Infinity}',
        b"\xff\xfe\x00",
        b"\xef\xbb\xbf{}",
        b'{"name": "\xed\xa0\x80"}',  # a surrogate in raw UTF-8 bytes
    ]
)


def _dumps(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode()  # ensure_ascii: surrogates as \\ud800


JSON_BODIES = st.one_of(VALUES.map(_dumps), WHATIF.map(_dumps), RAW_BODIES)

YAML_TEXTS = st.one_of(
    st.sampled_from(
        [
            BOM.replace("AMOUNT", "9" * 5000),
            BOM.replace("AMOUNT", "1" + "0" * 400),
            BOM.replace("AMOUNT", ".inf"),
            BOM.replace("AMOUNT", "-1"),
            BOM.replace("AMOUNT", "1e999"),
            BOM.replace("AMOUNT", "'x'"),
            BOM.replace("AMOUNT", "[" * 5000),
            BOM.replace("Test system", "\x00\x07"),
            BOM.replace("tin", "\ud800"),
            "a: &a [x, x]\nb: &b [*a, *a]\nc: *b\n",
            "- " * 2000,
            "",
        ]
    ),
    st.text(max_size=200),
    st.text(st.one_of(SURROGATES, CONTROLS, st.characters()), max_size=60),
)
FILE_BYTES = st.one_of(
    YAML_TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
)
FILE_NAMES = st.one_of(
    st.sampled_from(
        ["..", ".", "", "a/../..", "x" * 300, "é" * 200, "con", "a\x00b", "\ud800.yaml", " "]
    ),
    ODD_TEXT,
)


def _write_routes() -> list[tuple[str, str]]:
    out = set()
    for rc in iter_route_contexts(APP.routes):
        for method in (rc.methods or set()) - {"GET", "HEAD"}:
            out.add((method, rc.path))
    # signing out would end the session the admin cases share
    return sorted(r for r in out if not r[1].endswith("/logout"))


WRITE_ROUTES = _write_routes()
MULTIPART = {"/api/v1/bom/exposure": "file", "/{lang}/bom": "file", "/api/v1/datasets": "files"}


def _path(template: str, lang: str, value: str) -> str:
    """``template`` with its language and every other parameter filled in (``value``,
    percent-encoded; never the admin's own user name, which the admin cases need)."""
    template = template.replace("{lang}", lang)
    for name in ("kind", "item_id", "job_id", "name", "username"):
        filled = "x" if name == "username" and value == "ann" else value
        encoded = quote(filled.encode("utf-8", "replace"), safe="")
        template = template.replace("{" + name + "}", encoded)
    return template


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate as its raw bytes


def _send(c: TestClient, h: dict[str, str], method: str, template: str, draw) -> object:
    param = draw(st.one_of(st.sampled_from(["scenario", "bom", "1", "0", "x"]), ODD_TEXT))
    path = _path(template, draw(st.sampled_from(["en", "nl"])), param)
    if template in MULTIPART:
        field = MULTIPART[template]
        files = [
            (field, (draw(FILE_NAMES).encode("utf-8", "replace").decode(), draw(FILE_BYTES)))
            for _ in range(draw(st.integers(1, 3)))
        ]
        data = {k: draw(ODD_TEXT).encode("utf-8", "replace").decode() for k in ("source", "save")}
        return c.request(method, path, files=files, data=data, headers=h)
    if not template.startswith("/api/"):  # a page form
        fields = draw(st.dictionaries(KEYS, ODD_TEXT, max_size=5))
        pairs = [(_raw(k), _raw(v)) for k, v in fields.items()]
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
        headers = {**h, "Content-Type": "application/x-www-form-urlencoded"}
        return c.request(method, path, content=body.encode(), headers=headers)
    headers = {**h, "Content-Type": "application/json"}
    return c.request(method, path, content=draw(JSON_BODIES), headers=headers)


#: Under CI the examples are derandomised (the same every run: a red CI means a code change);
#: elsewhere each run explores new ones.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize(("method", "template"), WRITE_ROUTES)
@FUZZ
@given(data=st.data())
def test_hostile_bodies_never_cause_a_server_error(admin, anon, method, template, data):
    # an admin's fetch with valid parameters would download from CEPII: anonymous only there
    for c, h in (anon,) if template.endswith("/fetch") else (admin, anon):
        r = _send(c, h, method, template, data.draw)
        assert_error_shape(r, (method, template))


@FUZZ
@given(doc=WHATIF)
def test_whatif_documents_never_cause_a_server_error(anon, doc):
    c, h = anon
    r = c.post(
        "/api/v1/materials/whatif",
        content=_dumps(doc),
        headers={**h, "Content-Type": "application/json"},
    )
    assert_error_shape(r, doc)


@FUZZ
@given(text=YAML_TEXTS, name=FILE_NAMES)
def test_bom_files_never_cause_a_server_error(anon, text, name):
    c, h = anon
    data = text.encode("utf-8", "surrogatepass")
    r = _upload_bom(c, h, data, name.encode("utf-8", "replace").decode())
    assert_error_shape(r, (name, text[:200]))
