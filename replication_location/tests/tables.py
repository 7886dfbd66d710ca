"""Reads a table from Postgres and from DuckDB the same way, to compare them."""

import hashlib
from pathlib import Path

import duckdb

PRIMARY_KEYS = {"customers": "customer_id", "products": "product_id", "orders": "order_id"}


def source_columns(conn, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'data' AND table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [name for (name,) in rows]


def source_rows(conn, table: str, columns: list[str] | None = None) -> list[tuple]:
    columns = columns or source_columns(conn, table)
    query = f"SELECT {', '.join(columns)} FROM data.{table} ORDER BY {PRIMARY_KEYS[table]}"
    return conn.execute(query).fetchall()


def duckdb_rows(path: Path, table: str, columns: list[str], schema: str = "main") -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        query = f"SELECT {', '.join(columns)} FROM {schema}.data_{table} ORDER BY {PRIMARY_KEYS[table]}"
        return conn.execute(query).fetchall()


def duckdb_query(path: Path, query: str, params=None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(query, params or []).fetchall()


def checksum(rows: list[tuple]) -> str:
    """Order-sensitive digest of the values' text form (types must map exactly to match)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join("\\N" if v is None else str(v) for v in row).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def loaded_at_by_order(path: Path) -> dict[int, object]:
    """order_id -> the time of the Sling run that last wrote the row (_sling_loaded_at)."""
    return dict(duckdb_query(path, "SELECT order_id, _sling_loaded_at FROM main.data_orders"))


def assert_same_as_source(conn, path: Path, table: str, schema: str = "main") -> int:
    """Every source row is in DuckDB with equal values (count and checksum); returns the count."""
    columns = source_columns(conn, table)
    expected = source_rows(conn, table, columns)
    copied = duckdb_rows(path, table, columns, schema)
    assert len(copied) == len(expected), f"{table}: {len(copied)} rows copied, {len(expected)} in source"
    assert checksum(copied) == checksum(expected), f"{table}: values differ from the source"
    return len(copied)
