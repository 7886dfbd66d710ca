"""Keeping the lake small and fast while loads keep coming: DuckLake's own maintenance calls, in
the order that lets each one finish the previous one's work.

1. flush inlined data: the small inserts kept in the catalog become one Parquet file per table;
2. merge adjacent files: many small files of a table become few;
3. rewrite data files: files mostly deleted (reloaded days and files) are written anew;
4. expire snapshots older than the retention: time travel reaches back that far, no further;
5. clean up old files: files no snapshot reads any more (expired, or merged away) are deleted a
   day after that, since a reader's transaction may still be scanning them;
6. delete orphaned files: files of writes that never committed (a killed run) are deleted.

Each call is its own transaction and may conflict with a load committing at the same moment; it
is then retried (conflicts.py), and the loads retry theirs.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb

from dagster_etl_lake.conflicts import in_transaction
from dagster_etl_lake.settings import ALIAS

# Files younger than this are never deleted as orphans: a load may be writing them right now.
ORPHAN_GRACE = timedelta(hours=1)
# Files no snapshot reads any more are kept this long after that: a reader's transaction that
# began before (an analyst's session, a long query) may still scan them.
READER_GRACE = timedelta(days=1)
# A data file with at least this share of its rows deleted is rewritten.
DELETE_THRESHOLD = 0.5


@dataclass
class Report:
    inlined_rows_flushed: int = 0
    files_merged: int = 0
    files_rewritten: int = 0
    snapshots_expired: int = 0
    files_deleted: int = 0
    data_files: int = 0  # after maintenance
    snapshots: int = 0  # after maintenance
    seconds: dict[str, float] = field(default_factory=dict)


def _call(conn: duckdb.DuckDBPyConnection, sql: str, params=()) -> list[tuple]:
    return in_transaction(conn, lambda c: c.execute(sql, list(params)).fetchall())


def _count(conn, sql: str) -> int:
    return conn.execute(sql).fetchone()[0]


def maintain(conn: duckdb.DuckDBPyConnection, *, keep_snapshots: timedelta,
             now: datetime | None = None) -> Report:
    """One pass over the whole lake attached as `lake`; returns what it did."""
    now = now or datetime.now(UTC)
    report = Report()

    def timed(name: str, sql: str, params=()) -> list[tuple]:
        started = datetime.now(UTC)
        rows = _call(conn, sql, params)
        report.seconds[name] = round((datetime.now(UTC) - started).total_seconds(), 3)
        return rows

    flushed = timed("flush_inlined_data", f"CALL ducklake_flush_inlined_data('{ALIAS}')")
    report.inlined_rows_flushed = sum(row[2] for row in flushed)  # (schema, table, rows_flushed)
    # (schema, table, files_processed, files_created) per table
    merged = timed("merge_adjacent_files", f"CALL ducklake_merge_adjacent_files('{ALIAS}')")
    report.files_merged = sum(row[2] for row in merged)
    rewritten = timed("rewrite_data_files",
                      f"CALL ducklake_rewrite_data_files('{ALIAS}', delete_threshold => ?)",
                      [DELETE_THRESHOLD])
    report.files_rewritten = sum(row[2] for row in rewritten)
    report.snapshots_expired = len(timed(
        "expire_snapshots", f"CALL ducklake_expire_snapshots('{ALIAS}', older_than => ?)",
        [now - keep_snapshots]))
    deleted = timed("cleanup_old_files", f"CALL ducklake_cleanup_old_files('{ALIAS}', older_than => ?)",
                    [now - READER_GRACE])
    deleted += timed("delete_orphaned_files",
                     f"CALL ducklake_delete_orphaned_files('{ALIAS}', older_than => ?)", [now - ORPHAN_GRACE])
    report.files_deleted = len(deleted)
    report.data_files = _data_files(conn)
    report.snapshots = _count(conn, f"SELECT count(*) FROM {ALIAS}.snapshots()")
    return report


def _data_files(conn) -> int:
    return sum(row[0] for row in conn.execute(
        f"SELECT file_count FROM {ALIAS}.table_info()").fetchall())
