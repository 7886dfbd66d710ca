"""landing_folder_sensor -> batches of files -> import_landing_job -> raw_dynamic_partition_data.

The batching decision is pure (plan_tick, over a Scan); the sensor is a thin shell around it, and
the batch load is exact per file (landing_batch)."""

import importlib
import json
import logging
import time

import dagster as dg
import pytest
from conftest import HEADER, failure_text, put_sample, query

from files_location.definitions import defs
from files_location.defs import landing_sensor
from files_location.defs.file_import import duckdb_table, import_file
from files_location.defs.landing_batches import duckdb_landing_table
from files_location.defs.landing_sensor import landing_folder_sensor
from files_location.landing_watch import Cursor, Limits, Scan, plan_tick, run_key, unpin

ROW = '"2018/09/28","264.77","1","2","3","4"\n'


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch):
    # Files written by these tests are settled as soon as they are written (the settle rule
    # itself is tested as a pure decision below).
    monkeypatch.setenv("LANDING_SETTLE_SECONDS", "0")


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
    """Evaluates the sensor as the daemon would, cursor carried over; keeps the tick log (what
    the UI shows for each tick) and runs what it requests, when asked to."""

    def __init__(self, instance):
        self.instance = instance
        self.cursor = None
        self.log: list[str] = []

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor)
        context.log.addHandler(Lines(self.log))
        result = landing_folder_sensor(context)
        self.cursor = result.cursor
        return result

    def run(self) -> list[dg.ExecuteInProcessResult]:
        job = defs().resolve_job_def("import_landing_job")  # the location's own lake resource
        return [
            job.execute_in_process(run_config=r.run_config, instance=self.instance, raise_on_error=False,
                                   tags={**r.tags, "dagster/sensor_name": "landing_folder_sensor"})
            for r in self.tick().run_requests
        ]


def batches(result) -> list[list[str]]:
    return [
        [unpin(entry)[0] for entry in r.run_config["ops"]["duckdb_landing_table"]["config"]["files"]]
        for r in result.run_requests
    ]


def write(path, text):
    path.write_text(text)
    return path


# --- the sensor --------------------------------------------------------------------------------


def test_new_files_are_requested_once_in_one_batch_pinned_to_their_version(landing, instance):
    ticks = Ticks(instance)
    for name in ("2018-01-22.csv", "2018-01-23.csv", "2018-01-24.csv"):
        put_sample(landing, name)
    first = ticks.tick()
    assert batches(first) == [["2018-01-22.csv", "2018-01-23.csv", "2018-01-24.csv"]]
    (request,) = first.run_requests
    files = request.run_config["ops"]["duckdb_landing_table"]["config"]["files"]
    stat = (landing / "2018-01-22.csv").stat()
    assert files[0] == f"2018-01-22.csv@{stat.st_size}:{stat.st_mtime_ns}"
    assert request.tags["landing/files"] == "3"
    assert ticks.tick().run_requests == [] and ticks.tick().run_requests == []


def test_a_replaced_file_is_requested_again(landing, instance):
    ticks = Ticks(instance)
    path = put_sample(landing, "2018-01-22.csv")
    (first,) = ticks.tick().run_requests
    write(path, HEADER + ROW)
    (second,) = ticks.tick().run_requests
    assert second.run_key != first.run_key
    assert batches(ticks.tick()) == []


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
    assert batches(ticks.tick()) == [["2018-01-24.csv"]]
    # A partial upload still growing is told about once, not once per tick.
    with (landing / "2018-01-22.csv.part").open("a") as upload:
        upload.write(ROW)
    ticks.tick()
    told = [line for line in ticks.log if "not imported" in line]
    expected = [f"{name}: not imported: {reason}" for name, reason in SKIPPED.items()]
    expected.append(
        "sub: not imported: a folder: the sensor imports files directly in the landing folder"
        " (import_job takes a path inside a folder)"
    )
    assert sorted(told) == sorted(expected)
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


def test_a_file_being_written_waits_until_it_has_not_changed_for_the_settle_time(
    landing, instance, monkeypatch
):
    monkeypatch.setenv("LANDING_SETTLE_SECONDS", "2")
    ticks = Ticks(instance)
    path = write(landing / "growing.csv", HEADER)
    for _ in range(3):
        time.sleep(1)
        with path.open("a") as out:
            out.write(ROW)
        assert batches(ticks.tick()) == []
    time.sleep(2.1)
    assert batches(ticks.tick()) == [["growing.csv"]]


