"""YAML that cannot hang the parser (``ketenradar.core.safe_yaml``), and every loader that uses it:
what-if scenarios (``materials criticality --scenario``), supply-shock scenarios (``io shock
--scenario``) and country groups. BOMs are tested in ``test_bom.py``."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_eu_crm_and_cli import write_crm
from typer.testing import CliRunner

from ketenradar.core.errors import DataError
from ketenradar.core.groups import GroupRegistry
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.core.settings import Settings
from ketenradar.datasets import DataStore
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.io.shock import load_scenarios
from ketenradar.modules.materials.scenario import load_scenario
from ketenradar.sources.tables import ParsedSource, write_tables_dataset

#: CPU seconds a refusal may take; the documents below would take hours (or forever) to build.
#: CPU time, not wall time, so that a loaded machine (CI runners, parallel jobs) does not fail
#: the test; the first call's imports count, hence the margin.
QUICK = 5.0


def alias_bomb(levels: int = 9, top: str = "") -> str:
    """``top`` plus a few hundred bytes whose aliases expand to 10^levels nodes."""
    out = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels + 1):
        out.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    return top + "\n".join(out) + "\n"


RECURSIVE = "a: &a [1, *a]\n"
DEEP = "a: " + "[" * 3000 + "]" * 3000 + "\n"

REFUSED = [
    pytest.param(alias_bomb(), "expands to more than 500,000 nodes", id="alias-bomb"),
    pytest.param(RECURSIVE, "recursive alias", id="recursive"),
    pytest.param(DEEP, "nested too deeply", id="deep"),
]


def _refused(call, *args, **kwargs) -> DataError:
    """The :class:`DataError` ``call`` raises, checking that it came quickly."""
    start = time.process_time()
    with pytest.raises(DataError) as err:
        call(*args, **kwargs)
    assert time.process_time() - start < QUICK
    return err.value


# --------------------------------------------------------------------------------------------
# load_yaml by hand


def test_a_normal_document_loads_like_safe_load() -> None:
    text = "name: tin\nchanges:\n  - {shift: {material: tin, share: 0.5}}\nyears: [2022, 2023]\n"
    assert load_yaml(text) == yaml.safe_load(text)
    assert load_yaml("") is None and load_yaml("# only a comment\n") is None


def test_aliases_are_counted_as_often_as_they_are_used() -> None:
    # {a: [1, 2], b: *x}: the mapping, two keys, and the list (3 nodes) twice = 9 nodes
    text = "a: &x [1, 2]\nb: *x\n"
    assert load_yaml(text, max_nodes=9) == {"a": [1, 2], "b": [1, 2]}
    with pytest.raises(DataError, match="expands to more than 8 nodes"):
        load_yaml(text, max_nodes=8)


def test_reuse_within_the_limit_is_fine() -> None:
    doc = load_yaml(alias_bomb(levels=4))  # 10^5 x's in a4, below 500,000 nodes in all
    assert len(doc["a4"]) == 10 and doc["a4"][9][9][9][9] == ["x"] * 10
    assert Settings.model_fields["max_yaml_nodes"].default == 500_000


@pytest.mark.parametrize(("text", "needle"), REFUSED)
def test_documents_that_would_explode_are_refused_quickly(text: str, needle: str) -> None:
    assert len(text) < 10_000
    err = _refused(load_yaml, text, file="in.yaml")
    assert err.file == "in.yaml" and needle in str(err), str(err)
    assert str(err).startswith("in.yaml: ")


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3, "expected ',' or ']'"),
        ("a: 1\n  b: 2\n", 2, "mapping values are not allowed here"),
        ("a: 1\nb: 2\x00\n", 2, "unacceptable character"),  # refused by the reader
        ("a: 1\n---\nb: 2\n", 2, "another document"),  # one document only
    ],
)
def test_syntax_errors_name_the_file_and_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(DataError) as err:
        load_yaml(text, file="in.yaml")
    assert err.value.line == line and err.value.file == "in.yaml"
    assert f"in.yaml, line {line}: not valid YAML: " in str(err.value)
    assert needle in str(err.value)
    with pytest.raises(DataError, match=r"^x\.json, line 1: not valid JSON: "):
        load_yaml('{"a": [1}', file=Path("x.json"), kind="JSON")


def test_the_given_loader_builds_the_document() -> None:
    class Upper(yaml.SafeLoader):
        """Strings in capitals."""

    Upper.add_constructor(
        "tag:yaml.org,2002:str", lambda loader, node: loader.construct_scalar(node).upper()
    )
    assert load_yaml("a: [b, c]\n", loader=Upper) == {"A": ["B", "C"]}
    with pytest.raises(DataError, match="expands to more than"):
        load_yaml(alias_bomb(), loader=Upper)  # the checks run whatever the loader
    with pytest.raises(TypeError):
        load_yaml("a: 1\n", loader=yaml.UnsafeLoader)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# What-if scenarios: load_scenario and `materials criticality --scenario`


def _refusals(tmp_path: Path, top: str, suffix: str = ".yaml") -> list[tuple[Path, str]]:
    """Files that start as a valid document (``top``) and then explode, nest themselves or
    nest too deeply, each with the words its refusal must contain."""
    out = []
    for name, text, needle in (
        ("aliases.yaml", alias_bomb(top=top), "expands to more than 500,000 nodes"),
        ("recursive" + suffix, top + RECURSIVE.replace("a:", "extra:"), "recursive alias"),
        ("deep.yaml", top + DEEP.replace("a:", "extra:"), "nested too deeply"),
    ):
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        out.append((f, needle))
    return out


def _scenario_refusals(tmp_path: Path) -> list[tuple[Path, str]]:
    return _refusals(tmp_path, "name: bomb\nchanges:\n  - wgi: {country: CHN, scaled: 8.0}\n")


def test_load_scenario_refuses_documents_that_would_explode(tmp_path: Path) -> None:
    for f, needle in _scenario_refusals(tmp_path):
        err = _refused(load_scenario, f)
        assert err.file == str(f) and needle in str(err), str(err)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges: [\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.yaml, line 3: not valid YAML/JSON"):
        load_scenario(bad)
    ok = tmp_path / "ok.yaml"
    ok.write_text("name: x\nchanges:\n  - wgi: &w {country: CHN, scaled: 8.0}\n  - wgi: *w\n")
    assert len(load_scenario(ok).changes) == 2  # an alias used within the limit is fine


def _criticality_data(tmp_path: Path, data_dir: Path) -> None:
    """An EU CRM dataset and a small WGI table, enough for `materials criticality`."""
    r = CliRunner().invoke(app, ["data", "add", "eu_crm", str(write_crm(tmp_path / "crm"))])
    assert r.exit_code == 0, r.output
    wgi = pd.DataFrame(
        [
            {"country": c, "country_label": c, "year": 2019, "indicator": ind, "estimate": e}
            for c, e in (("CHN", -0.5), ("DEU", 1.5), ("JPN", 1.2), ("CHL", 1.0))
            for ind in ("VA", "PV", "GE", "RQ", "RL", "CC")
        ]
    )
    write_tables_dataset(
        DataStore(data_dir),
        name="wgi",
        source="wgi",
        kind="governance",
        parsed=ParsedSource({"wgi": wgi}, [], "test"),
        licence="t",
        citation="t",
        parser_version="t",
    )


def test_cli_criticality_refuses_a_scenario_that_would_explode(tmp_path: Path, data_dir: Path):
    _criticality_data(tmp_path, data_dir)
    args = ["materials", "criticality", "--wgi-year", "2019", "--format", "csv", "--scenario"]
    ok = tmp_path / "ok.yaml"
    ok.write_text("name: ok\nchanges:\n  - wgi: {country: CHN, scaled: 8.0}\n")
    r = CliRunner().invoke(app, [*args, str(ok)])
    assert r.exit_code == 0 and "sr_scenario" in r.output, r.output
    for f, needle in _scenario_refusals(tmp_path):
        start = time.process_time()
        r = CliRunner().invoke(app, [*args, str(f)])
        assert time.process_time() - start < QUICK
        assert r.exit_code == DataError.exit_code, r.output
        assert f.name in r.output and needle in r.output, r.output


# --------------------------------------------------------------------------------------------
# Supply-shock scenarios: load_scenarios and `io shock --scenario`


def _shock_refusals(tmp_path: Path) -> list[tuple[Path, str]]:
    top = "name: bomb\nshocks:\n  - {supplier: CHN, fall: 50%}\n"
    return _refusals(tmp_path, top, suffix=".yml")  # .yml is read as YAML too


def test_io_shock_scenarios_refuse_documents_that_would_explode(tmp_path: Path) -> None:
    for f, needle in _shock_refusals(tmp_path):
        err = _refused(load_scenarios, f)
        assert err.file == str(f) and needle in str(err), str(err)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nshocks: [\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.yaml, line 3: not valid yaml"):
        load_scenarios(bad)
    ok = tmp_path / "ok.yaml"
    ok.write_text(
        "scenarios:\n  - {name: a, shocks: [&s {supplier: CHN, fall: 50%}]}\n"
        "  - {name: b, shocks: [*s]}\n"
    )
    assert [s.name for s in load_scenarios(ok)] == ["a", "b"]


def test_cli_io_shock_refuses_a_scenario_that_would_explode(tmp_path: Path, data_dir: Path):
    for f, needle in _shock_refusals(tmp_path):
        start = time.process_time()
        r = CliRunner().invoke(app, ["io", "shock", "--scenario", str(f)])
        assert time.process_time() - start < QUICK
        assert r.exit_code == DataError.exit_code, r.output
        assert f.name in r.output and needle in r.output, r.output


# --------------------------------------------------------------------------------------------
# Country groups


def test_groups_file_that_would_explode_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "groups.yaml"
    f.write_text(alias_bomb(top="groups:\n  X: {members: [NLD]}\n"), encoding="utf-8")
    err = _refused(GroupRegistry, f)
    assert err.file == str(f) and "expands to more than 500,000 nodes" in str(err)
