"""Postgres -> DuckDB through DuckDB's postgres extension, writing the tables Sling writes.

The source is attached READ_ONLY; rows go from Postgres's binary COPY into DuckDB's storage
without passing through Python, so a run's memory does not grow with the table. Each stream is
one DuckDB transaction: a failed read leaves the target as it was.

- full-refresh: the new table is built and replaces the old one in the same transaction;
- incremental: the first run (no target table) is a bulk copy; later runs ask Postgres for the
  rows past max(update_key) of the target (the state, as Sling derives it) or whose update key is
  NULL, add columns new at the source, and merge the rows by primary key (delete + insert).
"""

from dataclasses import dataclass
from datetime import datetime

import duckdb

from dagster_etl_lake import in_transaction
from dagster_etl_lake.attach import identifier, sql_literal
from dagster_etl_lake.extensions import extension_file
from replication_location.replication_config import FULL_REFRESH, DuckDBStream

SOURCE = "source_postgres"  # the attached database's name in DuckDB


class SourceUnreachable(RuntimeError):
    pass


@dataclass(frozen=True)
class PostgresSource:
    host: str
    port: int
    database: str
    user: str
    password: str
    sslmode: str = "disable"


@dataclass(frozen=True)
class StreamResult:
    rows: int  # rows in the target table after the run
    written: int  # rows this run wrote
    columns: list[tuple[str, str]]  # (name, DuckDB type) in table order


def attach_source(conn: duckdb.DuckDBPyConnection, source: PostgresSource) -> None:
    """Loads the extension from its wheel and attaches the source read-only (in place of a source
    the session attached before). The password goes into a temporary secret, not the connection
    string, which DuckDB repeats in its errors."""
    conn.execute(f"LOAD {sql_literal(str(extension_file('postgres_scanner')))}")
    detach_source(conn)
    conn.execute(
        f"CREATE OR REPLACE TEMPORARY SECRET {SOURCE}_login (TYPE postgres, HOST {sql_literal(source.host)},"
        f" PORT {int(source.port)}, DATABASE {sql_literal(source.database)}, USER {sql_literal(source.user)},"
        f" PASSWORD {sql_literal(source.password)})"
    )
    try:
        conn.execute(f"ATTACH {sql_literal('sslmode=' + source.sslmode)} AS {SOURCE}"
                     f" (TYPE postgres, SECRET {SOURCE}_login, READ_ONLY)")
    except duckdb.Error as error:
        raise SourceUnreachable(
            f"could not connect to the source Postgres {source.host}:{source.port}/{source.database}"
            f" as {source.user}: {error}") from error


def detach_source(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"DETACH DATABASE IF EXISTS {SOURCE}")


def _columns(conn, table: str) -> list[tuple[str, str]]:
    """(name, type) of a DuckDB table in order, [] if there is none. (DESCRIBE, not
    information_schema: that would also list the attached Postgres catalog.)"""
    try:
        return [(name, type_) for name, type_, *_ in conn.execute(f"DESCRIBE {table}").fetchall()]
    except duckdb.CatalogException:
        return []


# Postgres types the extension reads as a DuckDB type other than the one Sling creates, and the
# conversion that gives Sling's values (real goes through its shortest text, as Sling reads it:
# 0.1, not 0.10000000149011612). Arrays, interval and char(n) keep DuckDB's own form (README).
SLING_TYPES = {
    "real": "CAST(CAST({} AS VARCHAR) AS DOUBLE)",
    "numeric": "CAST({} AS DECIMAL(24,6))",  # numeric without precision
    "json": "CAST({} AS VARCHAR)",  # Sling's DuckLake target keeps JSON as text
    "jsonb": "CAST({} AS VARCHAR)",
}


