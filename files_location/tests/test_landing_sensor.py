"""landing_folder_sensor -> dynamic partitions -> raw_dynamic_partition_data."""

import importlib
import logging
import os
import time

import dagster as dg
import pytest
from conftest import HEADER, failure_text, put_sample, query

from files_location.defs import landing_sensor
from files_location.defs.dynamic_partitions import (
    duckdb_dynamic_partition_table,
    import_dynamic_partition_file,
    landing_files,
)
from files_location.defs.file_import import duckdb_table, import_file
from files_location.defs.landing_sensor import landing_folder_sensor
from files_location.landing_watch import Cursor, Scan, plan_tick, run_key


@pytest.fixture(autouse=True)
def two_tick_rule(monkeypatch):
    # Files written by these tests are seconds old at most: only the two-tick rule applies,
    # however slow the machine (the age rule has its own tests below).
    monkeypatch.setenv("LANDING_SETTLE_SECONDS", "3600")


@pytest.fixture()
def instance():
    with dg.instance_for_test() as instance:
        yield instance


class Lines(logging.Handler):
    def __init__(self, lines):
        super().__init__()
        self.lines = lines

    def emit(self, record):
        self.lines.append(record.getMessage())


class Ticks:
    """Evaluates the sensor as the daemon would: cursor carried over, partitions added; keeps
    the tick log (what the UI shows for each tick)."""

    def __init__(self, instance):
        self.instance = instance
        self.cursor = None
        self.log: list[str] = []

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor)
        context.log.addHandler(Lines(self.log))
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


SKIPPED = {
    ".2018-01-22.csv": "hidden file (the name starts with '.')",
    "2018-01-22.csv.part": "partial upload (*.part, *.tmp, *.partial, *.crdownload);"
    " it is imported once renamed to its final .csv name",
    "2018-01-22.csv.tmp": "partial upload (*.part, *.tmp, *.partial, *.crdownload);"
    " it is imported once renamed to its final .csv name",
    "notes.txt": "not a .csv file",
    "a...b.csv": "the name has characters a partition key cannot hold"
    " (control characters or '...')",
}


def test_skipped_names_are_told_once_in_the_tick_log(landing, instance):
    for name in SKIPPED:
        (landing / name).write_text(HEADER)
    (landing / "sub").mkdir()
    put_sample(landing, "2018-01-24.csv")
    ticks = Ticks(instance)
    ticks.tick()
    assert requested(ticks.tick()) == ["2018-01-24.csv"]
    # A partial upload still growing is told about once, not once per tick.
    with (landing / "2018-01-22.csv.part").open("a") as upload:
        upload.write('"2018/09/28","264.77","1","2","3","4"\n')
    ticks.tick()
    expected = [f"{name}: not imported: {reason}" for name, reason in SKIPPED.items()]
    expected.append(
        "sub: not imported: a folder: the sensor imports files directly in the landing folder"
        " (import_job takes a path inside a folder)"
    )
    assert sorted(ticks.log) == sorted(expected)
    # Gone and back: told again.
    (landing / "notes.txt").unlink()
    ticks.tick()
    (landing / "notes.txt").write_text("again")
    ticks.tick()
    assert ticks.log[-1] == "notes.txt: not imported: not a .csv file"


@pytest.mark.parametrize("name", [n for n in SKIPPED if "..." not in n])
def test_import_job_refuses_what_the_sensor_skips_with_the_same_message(
    name, landing, warehouse, duckdb_resource
):
    (landing / name).write_bytes(put_sample(landing, "2018-01-22.csv").read_bytes())
    result = dg.materialize(
        [import_file, duckdb_table],
        resources={"duckdb": duckdb_resource},
        run_config={"ops": {"import_file": {"config": {"path": name}}}},
        raise_on_error=False,
    )
    assert not result.success
    assert f"{name}: not imported: {SKIPPED[name]}" in failure_text(result)
    assert query(warehouse, "SELECT count(*) FROM raw_data") == []


# --- the settle rule, as a pure decision -----------------------------------------------------

SECOND = 1_000_000_000
NOW = 1_700_000_000 * SECOND
SETTLE = 3 * SECOND


def decide(files, cursor=None, now=NOW):
    found = Scan(files=dict(files))
    return plan_tick(found, cursor or Cursor(), 100, now_ns=now, settle_ns=SETTLE)


def test_a_file_still_being_written_is_not_imported():
    tick = decide({"a.csv": (10, NOW - SECOND)})  # one second old, first seen
    assert tick.ready == []
    # Grew by the next tick, still fresh: still waiting.
    tick = decide({"a.csv": (20, NOW)}, tick.cursor, now=NOW + SECOND)
    assert tick.ready == []


def test_a_settled_file_is_imported_once():
    old = (10, NOW - 4 * SECOND)
    first = decide({"a.csv": old})
    assert first.ready == [("a.csv", old)]  # old enough on its first sighting
    assert decide({"a.csv": old}, first.cursor, now=NOW + 5 * SECOND).ready == []
    fresh = (10, NOW)
    waiting = decide({"b.csv": fresh})
    assert waiting.ready == []
    # Unchanged on the next tick: settled, although younger than the settle time.
    assert decide({"b.csv": fresh}, waiting.cursor, now=NOW + SECOND).ready == [("b.csv", fresh)]


def test_a_changed_file_is_imported_again_once():
    first = decide({"a.csv": (10, NOW - 10 * SECOND)})
    changed = (12, NOW - 5 * SECOND)
    second = decide({"a.csv": changed}, first.cursor)
    assert second.ready == [("a.csv", changed)]
    assert decide({"a.csv": changed}, second.cursor).ready == []
    assert run_key("a.csv", changed) != run_key("a.csv", first.ready[0][1])


def test_the_sensor_imports_an_old_file_on_its_first_tick(landing, instance, monkeypatch):
    monkeypatch.setenv("LANDING_SETTLE_SECONDS", "3")
    path = put_sample(landing, "2018-01-22.csv")
    old = time.time_ns() - 60 * SECOND
    os.utime(path, ns=(old, old))
    ticks = Ticks(instance)
    assert requested(ticks.tick()) == ["2018-01-22.csv"]
    assert requested(ticks.tick()) == []


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
    assert landing_folder_sensor.minimum_interval_seconds == 3
    assert landing_folder_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    monkeypatch.setenv("LANDING_SENSOR_INTERVAL_SECONDS", "30")
    try:
        assert importlib.reload(landing_sensor).landing_folder_sensor.minimum_interval_seconds == 30
    finally:
        monkeypatch.delenv("LANDING_SENSOR_INTERVAL_SECONDS")
        importlib.reload(landing_sensor)


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
