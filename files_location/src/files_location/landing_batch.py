"""Loading a batch of landing files in one DuckDB read and one lake transaction, per file exact.

The files are read with the contract's fixed schema, one read_csv per header order (the contract
takes the columns in any order), into a staging table; lines DuckDB cannot take are set aside
with the file they came from. Then, per file: a file with a bad header, a line set aside, no data
row or a row that breaks a row rule is refused (its reason worked out by the contract's full
check), and the others replace their rows in the table in one transaction, with one ledger row
per file (`landing_imports`: which run, how many rows, or why not). Nothing of a refused file is
loaded, and the rows an earlier version of it loaded stay.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_etl_lake import in_transaction
from dagster_etl_lake.attach import identifier
from files_location import contract
from files_location.bad_file_error import BadFileError
from files_location.landing import landing_file
from files_location.landing_watch import Version
from files_location.settings import landing_dir
from files_location.share_prices import COLUMNS
from files_location.warehouse import Tag, ensure_table

LEDGER = "landing_imports"
LEDGER_COLUMNS = {
    "file": "VARCHAR NOT NULL",
    "size_bytes": "BIGINT NOT NULL",
    "mtime_ns": "BIGINT NOT NULL",
    "status": "VARCHAR NOT NULL",  # loaded | refused
    "rows": "BIGINT NOT NULL",
    "rule": "VARCHAR",
    "reason": "VARCHAR",
    "run_id": "VARCHAR NOT NULL",
    "imported_at": "TIMESTAMPTZ NOT NULL",
}
LOADED, REFUSED, UNCHANGED, CHANGED = "loaded", "refused", "unchanged", "changed"
_groups = itertools.count(1)


@dataclass
class Outcome:
    """What the batch did with one file. `unchanged` and `changed` leave no ledger row: the
    version was imported before, or the file changed after the sensor picked it (the new version
    comes in a later batch)."""

    file: str
    status: str
    version: Version | None = None
    rows: int = 0
    rule: str | None = None
    reason: str | None = None
    path: str = ""
    header: tuple[str, ...] = ()
    violation: contract.ContractViolation | None = None  # the rule, with the offending rows


def resolve(entries: list[tuple[str, Version | None]], landing: Path | None = None) -> list[Outcome]:
    """Each entry's file in the landing folder at its current version; refused when the name or
    path is not one the folder takes, `changed` when it is no longer the pinned version; the
    header judged from the same open (landing_file)."""
    root = (landing or landing_dir()).resolve()

    def one(entry: tuple[str, Version | None]) -> Outcome:
        name, pinned = entry
        try:
            path, found, head = landing_file(name, root, contract.HEADER_BYTES)
        except BadFileError as error:
            return Outcome(name, REFUSED, pinned, rule="path", reason=error.problem)
        version = (found.st_size, found.st_mtime_ns)
        if pinned is not None and pinned != version:
            return Outcome(name, CHANGED, pinned, reason="changed after the sensor picked it up;"
                           " a later batch imports the new version")
        outcome = Outcome(name, LOADED, version, path=str(path))
        try:
            outcome.header = tuple(contract.header_from_bytes(name, head))
        except contract.ContractViolation as violation:
            refuse(outcome, violation)
        return outcome

    return [one(entry) for entry in dict(entries).items()]  # a file named twice is loaded once


def temp_table(conn: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list]) -> None:
    """A temp table of these columns, through Arrow: binding long lists as parameters costs
    seconds at 10,000 files."""
    import pyarrow  # dlt's; imported by batch runs only

    conn.register(f"{name}_arrow", pyarrow.table(columns))
    try:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS FROM {name}_arrow")
    finally:
        conn.unregister(f"{name}_arrow")


def already_imported(conn: duckdb.DuckDBPyConnection, outcomes: list[Outcome]) -> None:
    """Mark `unchanged` the files whose version is the one the ledger last recorded for them."""
    candidates = [o for o in outcomes if o.status == LOADED]
    if not candidates:
        return
    temp_table(conn, "landing_names", {"file": [o.file for o in candidates]})
    try:
        rows = conn.execute(
            f"SELECT l.file, arg_max(l.size_bytes, l.imported_at), arg_max(l.mtime_ns, l.imported_at)"
            f" FROM {identifier(LEDGER)} l JOIN temp.landing_names USING (file) GROUP BY l.file"
        ).fetchall()
    except duckdb.CatalogException:
        return  # no batch has run yet
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.landing_names")
    last = {file: (size, mtime_ns) for file, size, mtime_ns in rows}
    for outcome in candidates:
        if last.get(outcome.file) == outcome.version:
            outcome.status = UNCHANGED
            outcome.reason = "this version was imported before"


def refuse(outcome: Outcome, violation: contract.ContractViolation) -> None:
    outcome.status, outcome.rule, outcome.reason = REFUSED, violation.rule, violation.problem
    outcome.violation = violation


STAGE_NAME = "landing_rows"
STAGE = f"temp.{STAGE_NAME}"


def stage(conn: duckdb.DuckDBPyConnection, outcomes: list[Outcome]) -> set[str]:
    """Every candidate's typed rows in the staging table, one read per header order; the paths
    of files with a line DuckDB set aside."""
    columns = [f"{identifier(name)} {sql_type}" for name, sql_type in COLUMNS.items()]
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE_NAME} ({', '.join(columns)}, filename VARCHAR)")
    set_aside: set[str] = set()
    by_header: dict[tuple[str, ...], list[str]] = {}
    for outcome in outcomes:
        if outcome.status == LOADED:
            by_header.setdefault(outcome.header, []).append(outcome.path)
    for header, paths in by_header.items():
        rejects = f"landing_rejects_{next(_groups)}"
        try:
            conn.execute(
                f"INSERT INTO {STAGE} SELECT {', '.join(contract.typed_columns_sql())}, filename"
                f" FROM {contract.csv_scan(paths, list(header), rejects=rejects, filename=True)}"
            )
            if conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                            [rejects]).fetchone()[0]:
                set_aside.update(path for (path,) in conn.execute(
                    f"SELECT DISTINCT s.file_path FROM {identifier(rejects)} e"
                    f" JOIN {identifier(rejects + '_scan')} s USING (scan_id, file_id)"
                ).fetchall())
        finally:
            for name in (rejects, rejects + "_scan"):
                conn.execute(f"DROP TABLE IF EXISTS {identifier(name)}")
    return set_aside


def judge(conn: duckdb.DuckDBPyConnection, outcomes: list[Outcome], set_aside: set[str]) -> None:
    """Refuse, with the contract's own reason, every candidate that does not keep it whole."""
    counts = {
        path: (rows, bad)
        for path, rows, bad in conn.execute(
            f"SELECT filename, count(*), count(*) FILTER (WHERE {contract.LOADED_VIOLATION_SQL})"
            f" FROM {STAGE} GROUP BY filename"
        ).fetchall()
    }
    for outcome in outcomes:
        if outcome.status != LOADED:
            continue
        rows, bad = counts.get(outcome.path, (0, 0))
        if rows and not bad and outcome.path not in set_aside:
            outcome.rows = rows
            continue
        refuse(outcome, contract.explain(conn, outcome.path, outcome.file, list(outcome.header)))


