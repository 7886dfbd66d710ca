"""Everything at once, the way a busy deployment meets it: a 90-day NASA backfill run by the backfill
daemon, 50 files dropped into the landing folder and a replication, all writing the lake while three
analysts read it (a DuckDB shell, a Python session, a transaction held for 5 minutes). The daemon
is killed in the middle and comes back. No lock or conflict error reaches a run; every day and
every file loaded exactly once; a reader's transaction sees one snapshot throughout. Afterwards,
few Postgres connections held and few opened."""

import json
import subprocess
import time
from datetime import date, timedelta

from stack import (
    READ_ONLY_LAKE,
    ROOT,
    compose_command,
    connections_held,
    connections_opened,
    copy_into_volume_text,
    graphql,
    lake_query,
    launch,
    run,
    run_details,
    service_container,
    service_health,
    wait_for_run,
)
from test_deployment import HEADER, RETRIES_OF, wait_for_landing_imports

DAYS = [(date(2025, 4, 1) + timedelta(days=i)).isoformat() for i in range(90)]
FILES = [date(2019, 2, 1) + timedelta(days=i) for i in range(50)]
# What the analysts count, each table written during the test.
COUNTS = ("select (select count(*) from api.asteroids_partition),"
          " (select count(*) from files.raw_dynamic_partition_data),"
          " (select count(*) from replication.data_orders)")
HOLD_SECONDS = 300

# A Python session polling the lake every 5 s: in one transaction held throughout, or not.
READER = f"""
import json, sys, time
{READ_ONLY_LAKE}
held = sys.argv[1] == "held"
if held:
    lake.execute("BEGIN TRANSACTION")
seen, end = [], time.monotonic() + {HOLD_SECONDS}
while time.monotonic() < end:
    seen.append(lake.sql({COUNTS!r}).fetchone())
    time.sleep(5)
if held:
    lake.execute("COMMIT")
print(json.dumps(seen))
"""

# What a DuckDB file's lock or a lake's conflict says when it fails a step.
LAKE_ERRORS = ("could not set lock", "conflicting lock", "transaction conflict", "database is locked")

FAILURES = """
query Failures($runId: ID!) {
  logsForRun(runId: $runId, limit: 5000) {
    ... on EventConnection {
      events {
        __typename
        ... on ExecutionStepFailureEvent { error { message causes { message } } }
        ... on RunFailureEvent { error { message } }
      }
    }
  }
}
"""

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


def reader(stack: dict, *command: str) -> subprocess.Popen:
    """An analyst's session on the lake: `make sql`'s container, as the read-only role."""
    return subprocess.Popen(
        [*compose_command(), "run", "--rm", "--no-deps", "-T", "init", *command],
        cwd=ROOT, env=stack, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def failure_messages(run_id: str) -> str:
    """The errors of the run's failed steps, and of the run itself."""
    events = graphql(FAILURES, {"runId": run_id})["logsForRun"]["events"]
    errors = [e["error"] for e in events if e.get("error")]
    causes = [cause["message"] for e in errors for cause in e.get("causes") or []]
    return "\n".join([e["message"] for e in errors] + causes)


def test_a_backfill_files_and_a_replication_while_analysts_read_with_the_daemon_killed_midway(stack):
    held = reader(stack, "python", "-c", READER, "held")
    polling = reader(stack, "python", "-c", READER, "polling")
    shell = reader(stack, "python", "-m", "dagster_etl_lake.shell", "-csv", "-noheader")
    shell.stdin.write(f"BEGIN TRANSACTION;\n{COUNTS};\n")
    shell.stdin.flush()
    time.sleep(15)  # the readers are in before the writers start

    result = graphql(LAUNCH_BACKFILL, {"params": {
        "partitionNames": DAYS, "assetSelection": [{"path": ["asteroids_partition"]}]}})
    assert result["launchPartitionBackfill"]["__typename"] == "LaunchBackfillSuccess", result
    backfill_id = result["launchPartitionBackfill"]["backfillId"]
    started = time.monotonic()

    for i, day in enumerate(FILES):
        copy_into_volume_text(
            "landing", HEADER + f'"{day:%Y/%m/%d}","{100 + i}.5","1.0","2.0","3.0","4.0"\n', f"{day}.csv")
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
    imports = wait_for_landing_imports([f"{day}.csv" for day in FILES], timeout=600)
    all_runs += sorted({run_id for runs in imports.values() for run_id in runs})
    # A run the daemon was launching when it died is failed by run monitoring and retried (run
    # retries): nothing is lost as long as its retry succeeds.
    lost = {}
    for run_id in all_runs:
        status = wait_for_run(run_id, timeout=600)
        failures = failure_messages(run_id).lower()
        assert not [e for e in LAKE_ERRORS if e in failures], (run_id, failures)
        messages = run_details(run_id)[1]
        if status != "SUCCESS" and not any(wait_for_run(r, timeout=600) == "SUCCESS"
                                           for r in retries_of(run_id)):
            lost[run_id] = messages[-1500:]
    assert lost == {}

    # Every day of the backfill and every file exactly once.
    assert lake_query("select count(distinct approach_date), count(*) = count(distinct (id, approach_date))"
                      " from api.asteroids_partition"
                      " where approach_date between '2025-04-01' and '2025-06-29'") == [(90, True)]
    listed = ", ".join(f"'{day}.csv'" for day in FILES)
    assert lake_query("select count(*), count(distinct source_file) from files.raw_dynamic_partition_data"
                      f" where source_file in ({listed})") == [(50, 50)]
    assert all(s == "healthy" for s in service_health(stack).values())

    # The readers: the held transaction saw one snapshot for 5 minutes while the polling session saw
    # the writers' commits arrive; the shell's transaction too, until it ended.
    shell_out, shell_err = shell.communicate(f"{COUNTS};\nCOMMIT;\n{COUNTS};\n", timeout=120)
    assert shell.returncode == 0, shell_err
    first, again, after = shell_out.split()
    assert first == again != after, shell_out
    seen = {}
    for name, process in (("held", held), ("polling", polling)):
        out, err = process.communicate(timeout=HOLD_SECONDS + 120)
        assert process.returncode == 0, err
        seen[name] = {tuple(counts) for counts in json.loads(out.strip().splitlines()[-1])}
    assert len(seen["held"]) == 1 and len(seen["polling"]) > 1, seen


def test_after_all_that_dagster_holds_few_postgres_connections_and_reuses_them(stack):
    # Every process keeps a small pool (deploy/docker/dagster_etl_instance.py). A pool that leaked
    # would grow toward Postgres' max_connections (100) until launches fail with "too many clients";
    # without pools the idle stack opened about 20 connections a second.
    assert connections_held(stack) <= 30
    before = connections_opened(stack)
    time.sleep(20)  # the landing sensor ticks every 3 s, the daemon's loops every second
    assert connections_opened(stack) - before <= 100