def test_a_backlog_is_cut_into_batches_and_spread_over_ticks(landing, instance, monkeypatch):
    monkeypatch.setenv("LANDING_BATCH_MAX_FILES", "1000")
    monkeypatch.setenv("LANDING_SENSOR_MAX_RUNS_PER_TICK", "3")
    names = {f"file-{i:05d}.csv" for i in range(10_000)}
    for name in names:
        (landing / name).write_text(HEADER)
    ticks = Ticks(instance)
    seen, per_tick = [], []
    for _ in range(5):
        result = batches(ticks.tick())
        assert all(len(batch) == 1000 for batch in result)
        per_tick.append(len(result))
        seen += [name for batch in result for name in batch]
    assert per_tick == [3, 3, 3, 1, 0]
    assert len(seen) == len(set(seen)) and set(seen) == names
    time.sleep(1.1)  # past the watermark's guard: the versions handed out need no list
    assert batches(ticks.tick()) == []
    assert len(ticks.cursor) < 1_000, "the cursor grows with the folder"


def test_minimum_interval_is_configurable(monkeypatch):
    assert landing_folder_sensor.minimum_interval_seconds == 3
    assert landing_folder_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    monkeypatch.setenv("LANDING_SENSOR_INTERVAL_SECONDS", "30")
    try:
        assert importlib.reload(landing_sensor).landing_folder_sensor.minimum_interval_seconds == 30
    finally:
        monkeypatch.delenv("LANDING_SENSOR_INTERVAL_SECONDS")
        importlib.reload(landing_sensor)


# --- the batching decision, pure ---------------------------------------------------------------

SECOND = 1_000_000_000
NOW = 1_700_000_000 * SECOND
SETTLE = 3 * SECOND
LIMITS = Limits(files_per_batch=100, bytes_per_batch=10**9, batches_per_tick=4)


def decide(files, cursor=None, now=NOW, limits=LIMITS):
    """files: name -> (size, mtime_ns, ctime_ns)"""
    return plan_tick(Scan(files=dict(files)), cursor or Cursor(), limits, now_ns=now, settle_ns=SETTLE)


def taken(tick) -> list[str]:
    return [name for batch in tick.batches for name, _ in batch]


def test_a_file_changed_within_the_settle_time_waits_whatever_its_mtime_says():
    # cp -p and rsync -t give a file an old mtime while it is still being written; ctime is the
    # kernel's and cannot be set back.
    tick = decide({"a.csv": (10, NOW - 3600 * SECOND, NOW - SECOND)})
    assert taken(tick) == []
    tick = decide({"a.csv": (20, NOW - 3600 * SECOND, NOW + SECOND)}, tick.cursor, now=NOW + 2 * SECOND)
    assert taken(tick) == []
    tick = decide({"a.csv": (20, NOW - 3600 * SECOND, NOW + SECOND)}, tick.cursor, now=NOW + 4 * SECOND)
    assert taken(tick) == ["a.csv"]


def test_a_settled_file_is_handed_out_once_and_again_when_it_changes():
    first = decide({"a.csv": (10, NOW - 9 * SECOND, NOW - 9 * SECOND)})
    assert first.batches == [[("a.csv", (10, NOW - 9 * SECOND))]]
    assert taken(decide({"a.csv": (10, NOW - 9 * SECOND, NOW - 9 * SECOND)}, first.cursor)) == []
    changed = {"a.csv": (12, NOW - 5 * SECOND, NOW - 5 * SECOND)}
    second = decide(changed, first.cursor)
    assert taken(second) == ["a.csv"]
    assert taken(decide(changed, second.cursor, now=NOW + 60 * SECOND)) == []
    assert run_key(second.batches[0]) != run_key(first.batches[0])


def test_files_sharing_a_ctime_across_a_cut_are_each_handed_out_once():
    # A coarse clock gives many files one ctime; the cut between two ticks falls among them.
    same = NOW - 10 * SECOND
    files = {f"f{i}.csv": (1, same, same) for i in range(7)}
    limits = Limits(files_per_batch=2, bytes_per_batch=10**9, batches_per_tick=2)
    cursor, handed = None, []
    for _ in range(3):
        tick = decide(files, cursor, limits=limits)
        handed += taken(tick)
        cursor = tick.cursor
    assert sorted(handed) == sorted(files)
    assert taken(decide(files, cursor, limits=limits)) == []
    assert len(cursor.done) <= len(files)


def test_batches_keep_to_the_byte_limit_and_a_big_file_is_a_batch_of_its_own():
    old = NOW - 10 * SECOND
    files = {"a.csv": (40, old, old), "b.csv": (40, old, old + 1), "huge.csv": (500, old, old + 2),
             "c.csv": (10, old, old + 3)}
    limits = Limits(files_per_batch=100, bytes_per_batch=100, batches_per_tick=10)
    tick = decide(files, limits=limits)
    assert [[name for name, _ in batch] for batch in tick.batches] == [
        ["a.csv", "b.csv"], ["huge.csv"], ["c.csv"]]


