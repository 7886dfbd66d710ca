"""landing_folder_sensor -> dynamic partitions -> raw_dynamic_partition_data."""

import importlib
import os

import dagster as dg
import pytest
from conftest import HEADER, put_sample, query
from files_location.defs import sensors
from files_location.defs.dynamic_partitions import (
    duckdb_dynamic_partition_table,
    import_dynamic_partition_file,
    landing_files,
)
from files_location.defs.sensors import landing_folder_sensor


@pytest.fixture()
def instance():
    with dg.instance_for_test() as instance:
        yield instance


class Ticks:
    """Evaluates the sensor as the daemon would: cursor carried over, partitions added."""

    def __init__(self, instance):
        self.instance = instance
        self.cursor = None

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor)
        result = landing_folder_sensor(context)
        self.cursor = result.cursor
        for request in result.dynamic_partitions_requests or []:
            self.instance.add_dynamic_partitions(
                request.partitions_def_name, request.partition_keys
            )
        return result


def added_keys(result):
    return [key for r in result.dynamic_partitions_requests or [] for key in r.partition_keys]


def requested(result):
    return [r.partition_key for r in result.run_requests]


def test_new_file_is_requested_once_after_it_stops_changing(landing, instance):
    ticks = Ticks(instance)
    put_sample(landing, "2018-01-22.csv")
    first = ticks.tick()
    assert requested(first) == [] and added_keys(first) == []  # seen once: may still be growing
    second = ticks.tick()
    assert requested(second) == ["2018-01-22.csv"]
    assert added_keys(second) == ["2018-01-22.csv"]
    assert second.run_requests[0].run_key.startswith("2018-01-22.csv@")
    third = ticks.tick()
    assert requested(third) == [] and added_keys(third) == []


def test_replaced_file_runs_again_without_adding_the_partition_again(landing, instance):
    ticks = Ticks(instance)
    path = put_sample(landing, "2018-01-22.csv")
    ticks.tick()
    (first_request,) = ticks.tick().run_requests
    path.write_text(HEADER + '"2018/09/30","111.5","1","2","3","4"\n')
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert requested(ticks.tick()) == []
    result = ticks.tick()
    (second_request,) = result.run_requests
    assert second_request.partition_key == "2018-01-22.csv"
    assert second_request.run_key != first_request.run_key
    assert added_keys(result) == []


def test_only_unknown_keys_are_added(landing, instance):
    instance.add_dynamic_partitions(landing_files.name, ["2018-01-22.csv"])
    put_sample(landing, "2018-01-22.csv")
    put_sample(landing, "2018-01-23.csv")
    ticks = Ticks(instance)
    ticks.tick()
    result = ticks.tick()
    assert sorted(requested(result)) == ["2018-01-22.csv", "2018-01-23.csv"]
    assert added_keys(result) == ["2018-01-23.csv"]


def test_dotfiles_and_partial_transfers_are_skipped(landing, instance):
    for name in (".2018-01-22.csv", "2018-01-22.csv.part", "2018-01-22.csv.tmp", "notes.txt"):
        (landing / name).write_text(HEADER)
    put_sample(landing, "2018-01-24.csv")
    ticks = Ticks(instance)
    ticks.tick()
    assert requested(ticks.tick()) == ["2018-01-24.csv"]


def test_growing_file_waits_until_it_stops_growing(landing, instance):
    ticks = Ticks(instance)
    path = landing / "growing.csv"
    path.write_text(HEADER)
    for day in range(1, 4):
        ticks.tick()
        with path.open("a") as out:
            out.write(f'"2018/10/{day:02d}","250.5","1","2","3","4"\n')
        assert requested(ticks.tick()) == []
    assert requested(ticks.tick()) == ["growing.csv"]


def test_ten_thousand_files_are_spread_over_ticks(landing, instance, monkeypatch):
    monkeypatch.setenv("LANDING_SENSOR_MAX_RUNS_PER_TICK", "3000")
    names = {f"file-{i:05d}.csv" for i in range(10_000)}
    for name in names:
        (landing / name).write_text(HEADER)
    ticks = Ticks(instance)
    assert requested(ticks.tick()) == []
    seen = []
    sizes = []
    for _ in range(5):
        batch = requested(ticks.tick())
        sizes.append(len(batch))
        seen += batch
    assert sizes == [3000, 3000, 3000, 1000, 0]
    assert len(seen) == len(set(seen)) and set(seen) == names


def test_minimum_interval_is_configurable(monkeypatch):
    assert landing_folder_sensor.minimum_interval_seconds == 30
    assert landing_folder_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    monkeypatch.setenv("LANDING_SENSOR_INTERVAL_SECONDS", "5")
    try:
        assert importlib.reload(sensors).landing_folder_sensor.minimum_interval_seconds == 5
    finally:
        monkeypatch.delenv("LANDING_SENSOR_INTERVAL_SECONDS")
        importlib.reload(sensors)


def test_sensor_runs_load_each_file_version(landing, warehouse, duckdb_resource, instance):
    ticks = Ticks(instance)
    path = put_sample(landing, "2018-01-23.csv")

    def run_requests_of_next_ticks():
        ticks.tick()
        for request in ticks.tick().run_requests:
            result = dg.materialize(
                [import_dynamic_partition_file, duckdb_dynamic_partition_table],
                partition_key=request.partition_key,
                instance=instance,
                resources={"duckdb": duckdb_resource},
            )
            assert result.success

    run_requests_of_next_ticks()
    assert query(warehouse, "SELECT count(*) FROM raw_dynamic_partition_data") == [(11,)]
    path.write_text(HEADER + '"2018/10/30","99.5","1","2","3","4"\n')
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    run_requests_of_next_ticks()
    assert query(
        warehouse, "SELECT date::VARCHAR, share_price, source_file FROM raw_dynamic_partition_data"
    ) == [("2018-10-30", 99.5, "2018-01-23.csv")]
