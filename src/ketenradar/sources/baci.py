"""CEPII BACI connector: bilateral trade at HS 6-digit level into a ``trade_flows`` dataset.

Reference: Gaulier, G. and Zignago, S. (2010), *BACI: International Trade Database at the
Product-Level. The 1994-2007 Version*, CEPII Working Paper 2010-23.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import duckdb

from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.settings import settings
from ketenradar.core.vocabularies.baci_countries import map_countries, unknown_code_row
from ketenradar.datasets import DataStore, InputFile, Manifest
from ketenradar.datasets.datastore import validate_name
from ketenradar.datasets.engine import connect as duckdb_connect
from ketenradar.datasets.engine import sql_literal
from ketenradar.sources.baci_files import (
    FIRST_YEAR,
    BaciFile,
    expand_inputs,
    last_plausible_year,
    read_country_dictionary,
    read_product_dictionary,
    read_trade_header,
    scan_trade_lines,
)
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.download import sha256_file

PARSER_VERSION = "baci-1.0"
LICENCE = "BACI terms of use: free reuse with citation (CEPII); built on UN Comtrade"
CITATION = (
    "Gaulier, G. and Zignago, S. (2010). BACI: International Trade Database at the "
    "Product-Level. The 1994-2007 Version. CEPII Working Paper 2010-23."
)
#: The setting naming the server release zips are fetched from (default: CEPII's).
BASE_URL_ENV = "KETENRADAR_BACI_BASE_URL"
#: A year whose new row count falls below this share of the live version's rows for that year
#: is reported in the ingest warnings (a truncated download keeps only part of a year).
ROW_DROP_ENV = "KETENRADAR_BACI_ROW_DROP_WARN"
#: Rows DuckDB keeps in its reject table per file: only the first is reported, so a file full
#: of bad rows cannot fill memory with them.
REJECTS_LIMIT = 100


def dataset_name_for(hs: str, release: str) -> str:
    """The default dataset name for an HS edition and release, e.g. ``baci_hs92_v202401b``."""
    return f"baci_{hs.lower()}_{release.lower()}"


def release_zip_name(release: str, hs: str) -> str:
    """File name of a BACI release zip, e.g. ``BACI_HS92_V202401b.zip``."""
    return f"BACI_{hs.upper()}_{release}.zip"


def _pick_dictionary(
    files: list[BaciFile], role: str, release: str, hs: str | None
) -> BaciFile | None:
    cands = [f for f in files if f.role == role]
    if role == "products" and hs:
        same_hs = [f for f in cands if f.hs in (None, hs)]
        cands = same_hs
    if not cands:
        return None
    exact = [f for f in cands if f.release == release]
    if exact:
        return exact[0]
    # Otherwise the newest release available (releases sort as strings: V202301 < V202401b).
    return sorted(cands, key=lambda f: f.release or "")[-1]


def _neighbour_dictionaries(trade: list[BaciFile], tmp: Path) -> list[BaciFile]:
    """Dictionaries next to the given trade CSVs (for ``data add baci one_file.csv``)."""
    dirs = {f.path.parent for f in trade if "!" not in f.origin}
    found: list[BaciFile] = []
    for d in sorted(dirs):
        csvs = [c for c in d.iterdir() if c.suffix.lower() == ".csv" and c.is_file()]
        files, _ = expand_inputs(csvs, tmp)
        found += [f for f in files if f.role != "trade"]
    return found


class BaciConnector:
    """CEPII BACI: trade CSVs, release zips or folders of them; dictionaries of any release."""

    name: ClassVar[str] = "baci"
    kind: ClassVar[str] = "trade_flows"
    description: ClassVar[str] = "CEPII BACI bilateral trade flows, HS 6-digit (thousand USD)"

    # -- fetch -------------------------------------------------------------------------
    def fetch_url(self, release: str, hs: str, base_url: str | None = None) -> str:
        """The URL of a release zip on CEPII's server (or ``base_url``)."""
        base = base_url or settings().baci_base_url
        return f"{base.rstrip('/')}/{release_zip_name(release, hs)}"

    # -- ingest ------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        countries: Path | None = None,
        products: Path | None = None,
        **options: Any,
    ) -> list[IngestReport]:
        """Ingest BACI files into ``store``; one dataset per (HS edition, release).

        Returns one report per dataset touched. Raises :class:`DataError` on malformed input;
        then nothing is written and previous versions stay live.
        """
        if options:
            raise UsageError(f"unknown option(s) for baci: {', '.join(options)}")
        # Zip members are extracted next to the store (same disk, usually the roomiest).
        (store.root / "staging").mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".extract-baci-", dir=store.root / "staging"))
        try:
            files, ignored = expand_inputs(list(paths), tmp)
            if countries:
                files = [f for f in files if f.role != "countries"]
                files += expand_inputs([countries], tmp)[0]
            if products:
                files = [f for f in files if f.role != "products"]
                files += expand_inputs([products], tmp)[0]
            trade = [f for f in files if f.role == "trade"]
            if not trade:
                raise DataError(
                    "no BACI trade file found (expected names like BACI_HS92_Y2022_V202401b.csv "
                    "or a release zip BACI_HS92_V202401b.zip)",
                    file=", ".join(str(p) for p in paths),
                )
            if not any(f.role == "countries" for f in files):
                files += _neighbour_dictionaries(trade, tmp)
            groups: dict[tuple[str, str], list[BaciFile]] = defaultdict(list)
            for f in trade:
                groups[(f.hs or "", f.release or "")].append(f)
            if dataset_name and len(groups) > 1:
                raise UsageError(
                    "--name can only be used when the input holds one HS edition and release; "
                    f"found {len(groups)}: " + ", ".join(f"{h} {r}" for h, r in sorted(groups))
                )
            reports = []
            for (hs, release), tfiles in sorted(groups.items()):
                name = dataset_name or dataset_name_for(hs, release)
                validate_name(name)
                cdict = _pick_dictionary(files, "countries", release, hs)
                pdict = _pick_dictionary(files, "products", release, hs)
                reports.append(
                    self._ingest_group(
                        store, name, hs, release, tfiles, cdict, pdict, ignored, progress
                    )
                )
            return reports
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _ingest_group(
        self,
        store: DataStore,
        name: str,
        hs: str,
        release: str,
        trade: list[BaciFile],
        cdict: BaciFile | None,
        pdict: BaciFile | None,
        ignored: list[str],
        progress: Progress | None,
    ) -> IngestReport:
        previous = store.find(name)
        warnings: list[str] = list(ignored)

        def note(stage: str, done: int, total: int | None) -> None:
            if progress:
                progress(stage, done, total)

        # Checksums first: they decide whether anything changes at all (idempotence).
        hashed: list[tuple[BaciFile, str, int]] = []
        inputs = [*trade, *(d for d in (cdict, pdict) if d)]
        for n, f in enumerate(inputs):
            note(f"checksum {f.path.name}", n, len(inputs))
            hashed.append((f, sha256_file(f.path), f.path.stat().st_size))
        if previous is not None and previous.manifest.parser_version == PARSER_VERSION:
            have = {i.sha256 for i in previous.manifest.inputs}
            if all(h in have for _, h, _ in hashed):
                return IngestReport(name, False, previous.manifest, ["unchanged: same input files"])

        years_of: dict[int, BaciFile] = {}
        for f in trade:
            if f.year is not None:
                if f.year in years_of:
                    raise DataError(
                        f"year {f.year} is supplied by two files: {years_of[f.year].origin} "
                        f"and {f.origin}",
                        file=f.origin,
                    )
                years_of[f.year] = f

        # Dictionaries: the given ones, else those of the previous version.
        if cdict is not None:
            country_rows = map_countries(read_country_dictionary(cdict.path))
        elif previous is not None and previous.has_table("countries"):
            country_rows = None
        else:
            raise DataError(
                "no BACI country dictionary found (country_codes_V*.csv): pass it with the "
                "trade files, inside the release zip, or with --countries",
                file=trade[0].origin,
            )
        if pdict is not None:
            product_rows = read_product_dictionary(pdict.path)
        elif previous is not None and previous.has_table("products"):
            product_rows = None
        else:
            raise DataError(
                "no BACI product dictionary found (product_codes_HS*_V*.csv): pass it with the "
                "trade files, inside the release zip, or with --products",
                file=trade[0].origin,
            )
        if cdict and cdict.release != release:
            warnings.append(
                f"country dictionary {cdict.path.name} is of release {cdict.release}, "
                f"trade files of {release}"
            )
        if pdict and pdict.release and pdict.release != release:
            warnings.append(
                f"product dictionary {pdict.path.name} is of release {pdict.release}, "
                f"trade files of {release}"
            )

        con = duckdb_connect()
        try:
            with store.stage(name) as staged:
                cdir = staged.table_dir("countries")
                pdir = staged.table_dir("products")
                if country_rows is not None:
                    _write_rows(con, country_rows, cdir / "countries.parquet", "countries")
                else:
                    _link(previous.table_files("countries")[0], cdir / "countries.parquet")
                if product_rows is not None:
                    _write_rows(con, product_rows, pdir / "products.parquet", "products")
                else:
                    _link(previous.table_files("products")[0], pdir / "products.parquet")
                con.execute(
                    "CREATE TEMP TABLE countries AS SELECT * FROM read_parquet(?)",
                    [str(cdir / "countries.parquet")],
                )
                tdir = staged.table_dir("trade")
                year_rows: dict[int, int] = {}
                file_inputs: list[InputFile] = []
                for n, f in enumerate(trade):
                    note(f"parse {f.path.name}", n, len(trade))
                    rows_by_year, w = _ingest_trade_file(con, f, tdir)
                    warnings += w
                    for y, r in rows_by_year.items():
                        if y in year_rows:
                            raise DataError(
                                f"year {y} appears in more than one trade file", file=f.origin
                            )
                        year_rows[y] = r
                    sha, size = next((h, s) for g, h, s in hashed if g is f)
                    file_inputs.append(
                        InputFile(
                            f.path.name,
                            sha,
                            size,
                            "trade",
                            sum(rows_by_year.values()),
                            tuple(sorted(rows_by_year)),
                            f.origin,
                        )
                    )
                note("write", len(trade), len(trade))
                if previous is not None:
                    warnings += _row_drops(previous, year_rows)
                # Keep the years of the previous version that this input does not replace.
                kept_inputs: list[InputFile] = []
                if previous is not None:
                    for p in previous.table_files("trade"):
                        y = int(p.stem.split("=")[-1])
                        if y not in year_rows:
                            _link(p, tdir / p.name)
                            year_rows[y] = previous.manifest.tables["trade"]["years"][str(y)]
                    new_years = {y for fi in file_inputs for y in fi.years}
                    for i in previous.manifest.inputs:
                        keep = {
                            "trade": not set(i.years) & new_years,
                            "countries": country_rows is None,
                            "products": product_rows is None,
                        }
                        if keep.get(i.role, False):
                            kept_inputs.append(i)
                _write_world_exports(con, staged, previous, year_rows, file_inputs)
                for d in (cdict, pdict):
                    if d is not None:
                        sha, size = next((h, s) for g, h, s in hashed if g is d)
                        rows = len(country_rows) if d is cdict else len(product_rows)
                        file_inputs.append(
                            InputFile(d.path.name, sha, size, d.role, rows, (), d.origin)
                        )
                n_c = con.execute(
                    "SELECT count(*) FROM read_parquet(?)", [str(cdir / "countries.parquet")]
                ).fetchone()[0]
                n_p = con.execute(
                    "SELECT count(*) FROM read_parquet(?)", [str(pdir / "products.parquet")]
                ).fetchone()[0]
                manifest = Manifest(
                    name=name,
                    source=self.name,
                    kind=self.kind,
                    release=release,
                    licence=LICENCE,
                    citation=CITATION,
                    parser_version=PARSER_VERSION,
                    ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    version=staged.version,
                    inputs=kept_inputs + file_inputs,
                    tables={
                        "trade": {
                            "rows": sum(year_rows.values()),
                            "years": {str(y): year_rows[y] for y in sorted(year_rows)},
                        },
                        "countries": {"rows": n_c},
                        "world_exports": {"derived": True},
                        "products": {"rows": n_p},
                    },
                    attributes={
                        "hs_edition": hs,
                        "years": sorted(year_rows),
                        "value_unit": "thousand USD",
                        "quantity_unit": "metric tons",
                    },
                    warnings=warnings,
                )
                manifest.write(staged.path)
        finally:
            con.close()
        return IngestReport(name, True, manifest, warnings)


