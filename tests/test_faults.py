"""Faults injected into the running stack, recovered from without a person: Postgres restarted
while a run is in progress, a code server's process killed."""

import time

from stack import (
    FAKE_APIS,
    NETWORK,
    ROOT,
    compose,
    lake_query,
    launch,
    location_statuses,
    run,
    run_details,
    service_container,
    service_health,
    wait_for_run,
)

DAY_CONFIG = {"ops": {"asteroids": {"config": {"date": "2025-04-03"}}}}


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"{what} not within {timeout} s"
        time.sleep(1)
    return value


def test_postgres_restarted_during_a_run_ends_the_run_clearly_and_launches_work_at_once(stack):
    run_id = launch("replication_location", "postgres_refresh")
    wait_until(lambda: run(["docker", "ps", "-q", "--filter",
                            f"label=dagster/run_id={run_id}"]).stdout.strip(),
               120, "the run's container")
    run(["docker", "restart", service_container(stack, "postgres")])
    # Until Postgres accepts connections again, the UI cannot read runs either: look once it does.
    wait_until(lambda: service_health(stack)["postgres"] == "healthy", 120, "postgres healthy")

    # The run either finishes or fails with a reason (and is then retried); it never hangs.
    status = wait_for_run(run_id, timeout=600)
    assert status in {"SUCCESS", "FAILURE"}
    if status == "FAILURE":
        assert run_details(run_id)[1].strip()

    # Webserver and daemon reconnect on their own: the very next launch from the UI is accepted
    # and runs (no `server closed the connection unexpectedly` for the user).
    after = launch("api_location", "asteroid_job", DAY_CONFIG)
    assert wait_for_run(after) == "SUCCESS", run_details(after)[1][-3000:]
    wait_until(lambda: all(s == "healthy" for s in service_health(stack).values()), 180, "all healthy")


def test_a_killed_code_server_comes_back_loaded_and_its_sensor_keeps_ticking(stack, tmp_path):
    before = service_container(stack, "files_location")
    started = run(["docker", "inspect", "-f", "{{.State.StartedAt}}", before]).stdout
    # Every process but the container's init: the server dies as it would from an OOM kill.
    run(["docker", "exec", before, "bash", "-c", "kill -9 -1"], check=False)
    wait_until(lambda: run(["docker", "inspect", "-f", "{{.State.StartedAt}}", before]).stdout != started,
               60, "compose restarting files_location")
    # The webserver shows it loaded again without anyone clicking Reload.
    wait_until(lambda: location_statuses().get("files_location") == "LOADED"
               and service_health(stack)["files_location"] == "healthy", 120, "files_location loaded")
    # Its sensor still ticks: a file dropped now is imported.
    from stack import copy_into_volume
    from test_deployment import course_csv, wait_for_sensor_runs

    copy_into_volume("landing", course_csv(tmp_path / "2018-03-01.csv", rows=4), "2018-03-01.csv")
    runs = wait_for_sensor_runs("2018-03-01.csv")
    assert [r["status"] for r in runs] == ["SUCCESS"]
    assert lake_query("select count(*) from files.raw_dynamic_partition_data"
                      " where source_file = '2018-03-01.csv'") == [(4,)]


def count_runs() -> int:
    from stack import graphql

    return graphql("{ runsOrError { ... on Runs { count } } }")["runsOrError"]["count"]


def test_the_whole_stack_down_and_up_keeps_runs_history_and_cursors(stack):
    from test_deployment import wait_for_sensor_runs

    runs_before = count_runs()
    imported = [r["runId"] for r in wait_for_sensor_runs("2018-01-23.csv")]
    # The stand-in APIs are no part of the stack; they step off its network while it is removed.
    run(["docker", "network", "disconnect", NETWORK, FAKE_APIS])
    # `make down` (volumes kept): a schedule's run may be in flight, which a bare `compose down` cannot
    # remove from the network (README, "Stopping with runs in flight").
    run([str(ROOT / "scripts" / "down.sh")], env=stack)
    compose("up", "-d", env=stack)
    run(["docker", "network", "connect", "--alias", "fake-apis", NETWORK, FAKE_APIS])
    wait_until(lambda: all(s == "healthy" for s in service_health(stack).values()), 300, "all healthy")
    wait_until(lambda: location_statuses() == dict.fromkeys(location_statuses(), "LOADED"),
               120, "locations loaded")
    time.sleep(30)  # several sensor ticks
    # Nothing lost, and no file that was loaded is imported again (the sensor's cursor survived).
    assert count_runs() >= runs_before
    assert [r["runId"] for r in wait_for_sensor_runs("2018-01-23.csv")] == imported
    assert lake_query("select count(*) from files.raw_dynamic_partition_data"
                      " where source_file = '2018-01-23.csv'") == [(11,)]
