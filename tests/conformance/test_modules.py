"""The conformance suite: one set of checks run over every registered module.

As ibis runs one test suite over every backend, this file runs over every module the registry
finds (``ketenradar.core.modules.modules()``): the built-in ones and any installed module (the
worked example ``tests/fixtures/tiny_module`` passes it too: test_tiny_module.py). A new
module gets every check below by registering:

- its declaration loads (CLI, routers, derive, quickstart, folders, docs pages);
- its fact tables derive on the starter store (the real sources the shipped pack is built
  from), each attributed and described, with every column in its column schema;
- every page answers 200 in ``nl`` and ``en`` and every JSON GET route 200;
- every label of its column schema and its title exist in both languages;
- every CLI command it adds is in the generated CLI reference and the user guide;
- its JSON errors come in the one envelope.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import require_shared
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ketenradar.core import modules as registry
from ketenradar.core.modules import Module
from ketenradar.results import starter

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
MODULES = registry.modules()
IDS = [m.name for m in MODULES]


@pytest.fixture(scope="session")
def starter_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the real sources of the starter pack (fails under CI when missing)."""
    shared = require_shared()
    store = tmp_path_factory.mktemp("conformance") / "starter store"
    starter.load_sources(shared, store)
    return store


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    from ketenradar.interfaces.web.app import create_app
    from ketenradar.interfaces.web.settings import WebSettings

    data_dir = tmp_path_factory.mktemp("conformance-web") / "store"
    return TestClient(create_app(settings=WebSettings.from_env(data_dir)))


def _routes(module: Module) -> list[APIRoute]:
    return [r for ref in module.routers for r in module.load(ref).routes if isinstance(r, APIRoute)]


def _fill(module: Module, path: str, lang: str = "en") -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        if name == "lang":
            return lang
        assert name in module.examples, (
            f"module {module.name}: route {path} needs an example for '{name}' (Module.examples)"
        )
        return module.examples[name]

    return re.sub(r"\{([^}]+)\}", value, path)


def _commands(module: Module) -> list[str]:
    """The command paths (``materials criticality``) the module adds to the root command."""
    app = typer.Typer()
    if module.cli:
        module.load(module.cli)(app)
    group = (
        typer.main.get_command(app) if (app.registered_commands or app.registered_groups) else None
    )
    if group is None:
        return []
    out: list[str] = []

    def walk(cmd: Any, prefix: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*prefix, name])
        else:
            out.append(" ".join(prefix))

    if len(app.registered_commands) == 1 and not app.registered_groups:
        # Typer collapses a one-command app into that command
        return [app.registered_commands[0].name or app.registered_commands[0].callback.__name__]
    walk(group, [])
    return out


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_declaration_loads(module: Module):
    assert re.fullmatch(r"[a-z][a-z0-9_]*", module.name)
    for ref in (module.cli, module.derive, module.quickstart, *module.routers):
        if ref:
            assert module.load(ref) is not None, ref
    for folder in (module.templates, module.static, module.messages):
        path = module.folder(folder)
        assert path is None or path.is_dir(), f"{module.name}: no folder {path}"
    for page in module.doc_paths(DOCS):
        assert page.is_file(), f"{module.name}: docs page {page} is missing"
    assert len({t.name for t in module.facts}) == len(module.facts)


@pytest.mark.realdata
@pytest.mark.parametrize(
    "module", [m for m in MODULES if m.facts], ids=[m.name for m in MODULES if m.facts]
)
def test_facts_derive_on_the_starter_store(module: Module, starter_store: Path):
    derived = starter.derive(
        starter_store, years=[2022], io_year=2022, strict=True, modules=[module.name]
    )
    assert set(derived.tables) == {t.name for t in module.facts}
    for table in module.facts:
        df = derived.tables[table.name]
        assert len(df) > 0, table.name
        assert df["source"].notna().all() and (df["licence"].astype(str) != "").all()
        assert derived.descriptions[table.name].strip()
        assert derived.used[table.name], f"{table.name} names no dataset"
        schema = {c.name for c in table.columns}
        undocumented = [c for c in df.columns if c not in schema | {"source", "licence"}]
        assert not undocumented, (
            f"{module.name}: columns of {table.name} without a column schema entry: {undocumented}"
        )
        stale = schema - set(df.columns)
        assert not stale, f"{module.name}: {table.name} declares columns it lacks: {stale}"


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_column_schema_is_complete(module: Module):
    for table in module.facts:
        for col in table.columns:
            assert col.label and col.description, f"{table.name}.{col.name}: label, description"


