"""An upgrade from the release before the lake, as a team that lives on the deployment meets it:
the volumes are written by that release's own stack (its images built from its commit), then this
release starts on them. Every row of every old DuckDB file is in the lake, copied once; the files
stay as they were; the old Postgres cluster gains the lake's database and roles; no landing file
is imported again."""

import json
import subprocess
import time

import pytest
from stack import (
    FAKE_APIS,
    NASA_TEST_KEY,
    NETWORK,
    ROOT,
    compose,
    graphql,
    health_of,
    lake_query,
    launch,
    run,
    run_details,
    wait_for_run,
    wait_healthy,
)

# The last release whose warehouse was three DuckDB files.
OLD_RELEASE = "45154aa"
OLD_PROJECT = "dagster_etl_old"
OLD_SERVICES = ("postgres", "webserver", "daemon", "files_location", "api_location", "replication_location")
SAMPLES = ("2018-01-22.csv", "2018-01-23.csv", "2018-01-24.csv")

# Every table of every DuckDB file in the warehouse volume: {file: {schema.table: rows}}, and each
# file's checksum.
OLD_FILES = """
import duckdb, hashlib, json, pathlib
found = {}
for path in sorted(pathlib.Path('/opt/dagster/warehouse').glob('*.duckdb')):
    conn = duckdb.connect(str(path), read_only=True)
    tables = conn.sql("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
    found[path.name] = {
        'sha256': hashlib.sha256(path.read_bytes()).hexdigest(),
        'tables': {f'{s}.{t}': conn.sql(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
                   for s, t in tables},
    }
    conn.close()
print(json.dumps(found))
"""


def import_config(path: str) -> dict:
    return {"ops": {"import_file": {"config": {"path": path}}}}


def old_files(image: str) -> dict:
    result = run(["docker", "run", "--rm", "-v", "dagster_etl_warehouse:/opt/dagster/warehouse:ro",
                  image, "python", "-c", OLD_FILES])
    return json.loads(result.stdout.strip().splitlines()[-1])


