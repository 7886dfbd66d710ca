"""The share-price contract on every path that writes share prices: for each rule, a file that
breaks it is refused with the same message (the file, relative to where it was dropped, and the
rule), the contract's check result on the asset says so with the offending rows, and the table
keeps exactly the rows it had."""

import logging

import dagster as dg
import pytest
from conftest import HEADER, age, failed_check, failure_text, query, run_dlt, s3_resource

from dagster_etl_lake import LakeResource
from files_location.definitions import defs
from files_location.defs.landing_sensor import landing_folder_sensor
from files_location.warehouse import DUCKDB_CONFIG

GOOD = HEADER + '"2018/09/28","264.77","1","2","3","4"\n"2018/09/27","250.5","1","2","3","4"\n'
ROW = '"2018/09/26","1.5","1","2","3","4"\n'

# rule -> (file content, offending rows reported, words of the problem)
BAD = {
    "encoding": (
        (HEADER + ROW).encode() + '"2018/09/25","1.5","1","2","3","caf\xe9"\n'.encode("latin-1"),
        1,
        "line(s) are not UTF-8 (first: line 3",
    ),
    "columns": (
        b'"date","share_price","amount","spend","shift"\n"2018/09/28","1","2","3","4"\n',
        0,
        "missing column(s) spread",
    ),
    "row_fields": (
        (HEADER + ROW + '"2018/09/25","1.5","1"\n').encode(),
        1,
        "Expected Number of Columns: 6 Found: 3",
    ),
    "rows": (HEADER.encode(), 0, "the file has a header but no data rows"),
    "dates": (
        (HEADER + ROW + '"2018/02/30","1.5","1","2","3","4"\n').encode(),
        1,
        "1 of 2 rows have a missing or invalid date (first: data row 2)",
    ),
    "types": (
        (HEADER + ROW + '"2018/09/25","1.5","12abc","2","3","4"\n').encode(),
        1,
        "1 of 2 rows have a value that is not a finite number (first: data row 2)",
    ),
    "share_price": (
        (
            HEADER
            + ROW
            + '"2018/09/25","0","1","2","3","4"\n"2018/09/24","","1","2","3","4"\n'
            + '"2018/09/23","-2.5","1","2","3","4"\n'
        ).encode(),
        3,
        "3 of 4 rows have no share_price or one that is not greater than 0 (first: data row 2)",
    ),
}
RULES = list(BAD)


def assert_refused(result, file, rule):
    """What the user reads: the step failure and the check result, naming file and rule."""
    content, offending, problem = BAD[rule]
    assert not result.success
    message = f"{file}: breaks contract rule '{rule}': "
    text = failure_text(result)
    assert message in text and problem in text, text
    evaluation = failed_check(result)
    assert evaluation.description.startswith(message)
    assert evaluation.metadata["rule"].value == rule
    assert evaluation.metadata["file"].value == file
    assert evaluation.metadata["offending_row_count"].value == offending
    assert len(evaluation.metadata["offending_rows"].value) == offending
    return evaluation


def snapshot(warehouse, table):
    return query(warehouse, f"SELECT * FROM {table} ORDER BY ALL")


@pytest.mark.parametrize("rule", RULES)
def test_import_job(rule, landing, warehouse):
    (landing / "incoming").mkdir()
    path = landing / "incoming" / "prices.csv"
    job = defs().resolve_job_def("import_job")
    config = {"ops": {"import_file": {"config": {"path": "incoming/prices.csv"}}}}
    path.write_text(GOOD)
    assert job.execute_in_process(run_config=config).success
    before = snapshot(warehouse, "raw_data")
    path.write_bytes(BAD[rule][0])
    result = job.execute_in_process(run_config=config, raise_on_error=False)
    evaluation = assert_refused(result, "incoming/prices.csv", rule)
    assert evaluation.check_name == "valid_share_prices"  # blocking: duckdb_table never ran
    assert snapshot(warehouse, "raw_data") == before and len(before) == 2


@pytest.mark.parametrize("rule", RULES)
def test_daily_partition(rule, landing, warehouse):
    job = defs().resolve_job_def("import_partition_job")
    path = landing / "2018-01-25.csv"
    path.write_text(GOOD)
    assert job.execute_in_process(partition_key="2018-01-25").success
    before = snapshot(warehouse, "raw_partition_data")
    path.write_bytes(BAD[rule][0])
    result = job.execute_in_process(partition_key="2018-01-25", raise_on_error=False)
    evaluation = assert_refused(result, "2018-01-25.csv", rule)
    assert evaluation.asset_key == dg.AssetKey("duckdb_partition_table")
    assert snapshot(warehouse, "raw_partition_data") == before and len(before) == 2


