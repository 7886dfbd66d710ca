"""Jobs of every location in their own run containers, the landing sensor, run failures an operator
meets, and redeploying one location while the rest keep serving."""

import pathlib
import shutil
import subprocess
import threading
import time
from datetime import date, timedelta

import requests
from stack import (
    ROOT,
    URL,
    client,
    copy_into_volume,
    graphql,
    lake_query,
    launch,
    location_statuses,
    run,
    run_details,
    service_container,
    wait_for_run,
)

HEADER = '"date","share_price","amount","spend","shift","spread"\n'


def course_csv(path, rows: int):
    """A file shaped like the course's: every field quoted, dates as 2018/09/28."""
    lines = [f'"2018/09/{10 + i:02d}","{260 + i}.7700","{33597290 + i}.0000",'
             '"270.2600","278.0000","260.5550"\n'
             for i in range(rows)]
    path.write_text(HEADER + "".join(lines))
    return path


def assert_ran_in_own_image(run_id: str, location: str):
    tags, messages = run_details(run_id)
    assert tags["dagster/image"] == f"dagster_etl/{location}:latest"
    assert f"with image dagster_etl/{location}:latest" in messages


def test_files_location_import_job_loads_rows(stack, tmp_path):
    copy_into_volume("landing", course_csv(tmp_path / "deploy.csv", rows=3), "deploy.csv")
    run_id = launch("files_location", "import_job",
                    {"ops": {"import_file": {"config": {"path": "deploy.csv"}}}})
    assert wait_for_run(run_id) == "SUCCESS", run_details(run_id)[1][-3000:]
    assert_ran_in_own_image(run_id, "files_location")
    assert lake_query("select count(*) from files.raw_data where source_file = 'deploy.csv'") == [(3,)]


def test_api_location_asteroid_job_loads_rows(stack):
    day = (date.today() - timedelta(days=2)).isoformat()
    run_id = launch("api_location", "asteroid_job", {"ops": {"asteroids": {"config": {"date": day}}}})
    assert wait_for_run(run_id) == "SUCCESS", run_details(run_id)[1][-3000:]
    assert_ran_in_own_image(run_id, "api_location")
    [(count,)] = lake_query("select count(*) from api.raw_asteroid_data")
    assert count > 0


def test_replication_location_postgres_refresh_copies_tables(stack):
    run_id = launch("replication_location", "postgres_refresh")
    assert wait_for_run(run_id) == "SUCCESS", run_details(run_id)[1][-3000:]
    assert_ran_in_own_image(run_id, "replication_location")
    counts = lake_query(
        "select (select count(*) from replication.data_customers), "
        "(select count(*) from replication.data_products), (select count(*) from replication.data_orders)"
    )
    assert counts == [(1000, 200, 100000)]


RETRIES_OF = """
query Retries($runId: String!) {
  runsOrError(filter: {tags: [{key: "dagster/parent_run_id", value: $runId}]}) {
    ... on Runs { results { runId status } }
  }
}
"""


def test_run_whose_container_dies_is_marked_failed_and_retried(stack):
    """Run monitoring marks the run FAILED instead of leaving it STARTED, run retries launch it
    again, and the pool slot the dead run held is freed, so the retry can write the file."""
    run_id = launch("replication_location", "postgres_refresh")
    deadline = time.monotonic() + 300
    # Killed once its worker has started, the way an OOM kill or a lost host ends it.
    while client().get_run_status(run_id).value != "STARTED":
        assert time.monotonic() < deadline, f"the run never started: {client().get_run_status(run_id)}"
        time.sleep(0.3)
    container = run(["docker", "ps", "-q", "--filter", f"label=dagster/run_id={run_id}"]).stdout.strip()
    run(["docker", "kill", container])

    assert wait_for_run(run_id) == "FAILURE"
    deadline = time.monotonic() + 300
    while not (retries := graphql(RETRIES_OF, {"runId": run_id})["runsOrError"]["results"]):
        assert time.monotonic() < deadline, "no retry was launched"
        time.sleep(2)
    [retry] = retries
    assert wait_for_run(retry["runId"], timeout=600) == "SUCCESS", run_details(retry["runId"])[1][-3000:]


def test_run_missing_an_environment_variable_fails_naming_it(stack):
    """The code server has the variable (so the launch is accepted) but runs are not given it:
    the run must end FAILED with a message naming the variable, not hang."""
    with_var = {**stack, "COMPOSE_FILE": "docker-compose.yaml:tests/compose.code-server-only-var.yaml"}
    run(["scripts/redeploy.sh", "api_location"], env=with_var)
    try:
        day = (date.today() - timedelta(days=2)).isoformat()
        run_id = launch("api_location", "asteroid_job", {
            "ops": {"asteroids": {"config": {"date": day}}},
            "resources": {"nasa": {"config": {"api_key": {"env": "DAGSTER_ETL_CODE_SERVER_ONLY"}}}},
        })
        assert wait_for_run(run_id) == "FAILURE"
        _, messages = run_details(run_id)
        assert 'environment variable "DAGSTER_ETL_CODE_SERVER_ONLY"' in messages
    finally:
        run(["scripts/redeploy.sh", "api_location"], env=stack)


