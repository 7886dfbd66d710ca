"""Asteroid tables in api.duckdb: a date's rows are replaced in one transaction."""

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from api_location.asteroid_rows import COLUMNS, NULLABLE, PRIMARY_KEY


def table_ddl(table: str) -> str:
    """CREATE TABLE IF NOT EXISTS for an asteroid table, from asteroid_rows' declaration."""
    columns = [
        f"{name} {sql_type}" + ("" if name in NULLABLE else " NOT NULL")
        for name, sql_type in COLUMNS.items()
    ]
    columns.append(f"PRIMARY KEY ({', '.join(PRIMARY_KEY)})")
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})"


def replace_days_from_csv(
    conn: duckdb.DuckDBPyConnection, table: str, dates: Sequence[str], csv_path: Path
) -> int:
    """Replace the rows of `dates` with the staging CSV's rows; returns the rows inserted."""
    columns = ", ".join(COLUMNS)
    return _replace_days(
        conn,
        table,
        dates,
        lambda: conn.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM read_csv(?, header = true, "
            f"columns = {COLUMNS!r}, auto_detect = false)",
            [str(csv_path)],
        ),
    )


def replace_days_from_rows(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    dates: Sequence[str],
    rows: Iterable[dict[str, Any]],
) -> int:
    """Replace the rows of `dates` with `rows`; returns the rows inserted."""
    values = [tuple(row[c] for c in COLUMNS) for row in rows]
    placeholders = ", ".join("?" for _ in COLUMNS)

    def insert() -> None:
        if values:
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})", values
            )

    return _replace_days(conn, table, dates, insert)


def _replace_days(conn, table: str, dates: Sequence[str], insert) -> int:
    conn.execute(table_ddl(table))
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(
            f"DELETE FROM {table} WHERE approach_date IN (SELECT unnest(?::DATE[]))", [list(dates)]
        )
        after_delete = _count(conn, table)
        insert()
        inserted = _count(conn, table) - after_delete
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return inserted


def _count(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
