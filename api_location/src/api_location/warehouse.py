"""Asteroid tables in the lake: a date's rows are replaced in one transaction."""

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from api_location.asteroid_rows import COLUMNS, NULLABLE
from dagster_etl_lake import in_transaction


def table_ddl(table: str) -> str:
    """CREATE TABLE IF NOT EXISTS for an asteroid table, from asteroid_rows' declaration.

    DuckLake has no PRIMARY KEY; (id, approach_date) stays unique because every load replaces
    whole days (tests/test_asteroids_partition.py)."""
    columns = [
        f"{name} {sql_type}" + ("" if name in NULLABLE else " NOT NULL")
        for name, sql_type in COLUMNS.items()
    ]
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
        lambda c: c.execute(
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

    def insert(c) -> None:
        if values:
            c.executemany(
                f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})", values
            )

    return _replace_days(conn, table, dates, insert)


def _replace_days(conn, table: str, dates: Sequence[str], insert) -> int:
    """One transaction; run again from the start when another run replacing other days of the
    same table commits first (the runs of one backfill do)."""

    def load(c) -> int:
        c.execute(table_ddl(table))
        c.execute(f"DELETE FROM {table} WHERE approach_date IN (SELECT unnest(?::DATE[]))", [list(dates)])
        after_delete = _count(c, table)
        insert(c)
        return _count(c, table) - after_delete

    def told(attempt: int, error: BaseException) -> None:
        dg.get_dagster_logger().info(f"{table}: another run changed the table during this load"
                                     f" (attempt {attempt}); loading again")

    return in_transaction(conn, load, on_conflict=told)


def _count(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
