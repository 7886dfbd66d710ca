"""The maintenance pass on a lake that took many small loads: few files, rows intact, snapshots
older than the retention expired and their files deleted, a reader unharmed."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from dagster_etl_lake import connect, in_transaction
from dagster_etl_lake.maintenance import maintain
from dagster_etl_lake.prepare import prepare
from dagster_etl_lake.settings import READER

FILES = 120


def load_small_files(conn, files: int, rows: int) -> None:
    for file in range(files):
        def load(c, file=file):
            c.execute("DELETE FROM raw_data WHERE source_file = ?", [f"{file}.csv"])
            c.execute("INSERT INTO raw_data SELECT range, ? FROM range(?)", [f"{file}.csv", rows])

        in_transaction(conn, load)


def parquet_files(data_path: str) -> int:
    return sum(1 for _ in Path(data_path).rglob("*.parquet"))


def test_small_loads_end_up_in_few_files_and_old_snapshots_go(lake):
    prepare()  # what init does: the catalog keeps small inserts inline
    with connect() as conn:
        conn.execute("CREATE SCHEMA files")
        conn.execute("CREATE TABLE files.raw_data (n BIGINT, source_file VARCHAR)")
        conn.execute("USE lake.files")
        load_small_files(conn, FILES, rows=8)  # the course's file size: kept in the catalog
        load_small_files(conn, 30, rows=2000)  # larger files: a Parquet file each
        assert parquet_files(lake.data_path) >= 30
        (snapshots_before,) = conn.sql("SELECT count(*) FROM lake.snapshots()").fetchone()
        expected = conn.sql("SELECT count(*), sum(n), count(DISTINCT source_file) FROM raw_data").fetchone()

        with connect(lake.as_role(READER), read_only=True) as reader:
            reader.execute("BEGIN")
            (reading,) = reader.sql("SELECT count(*) FROM files.raw_data").fetchone()
            later = datetime.now(UTC) + timedelta(days=8)
            report = maintain(conn, keep_snapshots=timedelta(days=7), now=later)
            assert reader.sql("SELECT count(*) FROM files.raw_data").fetchone() == (reading,)
            reader.execute("COMMIT")

        counts = "SELECT count(*), sum(n), count(DISTINCT source_file) FROM raw_data"
        assert conn.sql(counts).fetchone() == expected
        assert expected == (FILES * 8 - 30 * 8 + 30 * 2000, expected[1], FILES)
        assert report.inlined_rows_flushed > 0 and report.files_merged >= 30
        assert report.snapshots_expired >= snapshots_before - 2
        assert report.files_deleted >= 30
        assert parquet_files(lake.data_path) <= 3
        assert report.data_files <= 3


def test_a_reader_holding_a_snapshot_can_still_scan_its_files_after_the_hourly_pass(lake):
    prepare()
    with connect() as conn:
        conn.execute("CREATE SCHEMA files")
        conn.execute("CREATE TABLE files.raw_data (n BIGINT, source_file VARCHAR)")
        conn.execute("USE lake.files")
        load_small_files(conn, 20, rows=2000)  # a Parquet file each, merged by the pass
        with connect(lake.as_role(READER), read_only=True) as reader:
            reader.execute("BEGIN")
            scan = "SELECT count(*), sum(n), min(source_file) FROM files.raw_data"
            before = reader.sql(scan).fetchone()
            files = parquet_files(lake.data_path)
            report = maintain(conn, keep_snapshots=timedelta(days=7))
            assert report.files_merged >= 20
            # The files it merged away stay a day: a reader's snapshot may still be reading them.
            assert report.files_deleted == 0 and parquet_files(lake.data_path) > files
            assert reader.sql(scan).fetchone() == before
            reader.execute("COMMIT")
