"""Everything at once, the way a busy deployment meets it: a 90-day NASA backfill run by the backfill
daemon, 20 files dropped into the landing folder, and other writers of the same DuckDB files. The
daemon is killed in the middle and comes back. Zero DuckDB lock errors; every day and every file
loaded exactly once. Afterwards, few Postgres connections held and few opened."""

import time
from datetime import date, timedelta

from stack import (
    connections_held,
    connections_opened,
    copy_into_volume_text,
    graphql,
    launch,
    run,
    run_details,
    service_container,
    service_health,
    wait_for_run,
    warehouse_query,
)
from test_deployment import HEADER, RETRIES_OF, wait_for_sensor_runs

DAYS = [(date(2025, 4, 1) + timedelta(days=i)).isoformat() for i in range(90)]
FILES = [f"2019-02-{day:02d}.csv" for day in range(1, 21)]

LAUNCH_BACKFILL = """
mutation Backfill($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}
"""

BACKFILL = """
query Backfill($id: String!) {
  partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill { status } }
  runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
    ... on Runs { results { runId status } }
  }
}
"""


def retries_of(run_id: str, timeout: float = 300) -> list[str]:
    deadline = time.monotonic() + timeout
    while not (retries := graphql(RETRIES_OF, {"runId": run_id})["runsOrError"]["results"]):
        if time.monotonic() > deadline:
            return []
        time.sleep(2)
    return [r["runId"] for r in retries]


def backfill_state(backfill_id: str) -> tuple[str, list[dict]]:
    data = graphql(BACKFILL, {"id": backfill_id})
    return data["partitionBackfillOrError"]["status"], data["runsOrError"]["results"]


def test_a_backfill_files_and_other_writers_at_once_with_the_daemon_killed_midway(stack):
    result = graphql(LAUNCH_BACKFILL, {"params": {
        "partitionNames": DAYS, "assetSelection": [{"path": ["asteroids_partition"]}]}})
    assert result["launchPartitionBackfill"]["__typename"] == "LaunchBackfillSuccess", result
    backfill_id = result["launchPartitionBackfill"]["backfillId"]
    started = time.monotonic()

    for i, name in enumerate(FILES):
        copy_into_volume_text(
            "landing", HEADER + f'"2019/02/{i + 1:02d}","{100 + i}.5","1.0","2.0","3.0","4.0"\n', name)
    others = [launch("replication_location", "postgres_refresh"),
              launch("api_location", "asteroid_job",
                     {"ops": {"asteroids": {"config": {"date": "2025-05-15"}}}})]

    # The daemon dies once the backfill has launched a run, and compose brings it back.
    deadline = time.monotonic() + 300
    while not backfill_state(backfill_id)[1]:
        assert time.monotonic() < deadline, "the backfill launched no run"
        time.sleep(1)
    daemon = service_container(stack, "daemon")
    run(["docker", "exec", daemon, "bash", "-c", "kill -9 -1"], check=False)

    deadline = time.monotonic() + 900
    while (state := backfill_state(backfill_id))[0] in {"REQUESTED", "CANCELING"} or any(
        r["status"] not in {"SUCCESS", "FAILURE", "CANCELED"} for r in state[1]
    ):
        assert time.monotonic() < deadline, f"backfill not done after 900 s: {state}"
        time.sleep(3)
    status, runs = state
    print(f"90-day backfill: {len(runs)} runs, {time.monotonic() - started:.0f} s")
    assert status in {"COMPLETED", "COMPLETED_SUCCESS"}, state

    all_runs = [r["runId"] for r in runs] + others
    for name in FILES:
        all_runs += [r["runId"] for r in wait_for_sensor_runs(name, timeout=600)]
    # A run the daemon was launching when it died is failed by run monitoring and retried (run
    # retries): nothing is lost as long as its retry succeeds.
    lost = {}
    for run_id in all_runs:
        status = wait_for_run(run_id, timeout=600)
        messages = run_details(run_id)[1]
        assert "Could not set lock" not in messages, run_id
        if status != "SUCCESS" and not any(wait_for_run(r, timeout=600) == "SUCCESS"
                                           for r in retries_of(run_id)):
            lost[run_id] = messages[-1500:]
    assert lost == {}

    # Every day of the backfill and every file exactly once.
    assert warehouse_query("api_location", "api.duckdb",
                           "select count(distinct approach_date),"
                           " count(*) = count(distinct (id, approach_date)) "
                           "from asteroids_partition"
                           " where approach_date between '2025-04-01' and '2025-06-29'") == [(90, True)]
    listed = ", ".join(f"'{name}'" for name in FILES)
    assert warehouse_query("files_location", "files.duckdb",
                           f"select count(*), count(distinct source_file) from raw_dynamic_partition_data "
                           f"where source_file in ({listed})") == [(20, 20)]
    assert all(s == "healthy" for s in service_health(stack).values())


def test_after_all_that_dagster_holds_few_postgres_connections_and_reuses_them(stack):
    # Every process keeps a small pool (deploy/docker/dagster_etl_instance.py). A pool that leaked
    # would grow toward Postgres' max_connections (100) until launches fail with "too many clients";
    # without pools the idle stack opened about 20 connections a second.
    assert connections_held(stack) <= 30
    before = connections_opened(stack)
    time.sleep(20)  # the landing sensor ticks every 3 s, the daemon's loops every second
    assert connections_opened(stack) - before <= 100
