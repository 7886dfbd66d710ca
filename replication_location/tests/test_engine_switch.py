"""Switching a stream to the DuckDB engine in replication.yaml: one line, nothing else changes."""

import dagster as dg
import pytest
import yaml
from conftest import load_location
from runs import error_chain, latest_metadata, run_job
from tables import PRIMARY_KEYS, assert_same_as_source, lake_query

TABLES = {dg.AssetKey(["target", "data", table]) for table in PRIMARY_KEYS}
ORDERS = dg.AssetKey(["target", "data", "orders"])


def _op_by_key(defs):
    repo = defs.get_repository_def()
    return {key: assets_def.op.name for key, assets_def in repo.assets_defs_by_key.items()
            if assets_def.is_executable}


def test_orders_on_duckdb_keeps_keys_jobs_schedules_and_pool(source, tmp_path, monkeypatch):
    from replication_location.definitions import defs

    shipped = defs()
    switched = load_location("duckdb", tmp_path, monkeypatch, streams=["data.orders"])

    ops = _op_by_key(switched)
    assert ops.keys() == _op_by_key(shipped).keys()
    assert {key: ops[key] for key in TABLES} == {
        ORDERS: "postgres_tables_duckdb",
        dg.AssetKey(["target", "data", "customers"]): "postgres_tables",
        dg.AssetKey(["target", "data", "products"]): "postgres_tables",
    }
    repo, shipped_repo = switched.get_repository_def(), shipped.get_repository_def()
    assert {a.op.name: a.op.pool for a in repo.assets_defs_by_key.values() if a.is_executable} == {
        "postgres_tables": "lake/sling", "postgres_tables_duckdb": "lake/replication",
        "sling_component_tables": "lake/sling", "daily_revenue_by_product": None}
    for job in ("postgres_refresh", "orders_refresh"):
        assert (switched.resolve_job_def(job).asset_layer.selected_asset_keys
                == shipped.resolve_job_def(job).asset_layer.selected_asset_keys)
    assert ({(s.name, s.cron_schedule) for s in repo.schedule_defs}
            == {(s.name, s.cron_schedule) for s in shipped_repo.schedule_defs})
    graph, shipped_graph = switched.resolve_asset_graph(), shipped.resolve_asset_graph()
    for key in TABLES:
        assert graph.get(key).group_name == shipped_graph.get(key).group_name == "postgres_replication"
        assert graph.get(key).parent_keys == shipped_graph.get(key).parent_keys
    assert graph.get(dg.AssetKey("daily_revenue_by_product")).parent_keys == {
        ORDERS, dg.AssetKey(["target", "data", "products"])}


def test_one_run_with_both_engines_fills_one_warehouse(source, lake, tmp_path, monkeypatch, instance):
    defs = load_location("duckdb", tmp_path, monkeypatch, streams=["data.orders"])
    assert run_job(defs, "postgres_refresh", instance).success

    with source.connect() as conn:
        for table in PRIMARY_KEYS:
            assert_same_as_source(conn, lake, table)
        source_revenue = conn.execute("SELECT sum(total_amount) FROM data.orders").fetchone()[0]
    assert (lake_query(lake, "SELECT sum(revenue) FROM daily_revenue_by_product")
            == [(source_revenue,)])
    engines = {key.path[-1]: latest_metadata(instance, key)["replication_engine"].value for key in TABLES}
    assert engines == {"customers": "sling", "products": "sling", "orders": "duckdb"}


def _load_with(tmp_path, monkeypatch, change):
    """Loads the location with replication.yaml's data.orders stream changed by `change`."""
    from replication_location.definitions import defs
    from replication_location.defs.postgres_replication import assets

    config = yaml.safe_load(assets.REPLICATION_CONFIG.read_text())
    change(config["streams"]["data.orders"])
    path = tmp_path / "replication.yaml"
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setattr(assets, "REPLICATION_CONFIG", path)
    return defs()


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: s.update(meta={"engine": "duckdb_fast"}),
     "stream data.orders: meta.engine 'duckdb_fast' is not one of sling, duckdb"),
    (lambda s: s.update(meta={"engine": "duckdb"}, select=["order_id"]),
     "stream data.orders: the duckdb engine does not implement select"),
    (lambda s: s.update(meta={"engine": "duckdb"},
                        sql="select * from data.orders where {incremental_where_cond}"),
     "stream data.orders: the duckdb engine cannot run a custom sql"),
    (lambda s: (s.update(meta={"engine": "duckdb"}), s.pop("primary_key")),
     "stream data.orders: an incremental stream on the duckdb engine needs primary_key and update_key"),
])
def test_a_setting_the_engine_does_not_implement_fails_the_load_naming_it(
    source, tmp_path, monkeypatch, change, message
):
    with pytest.raises(Exception) as raised:
        _load_with(tmp_path, monkeypatch, change)
    assert "postgres_replication/assets.py" in error_chain(raised.value)
    assert message in error_chain(raised.value)
