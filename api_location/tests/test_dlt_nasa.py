"""dlt_nasa / dlt_nasa_partition load api.duckdb with dlt; reruns merge instead of duplicating."""

import dagster as dg
import ranges
from conftest import query
from fake_apis import feed_ranges, objects_on

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


def materialize_range(start: str, end: str) -> dg.ExecuteInProcessResult:
    return ranges.materialize_range(dlt_nasa_partition, start, end)


def test_dlt_nasa_partition_loads_a_nine_day_range_in_feed_sized_requests(env, apis):
    """The stand-in answers 400 to a request over 7 days, as NeoWs does."""
    days = [f"2025-04-0{d}" for d in range(1, 10)]
    for _ in range(2):  # the same range again replaces its days
        assert materialize_range("2025-04-01", "2025-04-09").success
    assert day_counts(env["warehouse"], "nasa_neo_daily") == {d: objects_on(d) for d in days}
    [[distinct, total]] = query(
        env["warehouse"],
        "SELECT count(DISTINCT (id, approach_date)), count(*) "
        "FROM nasa_neo_daily.near_earth_objects",
    )
    assert distinct == total
    assert feed_ranges(apis) == [("2025-04-01", "2025-04-07"), ("2025-04-08", "2025-04-09")] * 2


def test_dlt_nasa_loads_a_configured_range_in_feed_sized_requests(env, apis):
    config = {"ops": {"dlt_nasa": {"config": {"date": "2025-04-01", "end_date": "2025-04-09"}}}}
    result = dg.materialize([dlt_nasa], resources=resources().resources, run_config=config)
    assert result.success
    days = [f"2025-04-0{d}" for d in range(1, 10)]
    assert day_counts(env["warehouse"], "nasa_neo") == {d: objects_on(d) for d in days}
    assert feed_ranges(apis) == [("2025-04-01", "2025-04-07"), ("2025-04-08", "2025-04-09")]


def test_the_hand_declared_specs_are_what_dagster_dlt_derives(tmp_path):
    from dagster_dlt import build_dlt_asset_specs
    from dagster_dlt.constants import META_KEY_PIPELINE, META_KEY_SOURCE, META_KEY_TRANSLATOR

    from api_location.dlt_sources import NasaDltTranslator, nasa_neo_source, nasa_pipeline

    for assets_def in (dlt_nasa, dlt_nasa_partition):
        [key] = assets_def.keys
        dataset = key.path[0]
        declared = assets_def.get_asset_spec(key)
        [derived] = build_dlt_asset_specs(
            dlt_source=nasa_neo_source(),
            dlt_pipeline=nasa_pipeline(dataset, str(tmp_path)),
            dagster_dlt_translator=NasaDltTranslator(
                dataset=dataset, automation_condition=declared.automation_condition
            ),
        )
        # dagster-dlt also stores its source, pipeline and translator objects as metadata, for
        # DagsterDltResource.run to find them; the assets pass them to it explicitly instead.
        runtime_objects = {META_KEY_SOURCE, META_KEY_PIPELINE, META_KEY_TRANSLATOR}
        derived = derived.replace_attributes(
            metadata={k: v for k, v in derived.metadata.items() if k not in runtime_objects},
            group_name="nasa_dlt",  # dlt_assets(group_name=...) sets it on the specs
            partitions_def=assets_def.partitions_def,
        )
        assert declared == derived, key


def test_a_failed_request_in_a_range_leaves_the_dlt_table_as_it_was(env, apis):
    assert materialize_range("2025-04-01", "2025-04-02").success
    before = day_counts(env["warehouse"], "nasa_neo_daily")
    apis.reset()
    apis.feed_fails_every = 2  # the first window answers, the second fails (no retries left)
    result = ranges.materialize_range(dlt_nasa_partition, "2025-04-01", "2025-04-10",
                                      {"backoff_factor": 0, "max_retries": 0}, raise_on_error=False)
    assert not result.success
    assert "HTTP 500" in result.failure_data_for_node("dlt_nasa_partition").error.to_string()
    assert day_counts(env["warehouse"], "nasa_neo_daily") == before
