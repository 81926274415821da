"""Names from users and files printed by the CLI as they are: an output path, a dataset's
release label, a bill of materials' system name, a user name, table cells. Rich read ``[/x]``
in them as a closing tag (a crash, after the file had been written) and ``[link=…]`` as a
hyperlink (the text vanished). Real ``ketenradar`` processes, real stores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared
from test_wgi_wmd import write_wgi_csv

from ketenradar import api

#: a closing tag without its opening one (MarkupError), a link (hidden), a colour escape
EVIL = "[/x] [link=http://x]click[/link] \x1b[31mred"
SHOWN = "[/x] [link=http://x]click[/link] \\x1b[31mred"  # the escape made visible


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``ketenradar ARGS`` as a real process, colour forced on as on a terminal (Rich renders
    markup, links and styles as escape sequences then)."""
    base = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "250"}
    for k in ("KETENRADAR_DATA_DIR", "KETENRADAR_DEBUG", "NO_COLOR"):
        base.pop(k, None)
    return subprocess.run(
        [sys.executable, "-m", "ketenradar", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _ok(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def crm_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the real EU CRM and WGI data (what criticality and BOMs need)."""
    shared = require_shared()
    d = tmp_path_factory.mktemp("crm") / "store"
    api.add_dataset("eu_crm", [shared / "eu_crm"], data_dir=d)
    api.add_dataset(
        "wgi", [shared / "wgi" / "2020_Worldwide_Governance_Indicators_1996-2019.csv"], data_dir=d
    )
    return d


@pytest.mark.parametrize("name", ["a[/x]b.csv", "a[link=http://x]b.csv"], ids=["close", "link"])
def test_output_path_with_markup_is_printed_as_it_is(tmp_path: Path, name: str) -> None:
    target = Path(f"{tmp_path}/{name}")  # "http://x" makes a folder "a[link=http:"
    target.parent.mkdir(parents=True, exist_ok=True)
    out = _ok(_run("materials", "list", "--format", "csv", "--output", str(target)))
    assert target.is_file()
    assert f"wrote {target} (" in out, out


def test_html_report_path_with_markup(tmp_path: Path, crm_store: Path) -> None:
    target = tmp_path / "crit[/x]ical.html"
    out = _ok(
        _run(
            "--data-dir",
            str(crm_store),
            "materials",
            "criticality",
            "--format",
            "html",
            "--output",
            str(target),
        )
    )
    assert target.is_file()
    assert f"wrote {target}\n" in out, out


def test_bom_system_name_with_markup(tmp_path: Path, crm_store: Path) -> None:
    from ketenradar.modules.materials.bom import packaged_boms

    text = Path(packaged_boms()["mri_scanner"]).read_text()
    system = next(ln for ln in text.splitlines() if ln.startswith("system:"))
    bom = tmp_path / "bom.yaml"
    bom.write_text(text.replace(system, f'system: "{EVIL}"'.replace("\x1b", "\\e")))
    out = _ok(_run("--data-dir", str(crm_store), "bom", "exposure", str(bom), "--table", "summary"))
    assert f"system\x1b[0m: {SHOWN}\n" in out, out  # the key is bold, the value as it is


def test_data_list_shows_names_and_releases_as_they_are(tmp_path: Path) -> None:
    empty = tmp_path / "st[/x]ore"
    out = _ok(_run("--data-dir", str(empty), "data", "list"))
    assert f"No datasets in {empty}." in out, out
    store = tmp_path / "store"
    api.add_dataset("wgi", [write_wgi_csv(tmp_path)], data_dir=store, release=EVIL)
    out = _ok(_run("--data-dir", str(store), "data", "list"))
    assert SHOWN in out, out
    assert "\x1b]8;" not in out  # no hyperlink


def test_users_list_shows_a_legacy_user_name_as_it_is(tmp_path: Path) -> None:
    """A name from before the user-name rules (or written by hand into the database)."""
    from ketenradar.interfaces.web.settings import WebSettings
    from ketenradar.registry import db
    from ketenradar.registry.models import User

    data = tmp_path / "data"
    url = WebSettings.from_env(data).database_url
    db.upgrade(url)
    with db.sessions(url)() as s:
        s.add(User(username="[/x]old", password_hash="-", role="viewer", active=True))
        s.commit()
    out = _ok(_run("--data-dir", str(data), "users", "list"))
    assert "[/x]old" in out, out


def test_table_cells_and_titles_are_not_markup() -> None:
    """The tables of ``materials``, ``bom`` and ``io`` commands (``emit``): cells from files
    and a title naming the user's economy."""
    from ketenradar.interfaces.cli.app import out
    from ketenradar.interfaces.cli.common import emit as _emit

    df = pd.DataFrame({"country": [EVIL, "NLD"], "share": [0.5, 0.25]})
    with out.capture() as cap:
        _emit(df, "table", None, sheet="x", columns=["country", "share"], title=f"of {EVIL}")
    text = cap.get()
    assert text.count("[/x] [link=http://x]click[/link]") == 2, text
    assert "0.500" in text and "\x1b[31m" not in text
