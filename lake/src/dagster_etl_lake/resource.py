"""LakeResource: dagster-duckdb's DuckDBResource with the lake attached and the location's schema
in use on every connection.

dagster-duckdb has no hook to run SQL after connecting, so get_connection is overridden. Opening
the lake costs a fresh DuckDB session its extension loads and the ATTACH (bench/warehouse.py), so
each process opens it once and every get_connection is a cursor on that session: a run's steps
pay it once, and each cursor has its own transaction and temp tables.
"""

import os
from contextlib import contextmanager

import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field

from dagster_etl_lake.attach import SESSION_CONFIG, connect, identifier
from dagster_etl_lake.conflicts import in_transaction
from dagster_etl_lake.settings import ALIAS, lake_settings

_sessions: dict[tuple, duckdb.DuckDBPyConnection] = {}
_schemas: set[tuple] = set()  # (session key, schema) made sure of


def _session(config: dict, read_only: bool) -> tuple[tuple, duckdb.DuckDBPyConnection]:
    settings = lake_settings()  # read when used: a run reads its own container's environment
    # Per process: a forked child must not share its parent's DuckDB session.
    key = (os.getpid(), settings, tuple(sorted(config.items())), read_only)
    if key not in _sessions:
        _sessions[key] = connect(settings, read_only=read_only, config=config)
    return key, _sessions[key]


class LakeResource(DuckDBResource):
    """The lake, for one location: `USE lake.<lake_schema>` on every connection, so the
    location's SQL names its tables as before (raw_data, not lake.files.raw_data)."""

    database: str = Field(default=":memory:",
                          description="Unused: the lake is attached to an in-memory session.")
    lake_schema: str = Field(description="The location's schema in the lake.")
    read_only: bool = Field(default=False, description="Attach READ_ONLY (readers).")
    connection_config: dict = Field(default_factory=lambda: dict(SESSION_CONFIG),
                                    description="DuckDB settings of the session.")

    @contextmanager
    def get_connection(self):
        key, session = _session(dict(self.connection_config), self.read_only)
        conn = session.cursor()
        try:
            if not self.read_only and (key, self.lake_schema) not in _schemas:
                in_transaction(conn, lambda c: c.execute(
                    f"CREATE SCHEMA IF NOT EXISTS {ALIAS}.{identifier(self.lake_schema)}"))
                _schemas.add((key, self.lake_schema))
            conn.execute(f"USE {ALIAS}.{identifier(self.lake_schema)}")
            yield conn
        except duckdb.Error:
            # Whatever broke (a lost catalog connection, say), the next connection starts afresh.
            _sessions.pop(key, None)
            raise
        finally:
            conn.close()