def _write_world_exports(
    con: duckdb.DuckDBPyConnection,
    staged: Any,
    previous: Any,
    year_rows: dict[int, int],
    file_inputs: list[InputFile],
) -> None:
    """Derive the ``world_exports`` table (per year and product) that screening reads."""
    from ketenradar.datasets.kinds import world_exports_sql

    wdir = staged.table_dir("world_exports")
    tdir = staged.path / "trade"
    new_years = {y for fi in file_inputs for y in fi.years}
    for y in sorted(year_rows):
        name = f"year={y}.parquet"
        old = previous.path / "world_exports" / name if previous is not None else None
        if y not in new_years and old is not None and old.is_file():
            _link(old, wdir / name)
            continue
        trade = f"read_parquet({sql_literal(tdir / name)})"
        con.execute(
            f"COPY ({world_exports_sql(trade)}) TO {sql_literal(wdir / name)} (FORMAT parquet, "
            "COMPRESSION zstd)"
        )


def _link(src: Path, dst: Path) -> None:
    """Hard-link an unchanged file into a new version (copy where links are impossible)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write_rows(con: duckdb.DuckDBPyConnection, rows: list[dict], path: Path, table: str) -> None:
    import pyarrow as pa

    from ketenradar.sources.base import CANONICAL_TABLES

    cols = CANONICAL_TABLES["trade_flows"][table]
    arrow_types = {
        "VARCHAR": pa.string(),
        "INTEGER": pa.int32(),
        "BOOLEAN": pa.bool_(),
        "DOUBLE": pa.float64(),
    }
    tbl = pa.table(
        {c: pa.array([r.get(c) for r in rows], type=arrow_types[t]) for c, t in cols.items()}
    )
    con.register("_rows", tbl)
    con.execute(f"COPY _rows TO {sql_literal(path)} (FORMAT parquet, COMPRESSION zstd)")
    con.unregister("_rows")


_CHECKS = """
    CASE
      WHEN t IS NULL THEN 't:missing value'
      WHEN t < {first_year} OR t > {last_year}
        THEN 't:year outside the plausible range {first_year}–{last_year}'
      WHEN i IS NULL THEN 'i:missing value'
      WHEN j IS NULL THEN 'j:missing value'
      WHEN k IS NULL OR NOT (regexp_full_match(trim(k), '[0-9]{1,6}')
                             OR regexp_full_match(trim(k), '[0-9A-Z]{6}'))
        THEN 'k:product code must be an HS code of at most 6 digits'
      WHEN v IS NULL THEN 'v:missing value'
      WHEN isnan(v) OR isinf(v) THEN 'v:not a finite number'
      WHEN v < 0 THEN 'v:negative trade value'
      WHEN q_raw IS NOT NULL AND trim(q_raw) NOT IN ('NA', '') AND TRY_CAST(q_raw AS DOUBLE) IS NULL
        THEN 'q:not a number or NA'
      WHEN isnan(TRY_CAST(q_raw AS DOUBLE)) OR isinf(TRY_CAST(q_raw AS DOUBLE))
        THEN 'q:not a finite number'
      WHEN TRY_CAST(q_raw AS DOUBLE) < 0 THEN 'q:negative quantity'
      {year_check}
      ELSE NULL
    END