@pytest.mark.parametrize("module", MODULES, ids=IDS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_answers_in_both_languages(module: Module, lang: str, client: TestClient):
    pages = [r for r in _routes(module) if "GET" in r.methods and r.path.startswith("/{lang}")]
    assert pages or not module.nav, f"{module.name} has nav entries but no pages"
    for route in pages:
        url = _fill(module, route.path, lang)
        res = client.get(url)
        assert res.status_code == 200, f"{url}: {res.status_code} {res.text[:300]}"
        assert f'lang="{lang}"' in res.text
    for entry in module.nav:
        res = client.get(f"/{lang}/{entry.path}")
        assert res.status_code == 200, f"nav /{lang}/{entry.path}: {res.status_code}"


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_every_json_get_route_answers(module: Module, client: TestClient):
    for route in _routes(module):
        if "GET" not in route.methods or route.path.startswith("/{lang}"):
            continue
        url = _fill(module, route.path)
        res = client.get(url)
        assert res.status_code == 200, f"{url}: {res.status_code} {res.text[:300]}"


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_cli_commands_are_documented(module: Module):
    """A built-in module's commands are in the CLI reference and the user guide; an installed
    module's in its own docs pages."""
    if module.builtin:
        reference = (DOCS / "cli.md").read_text()
        guide = (DOCS / "guide.md").read_text()
    else:
        reference = guide = "\n".join(p.read_text() for p in module.doc_paths(DOCS))
    for command in _commands(module):
        assert f"ketenradar {command}" in reference, f"`ketenradar {command}` not in docs/cli.md"
        assert f"`{command}" in guide or f"ketenradar {command}" in guide, (
            f"`ketenradar {command}` not in docs/guide.md"
        )


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_every_message_key_exists_in_both_languages(module: Module):
    """The module's title, navigation labels and column labels, and every key its templates
    use (``t('…')``, ``_('…')``), have a text in Dutch and in English, and its own catalog
    defines them in both languages alike."""
    from ketenradar.interfaces.web.i18n import LANGUAGES, SHELL_MESSAGES, catalogs

    texts = catalogs().texts
    keys = {module.title, *(e.label for e in module.nav)}
    keys |= {c.label for t in module.facts for c in t.columns}
    folder = module.folder(module.templates)
    if folder is not None:
        for page in folder.rglob("*.html"):
            keys |= set(re.findall(r"""\b(?:t|_)\(\s*['"]([\w.-]+)['"]\s*\)""", page.read_text()))
    for lang in LANGUAGES:
        missing = sorted(k for k in keys if not texts.get(lang, {}).get(k))
        assert not missing, f"{module.name}: no {lang} text for {missing}"
    # a key comes from the module's own catalog, the shell's or a required module's: a module
    # does not borrow texts from a module it does not declare
    where = catalogs().where["en"]
    allowed = {module.folder(module.messages)} | {
        registry.get(r).folder(registry.get(r).messages) for r in module.requires
    }
    allowed |= {Path(str(SHELL_MESSAGES))}
    borrowed = sorted(k for k in keys if where[k][0].parent not in allowed)
    assert not borrowed, f"{module.name}: keys from another module's catalog: {borrowed}"
    own = module.folder(module.messages)
    if own is not None:
        defined = {
            lang: set(re.findall(r'^msgid "(.+)"$', (own / f"{lang}.po").read_text(), re.M))
            for lang in LANGUAGES
        }
        assert defined["nl"] == defined["en"], f"{module.name}: nl and en define other keys"


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_its_errors_come_in_the_one_envelope(module: Module, client: TestClient):
    """Every route of the module with a path parameter, asked for something that does not exist
    (and every JSON GET route given an unknown query value), answers an error in the one
    envelope: JSON under /api/, the error page elsewhere, with the status the code has."""
    from ketenradar.core.errors import ErrorCode
    from ketenradar.interfaces.web.errors import ErrorBody

    keys = set(ErrorBody.model_fields)
    checked = 0
    for route in _routes(module):
        if "GET" not in route.methods:
            continue
        names = [n.split(":")[0] for n in re.findall(r"\{([^}]+)\}", route.path)]
        names = [n for n in names if n != "lang"]
        if not names:
            continue
        url = _fill(module, route.path)
        bad = url.replace(module.examples[names[-1]], "zz-nonexistent-zz", 1)
        res = client.get(bad)
        assert res.status_code >= 400, f"{bad}: {res.status_code}"
        checked += 1
        if route.path.startswith("/api/"):
            body = res.json()
            assert set(body) == keys, f"{bad}: {sorted(body)}"
            assert body["status"] == res.status_code and ErrorCode(body["code"])
        else:
            assert 'id="error-code"' in res.text, f"{bad}: no error page"
    if module.examples:
        assert checked, f"{module.name}: examples given but no route with a path parameter"
