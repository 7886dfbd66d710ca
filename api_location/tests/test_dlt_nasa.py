"""dlt_nasa / dlt_nasa_partition load api.duckdb with dlt; reruns merge instead of duplicating."""

import dagster as dg
from conftest import query
from fake_apis import objects_on

from api_location.defs.dlt_nasa import dlt_nasa, dlt_nasa_partition
from api_location.defs.resources import resources


def day_counts(warehouse, dataset: str) -> dict[str, int]:
    return dict(
        query(
            warehouse,
            f"SELECT approach_date::VARCHAR, count(*) FROM {dataset}.near_earth_objects GROUP BY 1",
        )
    )


def test_dlt_nasa_loads_the_configured_day_and_reruns_do_not_duplicate(env, apis):
    config = {"ops": {"dlt_nasa": {"config": {"date": "2025-04-03"}}}}
    for _ in range(2):
        result = dg.materialize([dlt_nasa], resources=resources().resources, run_config=config)
        assert result.success
    assert day_counts(env["warehouse"], "nasa_neo") == {"2025-04-03": objects_on("2025-04-03")}
    [[distinct, total]] = query(
        env["warehouse"],
        "SELECT count(DISTINCT (id, approach_date)), count(*) FROM nasa_neo.near_earth_objects",
    )
    assert distinct == total
    # the pipeline's working folder was per run and is gone; its state lives in api.duckdb
    assert query(env["warehouse"], "SELECT count(*) FROM nasa_neo._dlt_pipeline_state")[0][0] >= 1


def test_dlt_nasa_partition_reloads_a_day_without_duplicates(env, apis):
    for key in ("2025-04-01", "2025-04-02", "2025-04-01"):
        result = dg.materialize(
            [dlt_nasa_partition], resources=resources().resources, partition_key=key
        )
        assert result.success
    assert day_counts(env["warehouse"], "nasa_neo_daily") == {
        "2025-04-01": objects_on("2025-04-01"),
        "2025-04-02": objects_on("2025-04-02"),
    }


def test_dlt_assets_are_two_distinct_assets_on_a_daily_cron():
    [config_key] = dlt_nasa.keys
    [daily_key] = dlt_nasa_partition.keys
    assert config_key == dg.AssetKey(["nasa_neo", "near_earth_objects"])
    assert daily_key == dg.AssetKey(["nasa_neo_daily", "near_earth_objects"])
    condition = dlt_nasa_partition.get_asset_spec(daily_key).automation_condition
    assert condition.get_label() == "on_cron(@daily, UTC)"


def test_dlt_nasa_partition_loads_a_backfill_range_with_one_request(env, apis):
    from fake_apis import FEED_PATH

    result = dg.materialize(
        [dlt_nasa_partition],
        resources=resources().resources,
        tags={
            "dagster/asset_partition_range_start": "2025-04-01",
            "dagster/asset_partition_range_end": "2025-04-03",
        },
    )
    assert result.success
    days = ["2025-04-01", "2025-04-02", "2025-04-03"]
    assert day_counts(env["warehouse"], "nasa_neo_daily") == {d: objects_on(d) for d in days}
    assert len(apis.requests_to(FEED_PATH)) == 1
    assert dlt_nasa_partition.backfill_policy.max_partitions_per_run == 7