@pytest.mark.parametrize("rule", RULES)
def test_s3(rule, bucket, s3_endpoint, warehouse, monkeypatch):
    client, name = bucket
    for variable, value in {
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": s3_resource(s3_endpoint).access_key_id,
        "S3_SECRET_ACCESS_KEY": s3_resource(s3_endpoint).secret_access_key,
        "S3_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(variable, value)
    job = defs().resolve_job_def("import_s3_job")
    config = {"ops": {"import_file_s3": {"config": {"bucket": name, "path": "in/prices.csv"}}}}
    client.put_object(Bucket=name, Key="in/prices.csv", Body=GOOD.encode())
    assert job.execute_in_process(run_config=config).success
    before = snapshot(warehouse, "raw_s3_data")
    client.put_object(Bucket=name, Key="in/prices.csv", Body=BAD[rule][0])
    result = job.execute_in_process(run_config=config, raise_on_error=False)
    evaluation = assert_refused(result, f"s3://{name}/in/prices.csv", rule)
    assert evaluation.asset_key == dg.AssetKey("duckdb_table_s3")
    assert snapshot(warehouse, "raw_s3_data") == before and len(before) == 2


@pytest.mark.parametrize("rule", RULES)
def test_dlt(rule, landing, warehouse):
    path = landing / "prices.csv"
    path.write_text(GOOD)
    assert run_dlt("prices.csv").success
    before = snapshot(warehouse, "csv_data.load_csv")
    path.write_bytes(BAD[rule][0])
    result = run_dlt("prices.csv")
    evaluation = assert_refused(result, "prices.csv", rule)
    assert evaluation.asset_key == dg.AssetKey("dlt_csv_source_load_csv")
    assert snapshot(warehouse, "csv_data.load_csv") == before and len(before) == 2


class Lines(logging.Handler):
    def __init__(self, lines: list[str]):
        super().__init__()
        self.lines = lines

    def emit(self, record):
        self.lines.append(record.getMessage())


class SensorLog:
    """The sensor's tick log as the UI shows it, and the runs the daemon would launch."""

    def __init__(self, instance):
        self.instance, self.cursor, self.lines = instance, None, []
        self.job = defs().resolve_job_def("import_landing_job")

    def tick(self):
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor)
        context.log.addHandler(Lines(self.lines))
        result = landing_folder_sensor(context)
        self.cursor = result.cursor
        return [
            self.job.execute_in_process(
                run_config=request.run_config,
                instance=self.instance,
                tags={**request.tags, "dagster/sensor_name": "landing_folder_sensor"},
                raise_on_error=False,
            )
            for request in result.run_requests
        ]


@pytest.mark.parametrize("rule", RULES)
def test_landing_sensor(rule, landing, warehouse, monkeypatch):
    monkeypatch.setenv("LANDING_SETTLE_SECONDS", "0")
    with dg.instance_for_test() as instance:
        sensor = SensorLog(instance)
        path = landing / "prices.csv"
        path.write_text(GOOD)
        age(path, 120)
        (loaded,) = sensor.tick()
        assert loaded.success
        before = snapshot(warehouse, "raw_dynamic_partition_data")
        path.write_bytes(BAD[rule][0])
        age(path, 60)
        (refused,) = sensor.tick()
        evaluation = assert_refused(refused, "prices.csv", rule)
        assert evaluation.asset_key == dg.AssetKey("duckdb_landing_table")
        assert snapshot(warehouse, "raw_dynamic_partition_data") == before and len(before) == 2
        # The next tick tells it in the sensor's log, once.
        assert sensor.tick() == [] and sensor.tick() == []
        told = [line for line in sensor.lines if "not imported" in line]
        assert len(told) == 1, sensor.lines
        assert told[0].startswith(f"prices.csv: not imported: breaks contract rule '{rule}': ")


def test_the_same_file_gets_the_same_message_on_every_path(landing, warehouse):
    # One bad file, three local paths: the message after the file name is the same.
    (landing / "2018-01-25.csv").write_bytes(BAD["share_price"][0])
    via_job = (
        defs()
        .resolve_job_def("import_job")
        .execute_in_process(
            run_config={"ops": {"import_file": {"config": {"path": "2018-01-25.csv"}}}},
            raise_on_error=False,
        )
    )
    via_partition = (
        defs()
        .resolve_job_def("import_partition_job")
        .execute_in_process(partition_key="2018-01-25", raise_on_error=False)
    )
    via_dlt = run_dlt("2018-01-25.csv")
    descriptions = {failed_check(r).description for r in (via_job, via_partition, via_dlt)}
    assert len(descriptions) == 1, descriptions


def test_duckdb_resource_of_the_tests_is_the_locations(duckdb_resource):
    # The paths above use the location's own resources; they write where the fixtures read.
    resource = defs().resources["duckdb"]
    assert isinstance(resource, LakeResource) and resource == duckdb_resource
    assert resource.lake_schema == "files" and resource.connection_config == DUCKDB_CONFIG
