"""The daemon runs the deployment's schedules on its own: defaults as the README states them, and a
tick fired unattended whose run succeeds (the test sets DATE_RANGE_SCHEDULE_CRON to every minute)."""

import time

from stack import compose, graphql, run_details, wait_for_run

SCHEDULES = """
query Schedules($location: String!) {
  schedulesOrError(
    repositorySelector: {repositoryLocationName: $location, repositoryName: "__repository__"}
  ) {
    ... on Schedules { results { name cronSchedule scheduleState { status } } }
  }
}
"""

SCHEDULED_RUNS = """
{
  runsOrError(filter: {tags: [{key: "dagster/schedule_name", value: "date_range_schedule"}]}) {
    ... on Runs { results { runId status tags { key value } } }
  }
}
"""


def schedules(location: str) -> dict[str, tuple[str, str]]:
    results = graphql(SCHEDULES, {"location": location})["schedulesOrError"]["results"]
    return {s["name"]: (s["scheduleState"]["status"], s["cronSchedule"]) for s in results}


def test_schedules_start_as_the_readme_says(stack):
    assert schedules("api_location") == {"date_range_schedule": ("RUNNING", "* * * * *")}
    assert schedules("files_location") == {"import_partition_schedule": ("STOPPED", "0 0 * * *")}
    assert schedules("replication_location") == {
        "postgres_refresh_daily": ("RUNNING", "0 6 * * *"),
        "orders_refresh_noon_and_evening": ("RUNNING", "0 12,18 * * *"),
    }


def test_the_daemon_fires_a_schedule_tick_and_its_run_succeeds(stack):
    deadline = time.monotonic() + 180
    while not (runs := graphql(SCHEDULED_RUNS)["runsOrError"]["results"]):
        assert time.monotonic() < deadline, "no run from date_range_schedule within 180 s"
        time.sleep(3)
    first = runs[-1]
    assert wait_for_run(first["runId"]) == "SUCCESS", run_details(first["runId"])[1][-3000:]
    tags = {t["key"]: t["value"] for t in first["tags"]}
    assert tags["nasa/date"]  # the day the tick asked for (yesterday of its scheduled time)


TICKS = """
{
  scheduleOrError(scheduleSelector: {repositoryLocationName: "api_location", repositoryName: "__repository__",
                                     scheduleName: "date_range_schedule"}) {
    ... on Schedule { scheduleState { ticks(limit: 50) { timestamp status } } }
  }
}
"""


def tick_minutes() -> list[int]:
    ticks = graphql(TICKS)["scheduleOrError"]["scheduleState"]["ticks"]
    return sorted(int(t["timestamp"]) // 60 for t in ticks)


def test_a_daemon_restart_fires_no_tick_twice_and_loses_none(stack):
    before = tick_minutes()
    assert before, "no tick yet"
    compose("restart", "daemon", env=stack)
    restarted = int(time.time()) // 60
    deadline = time.monotonic() + 240
    while not [m for m in tick_minutes() if m >= restarted + 2]:
        assert time.monotonic() < deadline, "no tick within 4 minutes of the daemon's restart"
        time.sleep(5)
    minutes = tick_minutes()
    assert len(minutes) == len(set(minutes)), minutes  # no minute ticked twice
    assert minutes == list(range(minutes[0], minutes[-1] + 1)), minutes  # none lost across the restart
    # No tick launched more than one run.
    runs = graphql(SCHEDULED_RUNS)["runsOrError"]["results"]
    assert len(runs) <= len(minutes), (len(runs), minutes)