"""


def _ingest_trade_file(
    con: duckdb.DuckDBPyConnection, f: BaciFile, tdir: Path
) -> tuple[dict[int, int], list[str]]:
    """Parse one trade CSV strictly and write one Parquet file per year into ``tdir``."""
    cols, delim = read_trade_header(f.path)
    # Bytes first: over-long lines, binary content and wrong field counts are refused here,
    # in linear time, before DuckDB (whose reject table grows with every extra field).
    scan = scan_trade_lines(f.path, cols, delim, f.origin)
    warnings: list[str] = []
    if not scan.ends_with_newline:
        warnings.append(
            f"{f.origin}: the file does not end with a line break: its last line (line "
            f"{scan.lines}) may be cut short (an interrupted download?); compare the file "
            "with the publisher's"
        )
    types = {
        "t": "INTEGER",
        "i": "INTEGER",
        "j": "INTEGER",
        "k": "VARCHAR",
        "v": "DOUBLE",
        "q": "VARCHAR",
    }
    columns = "{" + ", ".join(f"'{c}': '{types[c]}'" for c in cols) + "}"
    read = trade_csv_sql(f.path, columns, delim)
    where = f.origin
    con.execute("DROP TABLE IF EXISTS rej; DROP TABLE IF EXISTS rej_scan; DROP TABLE IF EXISTS raw")
    year_check = (
        f"WHEN t <> {f.year} THEN 't:year differs from the file name (Y{f.year})'"
        if (f.year is not None)
        else ""
    )
    checks = (
        _CHECKS.replace("{year_check}", year_check)
        .replace("{first_year}", str(FIRST_YEAR))
        .replace("{last_year}", str(last_plausible_year()))
    )
    try:
        con.execute(
            f"CREATE TEMP TABLE raw AS SELECT t, i, j, k, v, q AS q_raw, {checks} AS problem "
            f"FROM {read}"
        )
    except duckdb.Error as exc:
        raise DataError(f"cannot read as CSV: {_first_line(exc)}", file=where) from exc
    rej = first_reject(con, read)
    if rej is not None:
        line, column, etype, msg, count = rej
        raise DataError(
            f"{etype.lower()}: {_first_line(msg)} ({count} bad row(s) in all)",
            file=where,
            line=int(line),
            field=column,
        )
    bad = con.execute("SELECT count(*) FROM raw WHERE problem IS NOT NULL").fetchone()[0]
    if bad:
        # Slow path, only on error: find the first offending line in file order.
        con.execute("SET threads=1")
        try:
            rn, problem = con.execute(
                f"SELECT rn, problem FROM (SELECT row_number() OVER () AS rn, {checks} AS problem "
                f"FROM (SELECT t, i, j, k, v, q AS q_raw FROM {read})) "
                "WHERE problem IS NOT NULL ORDER BY rn LIMIT 1"
            ).fetchone()
        finally:
            con.execute("RESET threads")
        field, _, reason = problem.partition(":")
        raise DataError(
            f"{reason} ({bad} bad row(s) in all)", file=where, line=int(rn) + 1, field=field
        )
    n_rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    if n_rows == 0:
        raise DataError("trade file has no rows", file=where)
    dup = con.execute(
        "SELECT t, i, j, lpad(trim(k), 6, '0') AS k, count(*) AS n FROM raw "
        "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if dup is not None:
        t, i, j, k, n = dup
        ndup = con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM raw GROUP BY t, i, j, lpad(trim(k), 6, '0') "
            "HAVING count(*) > 1)"
        ).fetchone()[0]
        raise DataError(
            f"duplicate key (t={t}, i={i}, j={j}, k={k}) appears {n} times "
            f"({ndup} duplicated key(s) in all); BACI has one row per year, exporter, importer "
            "and product",
            file=where,
            field="t,i,j,k",
        )
    unknown = con.execute(
        "SELECT code, count(*) FROM (SELECT i AS code FROM raw UNION ALL SELECT j FROM raw) "
        "WHERE code NOT IN (SELECT source_code FROM countries) GROUP BY code ORDER BY code"
    ).fetchall()
    if unknown:
        import pyarrow as pa

        rows = [unknown_code_row(c) for c, _ in unknown]
        con.register("_unk", pa.Table.from_pylist(rows))
        con.execute("INSERT INTO countries BY NAME SELECT * FROM _unk")
        con.unregister("_unk")
        total = sum(n for _, n in unknown)
        warnings.append(
            f"{f.origin}: {len(unknown)} country code(s) not in the country dictionary "
            f"({', '.join(str(c) for c, _ in unknown[:10])}{'…' if len(unknown) > 10 else ''}) "
            f"in {total} exporter/importer field(s); kept as X<code>"
        )
    years = [r[0] for r in con.execute("SELECT DISTINCT t FROM raw ORDER BY t").fetchall()]
    out: dict[int, int] = {}
    merged = 0
    for y in years:
        path = tdir / f"year={y}.parquet"
        # Historical BACI entities share an ISO3 code with their successor (58 Belgium-
        # Luxembourg and 56 Belgium are both BEL). Where both occur in one year, their flows
        # are summed so that the dataset keeps one row per (year, exporter, importer, product).
        shared = con.execute(
            f"""
            WITH present AS (
              SELECT DISTINCT code FROM (SELECT i AS code FROM raw WHERE t = {int(y)}
                                         UNION ALL SELECT j FROM raw WHERE t = {int(y)})
            )
            SELECT count(*) FROM (
              SELECT c.iso3 FROM countries c JOIN present p ON p.code = c.source_code
              GROUP BY c.iso3 HAVING count(*) > 1
            )
            """
        ).fetchone()[0]
        select = f"""
              SELECT CAST(r.t AS SMALLINT) AS year, e.iso3 AS exporter, m.iso3 AS importer,
                     lpad(trim(r.k), 6, '0') AS product, r.v AS value_kusd,
                     TRY_CAST(r.q_raw AS DOUBLE) AS quantity_t
              FROM raw r
              JOIN countries e ON e.source_code = r.i
              JOIN countries m ON m.source_code = r.j
              WHERE r.t = {int(y)}
        """
        if shared:
            select = f"""
              SELECT year, exporter, importer, product, sum(value_kusd) AS value_kusd,
                     sum(quantity_t) AS quantity_t
              FROM ({select}) GROUP BY ALL
            """
        con.execute(
            f"COPY ({select}) TO {sql_literal(path)} (FORMAT parquet, COMPRESSION zstd, "
            "ROW_GROUP_SIZE 1000000)"
        )
        out[int(y)] = con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
        n_year = con.execute(f"SELECT count(*) FROM raw WHERE t = {int(y)}").fetchone()[0]
        merged += n_year - out[int(y)]
    if merged:
        warnings.append(
            f"{f.origin}: {merged} row(s) of historical BACI codes merged into the row of the "
            "same ISO3 country, year, partner and product (values summed)"
        )
    if sum(out.values()) + merged != n_rows:
        raise DataError(
            f"internal check failed: {n_rows} rows read but {sum(out.values())} written",
            file=where,
        )
    con.execute("DROP TABLE raw")
    return out, warnings


def trade_csv_sql(path: Path, columns: str, delim: str) -> str:
    """The ``read_csv`` call that reads a trade CSV strictly, its rejects into ``rej``."""
    return (
        f"read_csv({sql_literal(path)}, header=true, auto_detect=false, delim='{delim}', "
        f"quote='\"', escape='\"', columns={columns}, store_rejects=true, rejects_table='rej', "
        f"rejects_scan='rej_scan', rejects_limit={REJECTS_LIMIT})"
    )


def first_reject(
    con: duckdb.DuckDBPyConnection, read: str
) -> tuple[int, str | None, str, str, str] | None:
    """The first line DuckDB rejected while reading ``read`` (a ``read_csv`` with
    ``rejects_table='rej'``): line, column, error type, message, and how many lines in all.

    The reject table holds at most :data:`REJECTS_LIMIT` rows. When it filled up, parallel
    threads may have kept later lines and missed the first, so the file is read once more on
    one thread, in file order (an error path only)."""
    q = "SELECT line, column_name, error_type, error_message FROM rej ORDER BY line LIMIT 1"
    rej = con.execute(q).fetchone()
    if rej is None:
        return None
    n_lines, n_rows = con.execute("SELECT count(DISTINCT line), count(*) FROM rej").fetchone()
    if n_rows < REJECTS_LIMIT:
        return (*rej, str(n_lines))
    con.execute("DROP TABLE IF EXISTS rej; DROP TABLE IF EXISTS rej_scan; SET threads=1")
    try:
        con.execute(f"SELECT count(COLUMNS(*)) FROM {read}").fetchall()  # casts every field
        rej = con.execute(q).fetchone()
    finally:
        con.execute("RESET threads")
    return (*rej, f"at least {n_lines}")


def _first_line(msg: object, width: int = 300) -> str:
    """The first line of a parser message, cut to ``width`` characters (it may quote a whole
    malformed line)."""
    text = str(msg).strip().splitlines()[0] if str(msg).strip() else ""
    return text if len(text) <= width else text[:width] + "…"


def _row_drops(previous: Any, year_rows: dict[int, int]) -> list[str]:
    """Warnings for years that now hold far fewer rows than in the live version."""
    share = settings().baci_row_drop_warn
    before = previous.manifest.tables.get("trade", {}).get("years", {})
    out = []
    for y in sorted(year_rows):
        old = int(before.get(str(y), 0))
        if old and year_rows[y] < share * old:
            out.append(
                f"year {y}: {year_rows[y]:,} rows, {year_rows[y] / old:.0%} of the {old:,} rows "
                f"of the live version {previous.manifest.version} (warning below "
                f"{share:.0%}, {ROW_DROP_ENV}): the new file may be incomplete (an interrupted "
                "download?)"
            )
    return out
