"""asteroids_partition: per-day reloads are idempotent; a backfill range is one request per run."""

import dagster as dg
import ranges
from conftest import query
from fake_apis import FEED_PATH, feed_ranges, objects_on

from api_location.defs.asteroids_partition import asteroids_partition
from api_location.defs.resources import resources


def materialize_range(start: str, end: str) -> dg.ExecuteInProcessResult:
    return ranges.materialize_range(asteroids_partition, start, end, {"backoff_factor": 0})


def day_counts(warehouse) -> dict[str, int]:
    return dict(
        query(
            warehouse, "SELECT approach_date::VARCHAR, count(*) FROM asteroids_partition GROUP BY 1"
        )
    )


def test_a_partition_rerun_does_not_duplicate(env, apis):
    for _ in range(2):
        result = dg.materialize(
            [asteroids_partition], resources=resources().resources, partition_key="2025-04-05"
        )
        assert result.success
    assert day_counts(env["warehouse"]) == {"2025-04-05": objects_on("2025-04-05")}


def test_a_seven_day_range_is_one_request_and_one_run(env, apis):
    assert materialize_range("2025-04-01", "2025-04-07").success
    days = [f"2025-04-0{d}" for d in range(1, 8)]
    assert day_counts(env["warehouse"]) == {d: objects_on(d) for d in days}
    assert len(apis.requests_to(FEED_PATH)) == 1


def test_a_range_longer_than_the_feed_window_is_split(env, apis):
    assert materialize_range("2025-04-01", "2025-04-10").success
    days = [f"2025-04-{d:02d}" for d in range(1, 11)]
    assert day_counts(env["warehouse"]) == {d: objects_on(d) for d in days}
    assert feed_ranges(apis) == [("2025-04-01", "2025-04-07"), ("2025-04-08", "2025-04-10")]


def test_a_failed_request_in_a_range_loads_none_of_its_days(env, apis):
    assert materialize_range("2025-04-01", "2025-04-02").success
    before = day_counts(env["warehouse"])
    apis.reset()
    apis.feed_fails_every = 2  # the first window answers, the second fails (no retries left)
    result = ranges.materialize_range(asteroids_partition, "2025-04-01", "2025-04-10",
                                      {"backoff_factor": 0, "max_retries": 0}, raise_on_error=False)
    assert not result.success
    assert "HTTP 500" in result.failure_data_for_node("asteroids_partition").error.to_string()
    assert feed_ranges(apis) == [("2025-04-01", "2025-04-07"), ("2025-04-08", "2025-04-10")]
    assert day_counts(env["warehouse"]) == before


def test_a_failed_reload_keeps_the_partitions_previous_rows(env, apis):
    from fake_apis import SERVER_ERROR

    assert materialize_range("2025-04-01", "2025-04-02").success
    before = day_counts(env["warehouse"])
    apis.fail_always(FEED_PATH, SERVER_ERROR)
    result = dg.materialize(
        [asteroids_partition],
        resources=resources().resources,
        partition_key="2025-04-02",
        run_config={"resources": {"nasa": {"config": {"backoff_factor": 0, "max_retries": 1}}}},
        raise_on_error=False,
    )
    assert not result.success
    assert day_counts(env["warehouse"]) == before
