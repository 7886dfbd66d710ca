"""Loading share-price CSV files into DuckDB: strict, atomic, replacing what a file loaded before."""

import os
from dataclasses import dataclass
from typing import Any

import duckdb

from files_location.share_prices import COLUMNS, DATE_FORMAT, BadFileError, parse_header

# Every DuckDB connection of this location: never fetch an extension from the internet at run
# time (the ones we need are baked into the image and loaded by path).
# Warehouse connections also let DuckDB parse and insert a file's rows in parallel without
# re-sequencing them into file order (rows carry their date; bulk loads get faster than a
# plain COPY, see bench/files_copy.py).
NO_DOWNLOADS: dict[str, Any] = {"autoinstall_known_extensions": False}
DUCKDB_CONFIG: dict[str, Any] = {**NO_DOWNLOADS, "preserve_insertion_order": False}

# Every asset that writes files.duckdb runs in this pool; dagster.yaml limits it to one at a time,
# because DuckDB allows one writing process per file.
WRITER_POOL = "files_duckdb"


def database_path() -> str:
    return os.path.join(os.environ.get("WAREHOUSE_DIR", "/opt/dagster/warehouse"), "files.duckdb")


@dataclass(frozen=True)
class Tag:
    """A constant column stored next to each loaded row (e.g. the source file name)."""

    column: str
    sql_type: str
    value: str


def describe(error: duckdb.Error) -> str:
    # DuckDB's message starts with what went wrong and on which line; drop its advice section.
    lines = []
    for line in str(error).splitlines():
        if not line.strip() or line.startswith("Possible") or line.startswith("Column "):
            break
        lines.append(line.strip())
    return "; ".join(lines) or type(error).__name__


def read_header(conn: duckdb.DuckDBPyConnection, source: str, file: str) -> list[str]:
    """The validated column names of a CSV (local path or s3:// URL)."""
    if "://" not in source:
        try:
            with open(source, encoding="utf-8-sig", newline="") as csv_file:
                line = csv_file.readline(64 * 1024)
        except UnicodeDecodeError as error:
            raise BadFileError(file, f"the header is not UTF-8 text ({error.reason})") from error
        except OSError as error:
            raise BadFileError(file, f"cannot be read: {error.strerror}") from error
        return parse_header(file, line.rstrip("\r\n") if line else None)
    # Remote: read the whole first line as one field (delimiter \x01, no quoting), letting
    # DuckDB's reader deal with BOM and line endings while we check the names ourselves.
    try:
        row = conn.execute(
            "SELECT line FROM read_csv(?, header=false, auto_detect=false, delim=chr(1),"
            " quote='', escape='', columns={'line': 'VARCHAR'}, strict_mode=false) LIMIT 1",
            [source],
        ).fetchone()
    except duckdb.Error as error:
        raise BadFileError(file, f"cannot be read: {describe(error)}") from error
    return parse_header(file, row[0] if row else None)


def csv_scan(source: str, header: list[str], *, typed: bool = True) -> str:
    """A strict read_csv over a file with a validated header: every row must have every column.

    typed=False reads every field as text (for checks that report the offending values).
    """
    columns = ", ".join(f"'{name}': '{COLUMNS[name] if typed else 'VARCHAR'}'" for name in header)
    source_literal = source.replace("'", "''")
    date_format = f", dateformat='{DATE_FORMAT}'" if typed else ""
    return (
        f"read_csv('{source_literal}', header=true, auto_detect=false, delim=',', quote='\"',"
        f" escape='\"', columns={{{columns}}}{date_format}, strict_mode=true, ignore_errors=false)"
    )


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

    One transaction: a malformed file raises BadFileError and leaves the table as it was.
    Returns the number of rows loaded.
    """
    header = read_header(conn, source, file)
    key_tag = next(tag for tag in tags if tag.column == key)
    names = ", ".join(f'"{name}"' for name in [*COLUMNS, *(tag.column for tag in tags)])
    values = ", ".join([f'"{name}"' for name in COLUMNS] + [f"?::{tag.sql_type}" for tag in tags])
    conn.execute("BEGIN TRANSACTION")
    try:
        ensure_table(conn, table, tags)
        conn.execute(
            f'DELETE FROM "{table}" WHERE "{key}" = ?::{key_tag.sql_type}', [key_tag.value]
        )
        loaded = conn.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {values} FROM {csv_scan(source, header)}',
            [tag.value for tag in tags],
        ).fetchone()[0]
        if loaded == 0:
            raise BadFileError(file, "has a header but no data rows")
        conn.execute("COMMIT")
    except duckdb.Error as error:
        conn.execute("ROLLBACK")
        raise BadFileError(file, describe(error)) from error
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return loaded


def read_arrow(source: str, file: str):
    """A whole file as an Arrow table, parsed exactly as the loads parse it (for dlt)."""
    with duckdb.connect(config=DUCKDB_CONFIG) as conn:
        header = read_header(conn, source, file)
        try:
            table = conn.execute(f"SELECT * FROM {csv_scan(source, header)}").to_arrow_table()
        except duckdb.Error as error:
            raise BadFileError(file, describe(error)) from error
    if table.num_rows == 0:
        raise BadFileError(file, "has a header but no data rows")
    return table.select(list(COLUMNS))
