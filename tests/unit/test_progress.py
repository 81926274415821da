"""One progress protocol (``ketenradar.core.progress``): every producer of long work —
download, ingestion, the fact build — calls ``progress(stage, done, total)`` with a readable
stage, a count that never goes back, and a total that, once known, the count reaches."""

from __future__ import annotations

from pathlib import Path

from conftest import write_country_dict, write_product_dict, write_trade
from fixtures_http import LocalHttpServer

from ketenradar.core import modules as registry
from ketenradar.core import progress as protocol
from ketenradar.core.facts import Progress as FactsProgress
from ketenradar.core.groups import EU27
from ketenradar.modules.trade import comparison
from ketenradar.modules.trade import facts as trade_facts
from ketenradar.results import starter
from ketenradar.sources.base import Progress as SourcesProgress
from ketenradar.sources.download import download
from ketenradar.sources.ingest import add_dataset


class Recorder:
    """A Progress that checks every call against the protocol and keeps them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        assert isinstance(stage, str) and stage.strip(), stage
        assert isinstance(done, int) and done >= 0
        assert total is None or (isinstance(total, int) and total >= 0)
        self.calls.append((stage, done, total))

    def check_complete(self) -> None:
        """Counts never go back within a stage's run, and the last call reaches its total."""
        assert self.calls
        known = [(d, t) for _, d, t in self.calls if t is not None]
        assert known, "a total was never given"
        done, total = known[-1]
        assert done == total
        assert all(d <= t for d, t in known)


def test_one_protocol_everywhere():
    assert SourcesProgress is protocol.Progress and FactsProgress is protocol.Progress


def test_download_reports_the_protocol(http_server: LocalHttpServer, tmp_path: Path):
    http_server.add_random("release.zip", 300_000)
    rec = Recorder()
    download(
        http_server.url("release.zip"), tmp_path / "release.zip", progress=rec, chunk_size=2**15
    )
    rec.check_complete()
    assert {s for s, _, _ in rec.calls} == {"download release.zip"}
    counts = [d for _, d, _ in rec.calls]
    assert counts == sorted(counts) and counts[-1] == 300_000


def test_ingest_and_fact_build_report_the_protocol(tmp_path: Path):
    raw = tmp_path / "baci"
    raw.mkdir()
    write_country_dict(raw)
    write_product_dict(raw, ["260500", "280461"])
    for year in (2021, 2022):
        write_trade(
            raw,
            year,
            [(year, 156, 528, "260500", 100.0, 1.0), (year, 276, 528, "280461", 5.0, 1.0)],
        )
    store = tmp_path / "store"
    rec = Recorder()
    add_dataset("baci", [raw], data_dir=store, progress=rec)
    assert len(rec.calls) >= 2
    build = Recorder()
    out = starter.derive(store, importers=["NLD"], strict=False, progress=build)
    assert "screening" in out.tables
    build.check_complete()
    counts = [d for _, d, _ in build.calls]
    assert counts == sorted(counts)
    # The plan as the modules declare it: one step per declared fact table, except the trade
    # tables, which take one step per unit of work: screening, suppliers and balance per
    # importer and year (the importer-year tables), and the comparison one per EU27 member
    # and year (its latest comparison.YEARS years).
    years = [2021, 2022]
    trade_steps = {f"{s} NLD {y}" for s in ("screening", "suppliers", "balance") for y in years}
    member_steps = {f"comparison {m} {y}" for m in EU27 for y in years[-comparison.YEARS :]}
    per_unit = {*trade_facts.TABLES, comparison.COMPARISON.name}
    declared = [t.name for m in registry.modules() for t in m.facts]
    assert per_unit <= set(declared)
    planned = len(declared) - len(per_unit) + len(trade_steps) + len(member_steps)
    # the total the build announced is that plan (a step reported but never planned would
    # raise it), and the count reached it (a planned step never reported would fall short)
    assert build.calls[-1][2] == counts[-1] == planned
    # each unit of work is reported once by name, one step at a time; only skipped or
    # passed-over work advances by more than one
    stages = [s for s, _, _ in build.calls]
    assert trade_steps | member_steps <= set(stages)
    assert len(stages) == len(set(stages))
    for (stage, done, _), before in zip(build.calls, [0, *counts], strict=False):
        assert done - before == 1 or "skipped" in stage or "passed over" in stage, stage
