"""asteroid_job as the deployment launches it: run config in, rows in raw_asteroid_data out."""

import datetime as dt

import dagster as dg
import pytest
from conftest import query
from fake_apis import FEED_PATH, feed_ranges, neo_object, objects_on

from api_location.asteroid_rows import COLUMNS


def run_config(date: str, resources: dict | None = None) -> dict:
    return {"ops": {"asteroids": {"config": {"date": date}}}, "resources": resources or {}}


def failure_text(result: dg.ExecuteInProcessResult, node: str) -> str:
    return result.failure_data_for_node(node).error.to_string()


def run_job(defs, config: dict) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def("asteroid_job").execute_in_process(
        run_config=config, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def test_a_day_lands_in_raw_asteroid_data(defs, env, apis, fast_resources):
    result = run_job(defs, run_config("2025-04-01", fast_resources))
    assert result.success
    rows = query(
        env["warehouse"],
        f"SELECT {', '.join(COLUMNS)} FROM raw_asteroid_data ORDER BY id",
    )
    expected = [neo_object("2025-04-01", n, "") for n in range(objects_on("2025-04-01"))]
    assert rows == sorted(
        (
            o["id"],
            o["name"],
            o["absolute_magnitude_h"],
            o["is_potentially_hazardous_asteroid"],
            dt.date(2025, 4, 1),
        )
        for o in expected
    )
    # the table has the declared columns and types
    described = query(env["warehouse"], "DESCRIBE raw_asteroid_data")
    assert {name: sql_type for name, sql_type, *_ in described} == COLUMNS
    # the run's staging CSV was written under its own run id and removed after the load
    [staged] = result.asset_materializations_for_node("asteroids_file")
    staging_csv = env["warehouse"] / "staging" / result.run_id / "asteroids.csv"
    assert staged.metadata["staging_csv"].value == str(staging_csv)
    assert staged.metadata["rows"].value == objects_on("2025-04-01")
    assert not staging_csv.parent.exists()


def test_rerunning_a_day_replaces_its_rows(defs, env, apis, fast_resources):
    assert run_job(defs, run_config("2025-04-01", fast_resources)).success
    assert run_job(defs, run_config("2025-04-02", fast_resources)).success
    assert run_job(defs, run_config("2025-04-01", fast_resources)).success
    counts = dict(
        query(
            env["warehouse"],
            "SELECT approach_date::VARCHAR, count(*) FROM raw_asteroid_data GROUP BY 1",
        )
    )
    assert counts == {
        "2025-04-01": objects_on("2025-04-01"),
        "2025-04-02": objects_on("2025-04-02"),
    }
    [[distinct, total]] = query(
        env["warehouse"],
        "SELECT count(DISTINCT (id, approach_date)), count(*) FROM raw_asteroid_data",
    )
    assert distinct == total


def test_a_day_with_zero_objects_loads_no_rows_and_clears_old_ones(defs, env, apis, fast_resources):
    assert run_job(defs, run_config("2025-04-03", fast_resources)).success
    apis.empty_days.add("2025-04-03")
    result = run_job(defs, run_config("2025-04-03", fast_resources))
    assert result.success
    assert query(env["warehouse"], "SELECT count(*) FROM raw_asteroid_data") == [(0,)]


def test_an_unset_api_key_variable_fails_the_run_naming_it(defs, env, apis):
    # In a deployment the run worker resolves the reference and the run fails with this error.
    with pytest.raises(dg.DagsterInvalidConfigError, match='variable "UNSET_VAR" which is not set'):
        run_job(
            defs, run_config("2025-04-01", {"nasa": {"config": {"api_key": {"env": "UNSET_VAR"}}}})
        )
    assert apis.requests_to(FEED_PATH) == []


def test_without_nasa_api_key_the_run_uses_demo_key_and_warns(defs, env, apis, monkeypatch):
    monkeypatch.delenv("NASA_API_KEY")
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("asteroid_job").execute_in_process(
        run_config=run_config("2025-04-01"), instance=instance
    )
    assert result.success
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert any("NASA_API_KEY is not set: using DEMO_KEY" in m for m in messages)


def test_a_bad_key_fails_the_run_with_the_apis_message(defs, env, apis):
    result = run_job(defs, run_config("2025-04-01", {"nasa": {"config": {"api_key": "wrong-key"}}}))
    assert not result.success
    assert "HTTP 403: An invalid api_key was supplied" in failure_text(result, "asteroids")


def test_a_date_that_is_not_yyyy_mm_dd_is_refused(defs, env, apis):
    result = run_job(defs, run_config("04/01/2025"))
    assert not result.success
    assert "date must be a day written YYYY-MM-DD, got '04/01/2025'" in failure_text(
        result, "asteroids"
    )
    assert apis.requests_to(FEED_PATH) == []


def test_a_future_date_is_refused(defs, env, apis):
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()
    result = run_job(defs, run_config(tomorrow))
    assert not result.success
    assert f"date {tomorrow} is in the future" in failure_text(result, "asteroids")


def test_a_configured_range_is_fetched_in_feed_sized_requests(defs, env, apis, fast_resources):
    config = run_config("2025-04-01", fast_resources)
    config["ops"]["asteroids"]["config"]["end_date"] = "2025-04-09"
    assert run_job(defs, config).success
    counts = dict(
        query(
            env["warehouse"],
            "SELECT approach_date::VARCHAR, count(*) FROM raw_asteroid_data GROUP BY 1",
        )
    )
    days = [f"2025-04-0{d}" for d in range(1, 10)]
    assert counts == {d: objects_on(d) for d in days}
    assert feed_ranges(apis) == [("2025-04-01", "2025-04-07"), ("2025-04-08", "2025-04-09")]


def test_an_end_date_before_the_date_is_refused(defs, env, apis):
    config = run_config("2025-04-05")
    config["ops"]["asteroids"]["config"]["end_date"] = "2025-04-01"
    result = run_job(defs, config)
    assert not result.success
    assert "end_date 2025-04-01 is before date 2025-04-05" in failure_text(result, "asteroids")
    assert apis.requests_to(FEED_PATH) == []