def load_batch(
    conn: duckdb.DuckDBPyConnection,
    *,
    table: str,
    entries: list[tuple[str, Version | None]],
    run_id: str,
    on_conflict: Callable[[int, BaseException], None] | None = None,
) -> list[Outcome]:
    """Load the files named in `entries` (pinned to a version, or None: as they are now) into
    `table`, each replacing the rows its earlier versions loaded (column source_file). A pinned
    version the ledger already holds is not loaded again; an unpinned one (a person's run) is."""
    outcomes = resolve(entries)
    pins = dict(entries)
    already_imported(conn, [o for o in outcomes if pins[o.file] is not None])
    try:
        judge(conn, outcomes, stage(conn, outcomes))
        recorded = [o for o in outcomes if o.status in (LOADED, REFUSED) and o.version]
        if recorded:
            temp_table(conn, "landing_batch", {
                "file": [o.file for o in recorded], "filename": [o.path for o in recorded],
                "size_bytes": [o.version[0] for o in recorded],
                "mtime_ns": [o.version[1] for o in recorded], "status": [o.status for o in recorded],
                "rows": [o.rows for o in recorded], "rule": [o.rule for o in recorded],
                "reason": [o.reason for o in recorded]})
            in_transaction(conn, lambda c: _commit(c, table, run_id), on_conflict=on_conflict)
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {STAGE}")
        conn.execute("DROP TABLE IF EXISTS temp.landing_batch")
    return outcomes


def _commit(conn: duckdb.DuckDBPyConnection, table: str, run_id: str) -> None:
    source = Tag("source_file", "VARCHAR", "")
    ensure_table(conn, table, [source])
    ledger = ", ".join(f"{identifier(name)} {sql_type}" for name, sql_type in LEDGER_COLUMNS.items())
    conn.execute(f"CREATE TABLE IF NOT EXISTS {identifier(LEDGER)} ({ledger})")
    loaded = f"SELECT * FROM temp.landing_batch WHERE status = '{LOADED}'"
    conn.execute(f"DELETE FROM {identifier(table)} WHERE source_file IN (SELECT file FROM ({loaded}))")
    names = ", ".join(identifier(name) for name in [*COLUMNS, source.column])
    conn.execute(
        f"INSERT INTO {identifier(table)} ({names})"
        f" SELECT {', '.join('r.' + identifier(name) for name in COLUMNS)}, b.file"
        f" FROM {STAGE} r JOIN ({loaded}) b USING (filename)"
    )
    conn.execute(
        f"INSERT INTO {identifier(LEDGER)} SELECT file, size_bytes, mtime_ns, status, rows, rule,"
        f" reason, ?, now() FROM temp.landing_batch",
        [run_id],
    )