def _as_sling_types(conn, stream: DuckDBStream) -> str:
    """`* REPLACE (...)` casting the columns whose DuckDB type is not the one Sling creates."""
    catalog_query = (
        "select column_name, data_type from information_schema.columns"
        f" where table_schema = {sql_literal(stream.source_schema)}"
        f" and table_name = {sql_literal(stream.source_table)}"
        " and (data_type in ('real', 'json', 'jsonb')"
        " or (data_type = 'numeric' and numeric_precision is null))")
    columns = conn.execute(
        f"SELECT * FROM postgres_query({sql_literal(SOURCE)}, {sql_literal(catalog_query)})").fetchall()
    casts = [f"{SLING_TYPES[type_].format(identifier(name))} AS {identifier(name)}"
             for name, type_ in columns]
    return f"* REPLACE ({', '.join(casts)})" if casts else "*"


def _source_table(stream: DuckDBStream) -> str:
    return f"{identifier(stream.source_schema)}.{identifier(stream.source_table)}"


def _select(columns: str, rows: str, stream: DuckDBStream, loaded_at: datetime) -> tuple[str, list]:
    if stream.loaded_at_column:
        return (f"SELECT {columns}, ?::TIMESTAMPTZ AS {identifier(stream.loaded_at_column)} FROM {rows}",
                [loaded_at])
    return f"SELECT {columns} FROM {rows}", []


def _count(conn, target: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {target}").fetchone()[0]


def replicate(conn: duckdb.DuckDBPyConnection, stream: DuckDBStream, loaded_at: datetime) -> StreamResult:
    """Copies one stream in one transaction (run again from the start should the lake's
    maintenance commit to the table meanwhile); `conn` has the source attached."""
    target = f"{identifier(stream.target_schema)}.{identifier(stream.target_table)}"
    columns = _as_sling_types(conn, stream)

    def copy(c) -> int:
        exists = bool(_columns(c, target))
        c.execute(f"CREATE SCHEMA IF NOT EXISTS {identifier(stream.target_schema)}")
        if stream.mode == FULL_REFRESH or not exists:
            # The extension's table scan: parallel, binary COPY.
            query, params = _select(columns, f"{SOURCE}.{_source_table(stream)}", stream, loaded_at)
            c.execute(f"CREATE OR REPLACE TABLE {target} AS {query}", params)
            return _count(c, target)
        return _merge(c, stream, target, columns, loaded_at)

    written = in_transaction(conn, copy)
    return table_result(conn, target, written)


def table_result(conn: duckdb.DuckDBPyConnection, target: str, written: int = 0) -> StreamResult:
    """What a lake table holds now: its rows and columns (`target` quoted, schema.table)."""
    return StreamResult(rows=_count(conn, target), written=written, columns=_columns(conn, target))


def _merge(conn, stream: DuckDBStream, target: str, columns: str, loaded_at: datetime) -> int:
    update_key = identifier(stream.update_key)
    [(checkpoint,)] = conn.execute(f"SELECT CAST(max({update_key}) AS VARCHAR) FROM {target}").fetchall()
    if checkpoint is None:  # nothing dated copied yet: every row
        rows = f"{SOURCE}.{_source_table(stream)}"
    else:
        # The filter runs in Postgres (its index on the update key): the extension would apply
        # the IS NULL half in DuckDB, after the whole table crossed the wire.
        changed = (f"SELECT * FROM {_source_table(stream)}"
                   f" WHERE {update_key} > {sql_literal(checkpoint)} OR {update_key} IS NULL")
        rows = f"postgres_query({sql_literal(SOURCE)}, {sql_literal(changed)})"
    query, params = _select(columns, rows, stream, loaded_at)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE changed_rows AS {query}", params)
    written = _count(conn, "changed_rows")
    if written:
        # Columns added at the source appear at the end of the target, NULL in older rows.
        present = {name for name, _ in _columns(conn, target)}
        for name, type_ in _columns(conn, "changed_rows"):
            if name not in present:
                conn.execute(f"ALTER TABLE {target} ADD COLUMN {identifier(name)} {type_}")
        same_key = " AND ".join(f"{target}.{identifier(k)} = changed_rows.{identifier(k)}"
                                for k in stream.primary_key)
        conn.execute(f"DELETE FROM {target} USING changed_rows WHERE {same_key}")
        conn.execute(f"INSERT INTO {target} BY NAME SELECT * FROM changed_rows")
    conn.execute("DROP TABLE changed_rows")
    return written
