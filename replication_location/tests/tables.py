"""Reads a table from Postgres and from the lake the same way, to compare them."""

import hashlib

import duckdb

from dagster_etl_lake import LakeSettings, connect
from dagster_etl_lake.settings import READER

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


def lake_query(lake: LakeSettings, query: str, params=None) -> list[tuple]:
    """Rows from the lake as an analyst reads them (the reader role), in the location's schema."""
    with connect(lake.as_role(READER), read_only=True) as conn:
        try:
            conn.execute("USE lake.replication")
        except duckdb.CatalogException:
            pass  # only the component's schema so far
        return conn.execute(query, params or []).fetchall()


def lake_rows(lake: LakeSettings, table: str, columns: list[str], schema: str = "replication") -> list[tuple]:
    query = f"SELECT {', '.join(columns)} FROM {schema}.data_{table} ORDER BY {PRIMARY_KEYS[table]}"
    return lake_query(lake, query)


def checksum(rows: list[tuple]) -> str:
    """Order-sensitive digest of the values' text form (types must map exactly to match)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join("\\N" if v is None else str(v) for v in row).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def loaded_at_by_order(lake: LakeSettings) -> dict[int, object]:
    """order_id -> the time of the Sling run that last wrote the row (_sling_loaded_at)."""
    return dict(lake_query(lake, "SELECT order_id, _sling_loaded_at FROM data_orders"))


def assert_same_as_source(conn, lake: LakeSettings, table: str, schema: str = "replication") -> int:
    """Every source row is in the lake with equal values (count and checksum); returns the count."""
    columns = source_columns(conn, table)
    expected = source_rows(conn, table, columns)
    copied = lake_rows(lake, table, columns, schema)
    assert len(copied) == len(expected), f"{table}: {len(copied)} rows copied, {len(expected)} in source"
    assert checksum(copied) == checksum(expected), f"{table}: values differ from the source"
    return len(copied)