def wait_old_stack_healthy(env: dict, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while True:
        ids = compose("ps", "-q", env=env).stdout.split()
        health = {s: h for s, h in health_of(ids).items() if s in OLD_SERVICES}
        if set(health.values()) == {"healthy"}:
            return
        assert time.monotonic() < deadline, f"the old release's stack is not healthy: {health}"
        time.sleep(1)


@pytest.fixture(scope="module")
def upgraded(stack, tmp_path_factory):
    """The old release's stack run on fresh volumes, stopped, then this release started on them.
    Yields what the old release left in the warehouse volume."""
    # From nothing: the stand-in APIs off the network, then what `make clean` does.
    run(["docker", "rm", "-f", FAKE_APIS], check=False)
    cleaned = run([str(ROOT / "scripts" / "down.sh"), "--volumes", "--timeout", "20"], env=stack, check=False)
    assert cleaned.returncode == 0, cleaned.stderr[-2000:]
    if subprocess.run(["git", "cat-file", "-e", f"{OLD_RELEASE}^{{commit}}"], cwd=ROOT).returncode:
        pytest.fail(f"the upgrade test needs commit {OLD_RELEASE} (the release before the lake): "
                    "run it in a full clone, not a shallow one")
    old = tmp_path_factory.mktemp("old-release")
    subprocess.run(f"git archive {OLD_RELEASE} | tar -x -C {old}", shell=True, cwd=ROOT, check=True)
    # Its images under their own names, so this release's stay as built.
    compose_file = old / "docker-compose.yaml"
    compose_file.write_text(compose_file.read_text().replace("dagster_etl/", "dagster_etl_old/"))
    old_env = {**stack, "COMPOSE_FILE": str(compose_file), "COMPOSE_PROJECT_NAME": OLD_PROJECT}
    compose("build", env=old_env)
    compose("up", "-d", env=old_env)
    try:
        wait_old_stack_healthy(old_env)
        run(["docker", "run", "-d", "--name", FAKE_APIS, "--network", NETWORK, "--network-alias", "fake-apis",
             "-v", f"{old / 'api_location/tests/fake_apis.py'}:/fake_apis.py:ro",
             "dagster_etl_old/api_location:latest",
             "python", "/fake_apis.py", "--host", "0.0.0.0", "--port", "8080", "--api-key", NASA_TEST_KEY])
        # What a deployment of that release holds: the samples its sensor imported on first start,
        # a run-config import, a day of asteroids, the replicated tables.
        runs = [launch("files_location", "import_job", import_config(SAMPLES[0])),
                launch("api_location", "asteroid_job",
                       {"ops": {"asteroids": {"config": {"date": "2025-04-01"}}}}),
                launch("replication_location", "postgres_refresh")]
        for run_id in runs:
            assert wait_for_run(run_id, timeout=600) == "SUCCESS", run_details(run_id)[1][-3000:]
        for sample in SAMPLES:
            assert [r["status"] for r in wait_for_old_sensor_runs(sample)] == ["SUCCESS"]
    finally:
        run(["docker", "rm", "-f", FAKE_APIS], check=False)
        run([str(old / "scripts" / "down.sh"), "--timeout", "20"], env=old_env, check=False)
    before = old_files("dagster_etl_old/files_location:latest")
    for image in ("dagster", "postgres", "files_location", "api_location", "replication_location"):
        run(["docker", "rmi", f"dagster_etl_old/{image}:latest"], check=False)

    compose("up", "-d", env=stack)
    wait_healthy(stack)
    yield before
    run([str(ROOT / "scripts" / "down.sh"), "--volumes", "--timeout", "20"], env=stack, check=False)


# That release ran one dynamic partition (the file's name) per landing file.
OLD_SENSOR_RUNS = """
query SensorRuns($file: String!) {
  runsOrError(filter: {tags: [{key: "dagster/sensor_name", value: "landing_folder_sensor"},
                              {key: "dagster/partition", value: $file}]}) {
    ... on Runs { results { runId status } }
  }
}
"""


def wait_for_old_sensor_runs(file: str, timeout: float = 300) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        runs = graphql(OLD_SENSOR_RUNS, {"file": file})["runsOrError"]["results"]
        if runs and all(r["status"] in {"SUCCESS", "FAILURE", "CANCELED"} for r in runs):
            return runs
        assert time.monotonic() < deadline, f"sensor runs for {file} after {timeout} s: {runs}"
        time.sleep(2)


def lake_table(file: str, table: str) -> str:
    """Where the migration puts an old file's table: `main` becomes the file's schema."""
    schema, name = table.split(".", 1)
    return f'"{file.removesuffix(".duckdb") if schema == "main" else schema}"."{name}"'


def test_every_row_of_every_old_file_is_in_the_lake_and_the_files_are_kept(upgraded, stack):
    assert set(upgraded) == {"files.duckdb", "api.duckdb", "replication.duckdb"}
    assert upgraded["replication.duckdb"]["tables"]["main.data_orders"] == 100_000
    # As of the migration's last commit: later loads (schedules, sensors) may add rows since.
    [(migrated,)] = lake_query("SELECT max(snapshot_id) FROM lake.snapshots()"
                               " WHERE author = 'dagster-etl migration'")
    expected, counts = {}, []
    for file, found in upgraded.items():
        for table, rows in found["tables"].items():
            expected[f"{file}:{table}"] = rows
            counts.append(f"SELECT '{file}:{table}', count(*) FROM {lake_table(file, table)}"
                          f" AT (VERSION => {migrated})")
    assert dict(lake_query(" UNION ALL ".join(counts))) == expected
    after = old_files("dagster_etl/files_location:latest")
    assert {file: found["sha256"] for file, found in after.items()} == {
        file: found["sha256"] for file, found in upgraded.items()}


def test_the_migration_is_done_once_and_no_landing_file_is_imported_again(upgraded, stack):
    compose("run", "--rm", "--no-deps", "-T", "init", "python", "-m", "dagster_etl_lake.prepare", env=stack)
    assert lake_query("SELECT commit_message FROM lake.snapshots()"
                      " WHERE author = 'dagster-etl migration' ORDER BY 1") == [
        ("copied api.duckdb into the lake",), ("copied files.duckdb into the lake",),
        ("copied replication.duckdb into the lake",)]
    time.sleep(15)  # several landing sensor ticks: its cursor in Postgres survived the upgrade
    counts = dict(lake_query("SELECT source_file, count(*) FROM files.raw_dynamic_partition_data"
                             " GROUP BY 1"))
    assert counts == {"2018-01-22.csv": 8, "2018-01-23.csv": 11, "2018-01-24.csv": 9}
    # The old sensor's cursor (one entry per imported file) became the batching sensor's: no batch.
    batches = graphql('{ runsOrError(filter: {pipelineName: "import_landing_job"})'
                      ' { ... on Runs { count } } }')
    assert batches["runsOrError"]["count"] == 0


def test_this_release_writes_the_migrated_tables(upgraded, stack):
    run_id = launch("files_location", "import_job", import_config(SAMPLES[1]))
    assert wait_for_run(run_id) == "SUCCESS", run_details(run_id)[1][-3000:]
    assert lake_query("SELECT source_file, count(*) FROM files.raw_data GROUP BY 1 ORDER BY 1") == [
        ("2018-01-22.csv", 8), ("2018-01-23.csv", 11)]
