"""Loading share-price CSV files into the lake: strict, atomic, replacing what a file loaded before."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from dagster_etl_lake import in_transaction
from dagster_etl_lake.attach import SESSION_CONFIG
from files_location import contract
from files_location.share_prices import COLUMNS

# Every DuckDB session of this location: never fetch an extension from the internet at run time
# (the ones it needs come from wheels, loaded by path). Loads also let DuckDB parse and insert a
# file's rows in parallel without re-sequencing them into file order (rows carry their date; bulk
# loads get faster than a plain COPY, see bench/files_copy.py).
DUCKDB_CONFIG: dict[str, Any] = {**SESSION_CONFIG, "preserve_insertion_order": False}


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


class _Refused(Exception):
    """The typed load did not keep the contract: roll back, then say why."""

    def __init__(self, reader_error: duckdb.Error | None):
        self.reader_error = reader_error


def replace_file_rows(
    conn: duckdb.DuckDBPyConnection,
    *,
    table: str,
    source: str,
    file: str,
    tags: list[Tag],
    key: str,
    on_conflict: Callable[[int, BaseException], None] | None = None,
) -> int:
    """Load one file into `table`, replacing the rows whose `key` tag has the same value.

    One transaction, and the contract is checked inside it: a file that breaks it raises
    ContractViolation and leaves the table as it was. A commit that conflicts with another writer
    of the table is run again (dagster_etl_lake.in_transaction). Returns the number of rows loaded.
    """
    header = contract.read_header(conn, source, file)
    key_tag = next(tag for tag in tags if tag.column == key)
    names = ", ".join(f'"{name}"' for name in [*COLUMNS, *(tag.column for tag in tags)])
    values = ", ".join(contract.typed_columns_sql() + [f"?::{tag.sql_type}" for tag in tags])
    this_file = f'"{table}" WHERE "{key}" = ?::{key_tag.sql_type}'

    def load(c: duckdb.DuckDBPyConnection) -> int:
        ensure_table(c, table, tags)
        c.execute(f"DELETE FROM {this_file}", [key_tag.value])
        try:
            loaded = c.execute(
                f'INSERT INTO "{table}" ({names})'
                f" SELECT {values} FROM {contract.csv_scan(source, header)}",
                [tag.value for tag in tags],
            ).fetchone()[0]
        except duckdb.Error as error:
            if isinstance(error, duckdb.TransactionException):
                raise  # the lake's, not the file's
            raise _Refused(error) from error
        if not (loaded > 0 and contract.verify_loaded(c, this_file, [key_tag.value])):
            raise _Refused(None)
        return loaded

    try:
        return in_transaction(conn, load, on_conflict=on_conflict)
    except _Refused as refused:
        # Rolled back; now say which rule the file breaks (outside the transaction).
        raise contract.explain(conn, source, file, header, refused.reader_error) from refused.reader_error


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