def test_the_cursor_stays_small_with_a_hundred_thousand_files_and_hands_each_out_once():
    old = NOW - 60 * SECOND
    files = {f"vendor-{i:06d}.csv": (300, old, old + i * 1000) for i in range(100_000)}
    limits = Limits(files_per_batch=10_000, bytes_per_batch=10**12, batches_per_tick=4)
    cursor, handed, sizes = None, set(), []
    for _ in range(4):
        tick = decide(files, cursor, limits=limits)
        handed.update(taken(tick))
        sizes.append(len(taken(tick)))
        cursor = tick.cursor
        assert len(cursor.serialize()) < 1_000
    assert sizes == [40_000, 40_000, 20_000, 0]
    assert handed == set(files)


def test_a_cursor_of_the_one_run_per_file_sensor_imports_nothing_again():
    old = NOW - 60 * SECOND
    legacy = json.dumps({"seen": {}, "done": {"a.csv": [10, old], "b.csv": [20, old]},
                         "reported": []})
    files = {"a.csv": (10, old, old), "b.csv": (21, old + 5, old + 5), "c.csv": (30, old, old)}
    tick = decide(files, Cursor.parse(legacy))
    assert sorted(taken(tick)) == ["b.csv", "c.csv"]  # b changed since, c is new
    assert taken(decide(files, tick.cursor)) == []


def test_deleted_files_are_forgotten_and_one_dropped_again_is_new():
    old = NOW - 60 * SECOND
    first = decide({"a.csv": (10, old, old)})
    gone = decide({}, first.cursor)
    assert gone.cursor.done == {}
    back = decide({"a.csv": (10, old, NOW - 5 * SECOND)}, gone.cursor)  # a new inode: a new ctime
    assert taken(back) == ["a.csv"]


# --- the batch runs -----------------------------------------------------------------------------


def ledger(warehouse):
    return query(warehouse, "SELECT file, status, rows, rule FROM landing_imports ORDER BY file, imported_at")


def test_a_batch_loads_every_good_file_and_refuses_each_bad_one_with_its_reason(
    landing, warehouse, duckdb_resource, instance
):
    for name in ("2018-01-22.csv", "2018-01-23.csv"):
        put_sample(landing, name)
    write(landing / "reordered.csv", '"spread","date","share_price","amount","spend","shift"\n'
          '"4","2018/09/28","264.77","1","2","3"\n')
    write(landing / "bad-price.csv", HEADER + ROW + '"2018/09/27","-1","1","2","3","4"\n')
    write(landing / "short-line.csv", HEADER + ROW + '"2018/09/27","1"\n')
    write(landing / "no-rows.csv", HEADER)
    write(landing / "bad header.csv", '"date","price"\n"2018/09/28","1"\n')
    ticks = Ticks(instance)
    (run,) = ticks.run()
    assert run.success
    counts = dict(query(warehouse, "SELECT source_file, count(*) FROM raw_dynamic_partition_data GROUP BY 1"))
    assert counts == {"2018-01-22.csv": 8, "2018-01-23.csv": 11, "reordered.csv": 1}
    assert query(warehouse, "SELECT spread, share_price FROM raw_dynamic_partition_data"
                 " WHERE source_file = 'reordered.csv'") == [(4.0, 264.77)]
    assert ledger(warehouse) == [
        ("2018-01-22.csv", "loaded", 8, None), ("2018-01-23.csv", "loaded", 11, None),
        ("bad header.csv", "refused", 0, "columns"), ("bad-price.csv", "refused", 0, "share_price"),
        ("no-rows.csv", "refused", 0, "rows"), ("reordered.csv", "loaded", 1, None),
        ("short-line.csv", "refused", 0, "row_fields"),
    ]
    (materialization,) = run.asset_materializations_for_node("duckdb_landing_table")
    metadata = {key: value.value for key, value in materialization.metadata.items()}
    assert (metadata["files_loaded"], metadata["files_refused"], metadata["rows_loaded"]) == (3, 4, 20)
    assert "bad-price.csv | share_price | breaks contract rule 'share_price'" in metadata["refused"]
    (check,) = run.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["files_refused"].value == 4
    reasons = {r["file"]: r["reason"] for r in check.metadata["refused"].value}
    assert reasons["bad-price.csv"] == ("breaks contract rule 'share_price': 1 of 2 rows have no"
                                       " share_price or one that is not greater than 0 (first: data row 2)")


