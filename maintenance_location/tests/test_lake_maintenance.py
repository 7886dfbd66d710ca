"""The lake_maintenance job on a lake that took a day of small loads, as the schedule runs it."""

from pathlib import Path

import dagster as dg
import pytest

from dagster_etl_lake import connect, in_transaction
from dagster_etl_lake.prepare import prepare
from dagster_etl_lake.settings import READER
from maintenance_location.definitions import defs

FILES = 150


def small_loads(files: int, rows: int) -> None:
    with connect() as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS files")
        conn.execute("CREATE TABLE IF NOT EXISTS files.raw_data (n BIGINT, source_file VARCHAR)")
        for file in range(files):
            def load(c, file=file):
                c.execute("DELETE FROM files.raw_data WHERE source_file = ?", [f"{file}.csv"])
                c.execute("INSERT INTO files.raw_data SELECT range, ? FROM range(?)", [f"{file}.csv", rows])

            in_transaction(conn, load)


def parquet_files(lake) -> int:
    return sum(1 for _ in Path(lake.data_path).rglob("*.parquet"))


def test_the_job_writes_out_small_loads_and_merges_files_and_keeps_every_row(lake, monkeypatch):
    prepare()  # what the init service does on first start
    small_loads(FILES, rows=8)  # the course's files: kept in the catalog, no Parquet file each
    small_loads(40, rows=3000)  # bigger ones: a Parquet file each (and the first 40 replaced)
    before = parquet_files(lake)
    with connect(lake.as_role(READER), read_only=True) as reader:
        expected = reader.sql("SELECT count(*), sum(n) FROM files.raw_data").fetchone()

    result = defs().resolve_job_def("lake_maintenance").execute_in_process()
    assert result.success
    [output] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_OUTPUT]
    report = {key: value.value for key, value in output.step_output_data.metadata.items()}
    assert report["inlined_rows_flushed"] > 0 and report["files_merged"] >= 40
    assert report["data_files"] < before
    # The files merged away stay a day, for readers still on an older snapshot.
    assert report["files_deleted"] == 0 and parquet_files(lake) > before
    assert report["snapshot_retention_days"] == 7
    with connect(lake.as_role(READER), read_only=True) as reader:
        assert reader.sql("SELECT count(*), sum(n) FROM files.raw_data").fetchone() == expected
        assert expected[0] == (FILES - 40) * 8 + 40 * 3000


def test_the_schedule_runs_hourly_from_the_start_and_its_cron_can_be_changed(monkeypatch):
    schedule = defs().resolve_schedule_def("lake_maintenance_schedule")
    assert schedule.cron_schedule == "17 * * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    monkeypatch.setenv("LAKE_MAINTENANCE_CRON", "0 3 * * *")
    assert defs().resolve_schedule_def("lake_maintenance_schedule").cron_schedule == "0 3 * * *"
    monkeypatch.setenv("LAKE_MAINTENANCE_CRON", "every hour")
    with pytest.raises(Exception) as raised:
        defs()
    # What the code server shows: dagster's error naming the module, and under it the cause.
    chain, error = [], raised.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__ or error.__context__
    assert any("LAKE_MAINTENANCE_CRON='every hour' is not a cron expression" in text for text in chain)
