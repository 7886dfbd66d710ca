"""Daily partitions: <day>.csv -> raw_partition_data, one atomic replace per day."""

import importlib
from datetime import datetime

import dagster as dg
import pytest
from conftest import HEADER, failure_text, put_sample, query

from files_location.definitions import defs
from files_location.defs import daily_partitions as daily_partitions_module
from files_location.defs.daily_partitions import (
    daily_partitions,
    duckdb_partition_table,
    import_partition_file,
    import_partition_job,
    import_partition_schedule,
)
from files_location.sample_data import SAMPLE_FILES


def run_partition(duckdb_resource, day):
    return dg.materialize(
        [import_partition_file, duckdb_partition_table],
        partition_key=day,
        resources={"duckdb": duckdb_resource},
        raise_on_error=False,
    )


def counts(warehouse):
    return dict(
        query(
            warehouse,
            "SELECT partition_date::VARCHAR, count(*) FROM raw_partition_data GROUP BY 1 ORDER BY 1",
        )
    )


def test_every_sample_day_is_a_partition():
    keys = daily_partitions.get_partition_keys(current_time=datetime(2018, 1, 30))
    assert keys[:3] == ["2018-01-22", "2018-01-23", "2018-01-24"]


def test_partitions_load_and_reruns_do_not_duplicate(landing, warehouse, duckdb_resource):
    for name in SAMPLE_FILES:
        put_sample(landing, name)
    for _ in range(2):
        for day in ("2018-01-22", "2018-01-23", "2018-01-24"):
            assert run_partition(duckdb_resource, day).success
    # The dates inside the files are September/October; partitions are still kept apart.
    assert counts(warehouse) == {"2018-01-22": 8, "2018-01-23": 11, "2018-01-24": 9}
    assert query(warehouse, "SELECT DISTINCT source_file FROM raw_partition_data ORDER BY 1") == [
        (name,) for name in SAMPLE_FILES
    ]


def test_partition_with_no_file(landing, warehouse, duckdb_resource):
    result = run_partition(duckdb_resource, "2018-01-25")
    assert not result.success
    assert "2018-01-25.csv: no such file in the landing folder" in failure_text(result)
    assert counts(warehouse) == {}


def test_malformed_rerun_leaves_the_partition_as_it_was(landing, warehouse, duckdb_resource):
    put_sample(landing, "2018-01-23.csv")
    assert run_partition(duckdb_resource, "2018-01-23").success
    # A new version whose last row is broken: the first rows parse, the load must still undo.
    good_rows = "".join(f'"2018/10/{day:02d}","250.5","1","2","3","4"\n' for day in range(1, 20))
    (landing / "2018-01-23.csv").write_text(
        HEADER + good_rows + '"2018/10/20","abc","1","2","3","4"\n'
    )
    result = run_partition(duckdb_resource, "2018-01-23")
    assert not result.success
    text = failure_text(result)
    assert "2018-01-23.csv: breaks contract rule 'types': 1 of 20 rows" in text
    assert counts(warehouse) == {"2018-01-23": 11}


def evaluate_schedule(definitions, when):
    schedule = definitions.resolve_schedule_def(import_partition_schedule.name)
    context = dg.build_schedule_context(
        scheduled_execution_time=when, repository_def=definitions.get_repository_def()
    )
    return schedule, schedule.evaluate_tick(context)


def test_schedule_imports_the_day_that_just_ended(monkeypatch):
    monkeypatch.delenv("IMPORT_PARTITION_SCHEDULE_CRON", raising=False)
    schedule, tick = evaluate_schedule(defs(), datetime(2018, 1, 25, 0, 0))
    (request,) = tick.run_requests
    assert request.partition_key == "2018-01-24"
    assert schedule.job_name == import_partition_job.name == "import_partition_job"
    assert schedule.cron_schedule == "0 0 * * *"
    # Stopped until someone starts it: a new deployment has no file for yesterday.
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    _, before_first_day = evaluate_schedule(defs(), datetime(2018, 1, 22, 0, 0))
    assert before_first_day.run_requests == [] and before_first_day.skip_message


@pytest.mark.parametrize(
    "value, cron", [("", "0 0 * * *"), ("  ", "0 0 * * *"), ("30 6 * * *", "30 6 * * *")]
)
def test_schedule_cron_comes_from_the_environment(monkeypatch, value, cron):
    monkeypatch.setenv("IMPORT_PARTITION_SCHEDULE_CRON", value)
    try:
        module = importlib.reload(daily_partitions_module)
        schedule = module.import_partition_schedule
        assert schedule.cron_schedule == cron
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
        if value.strip():
            # At 06:30 on the 25th, the last complete day is still the 24th.
            context = dg.build_schedule_context(
                scheduled_execution_time=datetime(2018, 1, 25, 6, 30),
                repository_def=dg.Definitions(
                    assets=[module.import_partition_file, module.duckdb_partition_table],
                    jobs=[module.import_partition_job],
                    schedules=[schedule],
                    resources={"duckdb": dg.ResourceDefinition.none_resource()},
                ).get_repository_def(),
            )
            (request,) = schedule.evaluate_tick(context).run_requests
            assert request.partition_key == "2018-01-24"
    finally:
        monkeypatch.delenv("IMPORT_PARTITION_SCHEDULE_CRON")
        importlib.reload(daily_partitions_module)
