"""Moving a deployment of the DuckDB-file era into the lake, once: every table of every
`<location>.duckdb` in the warehouse folder is copied, and the files are left as they were.

`main` becomes the location's schema (files.duckdb's main.raw_data -> lake.files.raw_data); every
other schema keeps its name (dlt's datasets: csv_data.load_csv -> lake.csv_data.load_csv). One
lake transaction per file, whose commit message records it, so that a migration cut short is
done again whole and a finished one never twice.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_etl_lake.attach import identifier, sql_literal
from dagster_etl_lake.conflicts import in_transaction
from dagster_etl_lake.settings import ALIAS

AUTHOR = "dagster-etl migration"
OLD = "old_file"  # the DuckDB file's name while it is attached


@dataclass(frozen=True)
class Migrated:
    file: str
    tables: dict[str, int]  # lake table -> rows copied


def message(file: Path) -> str:
    return f"copied {file.name} into the lake"


def already_migrated(conn: duckdb.DuckDBPyConnection, file: Path) -> bool:
    (count,) = conn.execute(
        f"SELECT count(*) FROM {ALIAS}.snapshots() WHERE author = ? AND commit_message = ?",
        [AUTHOR, message(file)],
    ).fetchone()
    return count > 0


def _tables(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1, 2",
        [OLD],
    ).fetchall()


def migrate_file(conn: duckdb.DuckDBPyConnection, file: Path) -> Migrated | None:
    """Copies the tables of one DuckDB file (read-only) into the lake; None if done before."""
    if already_migrated(conn, file):
        return None
    conn.execute(f"ATTACH {sql_literal(str(file))} AS {OLD} (READ_ONLY)")
    try:
        tables = _tables(conn)

        def copy(c: duckdb.DuckDBPyConnection) -> dict[str, int]:
            copied = {}
            c.execute(f"CALL {ALIAS}.set_commit_message(?, ?, extra_info => ?)",
                      [AUTHOR, message(file), json.dumps({"tables": len(tables)})])
            for schema, table in tables:
                target_schema = file.stem if schema == "main" else schema
                target = f"{ALIAS}.{identifier(target_schema)}.{identifier(table)}"
                c.execute(f"CREATE SCHEMA IF NOT EXISTS {ALIAS}.{identifier(target_schema)}")
                # Constraints (PRIMARY KEY) do not exist in DuckLake; the rows and types are kept.
                source = f"{OLD}.{identifier(schema)}.{identifier(table)}"
                c.execute(f"CREATE TABLE {target} AS SELECT * FROM {source}")
                (copied[f"{target_schema}.{table}"],) = c.execute(f"SELECT count(*) FROM {target}").fetchone()
            return copied

        return Migrated(file.name, in_transaction(conn, copy))
    finally:
        conn.execute(f"DETACH {OLD}")


def migrate_folder(conn: duckdb.DuckDBPyConnection, folder: Path) -> list[Migrated]:
    return [done for file in sorted(folder.glob("*.duckdb")) if (done := migrate_file(conn, file))]
