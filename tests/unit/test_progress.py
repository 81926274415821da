"""One progress protocol (``ketenradar.core.progress``): every producer of long work —
download, ingestion, the fact build — calls ``progress(stage, done, total)`` with a readable
stage, a count that never goes back, and a total that, once known, the count reaches."""

from __future__ import annotations

from pathlib import Path

from conftest import write_country_dict, write_product_dict, write_trade
from fixtures_http import LocalHttpServer

from ketenradar.core import progress as protocol
from ketenradar.core.facts import Progress as FactsProgress
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
    # every declared step of every module was reported: trade 3 per importer and year,
    # the other modules' tables one each
    assert counts[-1] == 2 * 3 + 8 + 4
