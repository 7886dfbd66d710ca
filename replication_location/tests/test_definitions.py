"""The location loads with both replications, each table under exactly one asset key."""

from pathlib import Path

import dagster as dg
import pytest
import yaml
from runs import error_chain

import replication_location

DEFS = Path(replication_location.__file__).parent / "defs"


def _repository(location_defs):
    return location_defs.get_repository_def()


def test_python_and_component_replications_load_without_key_collisions(location_defs):
    repo = _repository(location_defs)
    keys = {key.to_user_string() for key in repo.asset_graph.get_all_asset_keys()
            if repo.asset_graph.get(key).is_materializable}
    assert keys == {
        "target/data/customers", "target/data/products", "target/data/orders",
        "sling_component/data/customers", "sling_component/data/products", "sling_component/data/orders",
        "daily_revenue_by_product",
    }
    # Definitions refuse duplicate keys at load; both replications are separate op nodes.
    ops = {assets_def.op.name for assets_def in repo.assets_defs_by_key.values() if assets_def.is_executable}
    assert {"postgres_tables", "sling_component_tables", "daily_revenue_by_product"} <= ops


def test_the_lakes_writers_take_the_pools_ducklake_needs(location_defs):
    repo = _repository(location_defs)
    pools = {a.op.name: a.op.pool for a in repo.assets_defs_by_key.values() if a.is_executable}
    # Sling's writers share its temporary tables in the lake's main schema; the analytics table is
    # replaced in one transaction, retried when it meets another replacement.
    assert pools == {"postgres_tables": "lake/sling", "sling_component_tables": "lake/sling",
                     "daily_revenue_by_product": None}


def test_the_downstream_asset_depends_on_the_real_sling_keys(location_defs):
    graph = _repository(location_defs).asset_graph
    parents = graph.get(dg.AssetKey("daily_revenue_by_product")).parent_keys
    assert parents == {dg.AssetKey(["target", "data", "orders"]), dg.AssetKey(["target", "data", "products"])}
    assert all(graph.get(parent).is_materializable for parent in parents)


def test_jobs_and_schedules(location_defs):
    repo = _repository(location_defs)
    schedules = {s.name: (s.job_name, s.cron_schedule, s.default_status) for s in repo.schedule_defs}
    # Running from the start: keeping the warehouse fresh is the deployment's job.
    assert schedules == {
        "postgres_refresh_daily": ("postgres_refresh", "0 6 * * *", dg.DefaultScheduleStatus.RUNNING),
        "orders_refresh_noon_and_evening": (
            "orders_refresh", "0 12,18 * * *", dg.DefaultScheduleStatus.RUNNING),
    }
    orders_job = location_defs.resolve_job_def("orders_refresh")
    assert orders_job.asset_layer.selected_asset_keys == {dg.AssetKey(["target", "data", "orders"])}
    all_tables = location_defs.resolve_job_def("postgres_refresh").asset_layer.selected_asset_keys
    assert {dg.AssetKey(["target", "data", t]) for t in ("customers", "products", "orders")} <= all_tables


def _without_engine(stream: dict | None) -> dict | None:
    meta = {k: v for k, v in ((stream or {}).get("meta") or {}).items() if k != "engine"}
    rest = {k: v for k, v in (stream or {}).items() if k != "meta"}
    return {**rest, **({"meta": meta} if meta else {})} or None  # `data.customers:` is None


def test_the_component_replicates_the_same_streams_with_the_same_settings():
    python = yaml.safe_load((DEFS / "postgres_replication" / "replication.yaml").read_text())
    component = yaml.safe_load((DEFS / "sling_component" / "replication.yaml").read_text())
    # The engine switch is the Python replication's own (the component always runs Sling).
    assert component["streams"] == {
        name: _without_engine(stream) for name, stream in python["streams"].items()}
    assert component["env"] == python["env"]
    assert component["defaults"]["mode"] == python["defaults"]["mode"]
    # ... into their own schema of the lake, so the two never write the same table.
    assert component["defaults"]["object"] == python["defaults"]["object"].replace(
        "replication.", "sling_component.")


def test_automation_conditions_are_evaluated_from_the_start(location_defs):
    """daily_revenue_by_product follows the orders runs in a fresh deployment: a sensor running
    by default covers it."""
    sensor = location_defs.resolve_sensor_def("replication_automation_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    graph = location_defs.resolve_asset_graph()
    assert dg.AssetKey("daily_revenue_by_product") in sensor.asset_selection.resolve(graph)


def _crons(defs):
    return {s.name: s.cron_schedule for s in defs.get_repository_def().schedule_defs}


def test_schedule_times_come_from_the_environment(source, monkeypatch):
    from replication_location.definitions import defs

    monkeypatch.setenv("POSTGRES_REFRESH_CRON", "30 5 * * 1-5")
    monkeypatch.setenv("ORDERS_REFRESH_CRON", "0 */2 * * *")
    assert _crons(defs()) == {"postgres_refresh_daily": "30 5 * * 1-5",
                              "orders_refresh_noon_and_evening": "0 */2 * * *"}

    # Empty (as compose passes an unset variable through) means the default.
    monkeypatch.setenv("POSTGRES_REFRESH_CRON", "")
    monkeypatch.setenv("ORDERS_REFRESH_CRON", " ")
    assert _crons(defs()) == {"postgres_refresh_daily": "0 6 * * *",
                              "orders_refresh_noon_and_evening": "0 12,18 * * *"}


def test_a_bad_schedule_time_names_the_variable(source, monkeypatch):
    from replication_location.definitions import defs

    monkeypatch.setenv("ORDERS_REFRESH_CRON", "at noon")
    with pytest.raises(Exception) as raised:
        defs()
    assert "ORDERS_REFRESH_CRON='at noon' is not a cron expression" in error_chain(raised.value)