def test_a_replaced_file_replaces_its_rows_and_a_refused_version_keeps_the_old_ones(
    landing, warehouse, duckdb_resource, instance
):
    ticks = Ticks(instance)
    path = put_sample(landing, "2018-01-23.csv")
    assert [r.success for r in ticks.run()] == [True]
    write(path, HEADER + '"2018/10/30","99.5","1","2","3","4"\n')
    assert [r.success for r in ticks.run()] == [True]
    rows = "SELECT date::VARCHAR, share_price, source_file FROM raw_dynamic_partition_data"
    assert query(warehouse, rows) == [("2018-10-30", 99.5, "2018-01-23.csv")]
    write(path, HEADER + '"2018/10/31","abc","1","2","3","4"\n')
    (refused,) = ticks.run()
    assert not refused.success  # nothing in the batch could be loaded
    assert "2018-01-23.csv: breaks contract rule 'types'" in failure_text(refused)
    assert query(warehouse, rows) == [("2018-10-30", 99.5, "2018-01-23.csv")]
    assert [row[1] for row in ledger(warehouse)] == ["loaded", "loaded", "refused"]
    # The failed run is told in the sensor's log, once.
    ticks.tick(), ticks.tick()
    told = [line for line in ticks.log if "not imported" in line]
    assert len(told) == 1 and told[0].startswith("2018-01-23.csv: not imported: breaks contract rule 'types'")


def test_a_version_imported_before_is_skipped_and_a_changed_file_waits_for_its_own_batch(
    landing, warehouse, duckdb_resource, instance
):
    path = put_sample(landing, "2018-01-22.csv")
    ticks = Ticks(instance)
    (request,) = ticks.tick().run_requests

    def run(config):
        return dg.materialize([duckdb_landing_table], instance=instance, run_config=config,
                              resources={"duckdb": duckdb_resource})

    run(request.run_config)
    again = run(request.run_config)  # the same batch once more (a sensor reset, a re-execution)
    (materialization,) = again.asset_materializations_for_node("duckdb_landing_table")
    assert materialization.metadata["files_unchanged"].value == 1
    assert query(warehouse, "SELECT count(*) FROM raw_dynamic_partition_data") == [(8,)]
    assert len(ledger(warehouse)) == 1
    write(path, HEADER + ROW)  # changed after the sensor pinned it: this run leaves it alone
    stale = run(request.run_config)
    (materialization,) = stale.asset_materializations_for_node("duckdb_landing_table")
    assert materialization.metadata["files_changed"].value == 1
    assert query(warehouse, "SELECT count(*) FROM raw_dynamic_partition_data") == [(8,)]
    # A person's run names the file without a version: it is loaded as it is now.
    run({"ops": {"duckdb_landing_table": {"config": {"files": ["2018-01-22.csv", "../etc/passwd"]}}}})
    assert query(warehouse, "SELECT count(*) FROM raw_dynamic_partition_data") == [(1,)]


def test_names_with_glob_characters_load_their_own_file_and_no_other(landing, warehouse, instance):
    # DuckDB's read_csv takes a glob: unescaped, "x[1].csv" would load x1.csv, "q?.csv" also qa.csv.
    files = {"x[1].csv": 1, "x1.csv": 2, "q?.csv": 3, "qa.csv": 4, "st*r.csv": 5,
             "Q3 report (final), ünïcode 100% 'v2'.csv": 6}
    for name, rows in files.items():
        write(landing / name, HEADER + ROW * rows)
    (run,) = Ticks(instance).run()
    assert run.success
    assert dict(query(warehouse, "SELECT source_file, count(*) FROM raw_dynamic_partition_data"
                      " GROUP BY 1")) == files


def test_one_read_takes_files_of_every_line_ending_quoting_and_bom_side_by_side(
    landing, warehouse, instance
):
    quoted = HEADER.strip()
    plain = "date,share_price,amount,spend,shift,spread"
    (landing / "lf.csv").write_bytes(f"{quoted}\n{ROW}{ROW}".encode())
    (landing / "crlf.csv").write_bytes(f"{quoted}\r\n{ROW.strip()}\r\n{ROW.strip()}\r\n".encode())
    (landing / "bom.csv").write_bytes(f"\ufeff{quoted}\n{ROW}".encode())
    (landing / "no-final-newline.csv").write_bytes(f"{quoted}\n{ROW.strip()}".encode())
    (landing / "unquoted.csv").write_bytes(f"{plain}\n2018-09-28,1.5,,,,\n".encode())
    (run,) = Ticks(instance).run()
    assert run.success
    counts = "SELECT source_file, count(*) FROM raw_dynamic_partition_data GROUP BY 1"
    assert dict(query(warehouse, counts)) == {
        "lf.csv": 2, "crlf.csv": 2, "bom.csv": 1, "no-final-newline.csv": 1, "unquoted.csv": 1}
    assert query(warehouse, "SELECT DISTINCT spread FROM raw_dynamic_partition_data"
                 " WHERE source_file <> 'unquoted.csv'") == [(4.0,)]