def landing_imports(files: list[str]) -> dict[str, list[str]]:
    """The runs that imported (or refused) each file, oldest first: the lake's ledger, as an
    analyst reads it."""
    listed = ", ".join("'" + file.replace("'", "''") + "'" for file in files)
    try:
        rows = lake_query(f"select file, run_id from files.landing_imports where file in ({listed})"
                          " order by imported_at")
    except AssertionError as error:
        if "landing_imports does not exist" not in str(error):
            raise
        rows = []  # no batch has committed yet
    found: dict[str, list[str]] = {}
    for file, run_id in rows:
        found.setdefault(file, []).append(run_id)
    return found


def wait_for_landing_imports(files: list[str], timeout: float = 300) -> dict[str, list[str]]:
    """Once every file in `files` is in the ledger and those runs ended: file -> its run ids."""
    deadline = time.monotonic() + timeout
    while len(found := landing_imports(files)) < len(set(files)):
        assert time.monotonic() < deadline, (
            f"after {timeout} s, not imported: {sorted(set(files) - set(found))[:10]}")
        time.sleep(2)
    for run_id in {run_id for runs in found.values() for run_id in runs}:
        wait_for_run(run_id, timeout=max(60, deadline - time.monotonic()))
    return found


def wait_for_sensor_runs(file: str, timeout: float = 300) -> list[dict]:
    """The sensor's runs that took `file`, ended: [{runId, status}]."""
    return [{"runId": run_id, "status": wait_for_run(run_id)}
            for run_id in wait_for_landing_imports([file], timeout)[file]]


def test_file_dropped_into_landing_folder_is_loaded_by_the_sensor(stack, tmp_path):
    copy_into_volume("landing", course_csv(tmp_path / "2018-02-01.csv", rows=5), "2018-02-01.csv")
    runs = wait_for_sensor_runs("2018-02-01.csv")
    assert [r["status"] for r in runs] == ["SUCCESS"], [run_details(r["runId"])[1][-2000:] for r in runs]
    assert lake_query("select count(*) from files.raw_dynamic_partition_data"
                      " where source_file = '2018-02-01.csv'") == [(5,)]


def test_the_course_samples_were_imported_by_the_sensor_on_first_start(stack):
    for sample in ("2018-01-22.csv", "2018-01-23.csv"):
        assert [r["status"] for r in wait_for_sensor_runs(sample)] == ["SUCCESS"]


ASSET_KEYS = """
{
  repositoryOrError(
    repositorySelector: {repositoryLocationName: "files_location", repositoryName: "__repository__"}
  ) {
    ... on Repository { assetNodes { assetKey { path } } }
  }
}
"""

PROBE = pathlib.Path("files_location/src/files_location/defs/redeploy_probe.py")


def checkout_copy(target: pathlib.Path) -> pathlib.Path:
    """What a developer edits before redeploying: a copy of this checkout (tracked files only), so
    that nothing the test writes ever sits in the real source tree."""
    files = run(["git", "ls-files", "-z"]).stdout.split("\0")
    for name in filter(None, files):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def project_name(stack: dict) -> str:
    cid = service_container(stack, "webserver")
    return run(["docker", "inspect", "-f", '{{index .Config.Labels "com.docker.compose.project"}}',
                cid]).stdout.strip()


def test_redeploy_of_one_location_keeps_everything_else_serving(stack, tmp_path):
    """While `make redeploy LOCATION=files_location` runs, the webserver and the other two
    locations answer every 0.5 s poll; afterwards the new code (a new asset) is served."""
    asset = f"redeploy_probe_{int(time.time())}"
    checkout = checkout_copy(tmp_path / "checkout")
    (checkout / PROBE).write_text(f"import dagster as dg\n\n\n@dg.asset\ndef {asset}() -> None:\n    pass\n")
    failures, polls, stop = [], [], threading.Event()

    def poll():
        while not stop.is_set():
            try:
                requests.get(f"{URL}/server_info", timeout=5).raise_for_status()
                statuses = location_statuses()
                for other in ("api_location", "replication_location"):
                    if statuses.get(other) != "LOADED":
                        failures.append(f"{other}: {statuses.get(other)}")
            except Exception as error:  # any failed poll is a finding
                failures.append(repr(error))
            polls.append(time.monotonic())
            time.sleep(0.5)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        result = subprocess.run(["make", "redeploy", "LOCATION=files_location"], cwd=checkout, text=True,
                                capture_output=True,
                                env={**stack, "COMPOSE_PROJECT_NAME": project_name(stack)})
    finally:
        stop.set()
        poller.join()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert failures == []
    assert len(polls) > 10
    assert location_statuses()["files_location"] == "LOADED"
    nodes = graphql(ASSET_KEYS)["repositoryOrError"]["assetNodes"]
    assert [asset] in [node["assetKey"]["path"] for node in nodes]


def test_redeploy_rejects_an_unknown_location(stack):
    result = run(["make", "redeploy", "LOCATION=nope"], env=stack, check=False)
    assert result.returncode != 0
    assert "unknown location 'nope'" in result.stderr
