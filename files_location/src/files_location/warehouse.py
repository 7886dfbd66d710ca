"""Loading share-price CSV files into DuckDB: strict, atomic, replacing what a file loaded before."""

from dataclasses import dataclass
from typing import Any

import duckdb

from files_location import contract
from files_location.share_prices import COLUMNS

# Every DuckDB connection of this location: never fetch an extension from the internet at run
# time (the ones we need are baked into the image and loaded by path).
# Warehouse connections also let DuckDB parse and insert a file's rows in parallel without
# re-sequencing them into file order (rows carry their date; bulk loads get faster than a
# plain COPY, see bench/files_copy.py).
NO_DOWNLOADS: dict[str, Any] = {"autoinstall_known_extensions": False}
DUCKDB_CONFIG: dict[str, Any] = {**NO_DOWNLOADS, "preserve_insertion_order": False}


@dataclass(frozen=True)
class Tag:
    """A constant column stored next to each loaded row (e.g. the source file name)."""

    column: str
    sql_type: str
    value: str


def ensure_table(conn: duckdb.DuckDBPyConnection, table: str, tags: list[Tag]) -> None:
    columns = [f'"{name}" {sql_type}' for name, sql_type in COLUMNS.items()]
    columns += [f'"{tag.column}" {tag.sql_type} NOT NULL' for tag in tags]
    conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({", ".join(columns)})')


def replace_file_rows(
    conn: duckdb.DuckDBPyConnection,
    *,
    table: str,
    source: str,
    file: str,
    tags: list[Tag],
    key: str,
) -> int:
    """Load one file into `table`, replacing the rows whose `key` tag has the same value.

    One transaction, and the contract is checked inside it: a file that breaks it raises
    ContractViolation and leaves the table as it was. Returns the number of rows loaded.
    """
    header = contract.read_header(conn, source, file)
    key_tag = next(tag for tag in tags if tag.column == key)
    names = ", ".join(f'"{name}"' for name in [*COLUMNS, *(tag.column for tag in tags)])
    values = ", ".join(contract.typed_columns_sql() + [f"?::{tag.sql_type}" for tag in tags])
    this_file = f'"{table}" WHERE "{key}" = ?::{key_tag.sql_type}'
    conn.execute("BEGIN TRANSACTION")
    committed, reader_error = False, None
    try:
        ensure_table(conn, table, tags)
        conn.execute(f"DELETE FROM {this_file}", [key_tag.value])
        try:
            loaded = conn.execute(
                f'INSERT INTO "{table}" ({names})'
                f" SELECT {values} FROM {contract.csv_scan(source, header)}",
                [tag.value for tag in tags],
            ).fetchone()[0]
            kept = loaded > 0 and contract.verify_loaded(conn, this_file, [key_tag.value])
        except duckdb.Error as error:
            reader_error, kept = error, False
        if kept:
            conn.execute("COMMIT")
            committed = True
    finally:
        if not committed:
            conn.execute("ROLLBACK")
    if not committed:
        # Rolled back; now say which rule the file breaks (outside the transaction).
        raise contract.explain(conn, source, file, header, reader_error) from reader_error
    return loaded


def read_arrow(source: str, file: str):
    """A whole file as an Arrow table, parsed and checked exactly as the loads do (for dlt)."""
    with duckdb.connect(config=DUCKDB_CONFIG) as conn:
        header = contract.read_header(conn, source, file)
        try:
            table = conn.execute(
                f"SELECT {', '.join(contract.typed_columns_sql())}"
                f" FROM {contract.csv_scan(source, header)}"
            ).to_arrow_table()
        except duckdb.Error as error:
            raise contract.explain(conn, source, file, header, error) from error
        conn.register("arrow_rows", table)
        if table.num_rows == 0 or not contract.verify_loaded(conn, "arrow_rows"):
            raise contract.explain(conn, source, file, header)
    return table
