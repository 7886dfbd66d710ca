"""The DuckDB engine writes what Sling writes: same tables, same values, same metadata."""

from contextlib import ExitStack

import dagster as dg
import pytest
from conftest import ENGINES, load_location
from runs import run_job
from tables import PRIMARY_KEYS, checksum, lake_query

METADATA_COMPARED = ["dagster/row_count", "dagster/column_schema", "dagster/column_lineage",
                     "dagster/table_name", "dagster/storage_kind", "stream_name"]


def _describe(lake, table):
    return lake_query(lake, f"SELECT column_name, column_type, \"null\" FROM (DESCRIBE {table})")


def _values(lake, table, order_by):
    return lake_query(lake, f"SELECT * EXCLUDE (_sling_loaded_at) FROM {table} ORDER BY {order_by}")


def _last_written(lake):
    """order_ids the latest run wrote (the rows carrying the latest loaded-at time)."""
    return {order_id for (order_id,) in lake_query(lake, "SELECT order_id FROM data_orders"
            " WHERE _sling_loaded_at = (SELECT max(_sling_loaded_at) FROM data_orders)")}


@pytest.fixture
def instances():
    """One Dagster instance per engine, so that each keeps its own materializations."""
    with ExitStack() as stack:
        yield {engine: stack.enter_context(dg.instance_for_test()) for engine in ENGINES}


def test_both_engines_leave_equal_query_results_for_the_same_source(source, new_lake, tmp_path, monkeypatch,
                                                                    instances):
    lakes = {engine: new_lake(engine) for engine in ENGINES}  # a lake per engine

    def refresh_all():
        for engine, lake in lakes.items():
            monkeypatch.setenv("LAKE_CATALOG", lake.catalog)
            monkeypatch.setenv("LAKE_DATA_PATH", lake.data_path)
            defs = load_location(engine, tmp_path, monkeypatch)
            assert run_job(defs, "postgres_refresh", instances[engine]).success

    refresh_all()
    with source.connect() as conn:  # what the second, incremental, run has to bring over
        conn.execute("ALTER TABLE data.orders ADD COLUMN sales_channel text")
        conn.execute("ALTER TABLE data.orders ALTER COLUMN order_date DROP NOT NULL")
        conn.execute("INSERT INTO data.orders"
                     " (customer_id, product_id, quantity, total_amount, order_date, sales_channel)"
                     " SELECT i, i, 1, 3.50, now() + interval '1 day' + i * interval '1 second', 'shop'"
                     " FROM generate_series(1, 5) AS i")
        conn.execute("INSERT INTO data.orders (customer_id, product_id, total_amount, order_date)"
                     " VALUES (2, 2, 1.25, NULL)")
        conn.execute("UPDATE data.orders SET order_date = now() + interval '2 days', quantity = 9"
                     " WHERE order_id IN (3, 99)")
        conn.execute("UPDATE data.products SET price = price * 2 WHERE product_id <= 10")
    refresh_all()

    sling, duckdb = lakes["sling"], lakes["duckdb"]
    for table, key in {**{f"data_{t}": k for t, k in PRIMARY_KEYS.items()},
                       "daily_revenue_by_product": "order_day, product_id"}.items():
        assert _describe(duckdb, table) == _describe(sling, table), table
        if table.startswith("data_"):
            assert _values(duckdb, table, key) == _values(sling, table, key), table
            assert checksum(_values(duckdb, table, key)) == checksum(_values(sling, table, key))
        else:
            assert (lake_query(duckdb, f"FROM {table} ORDER BY {key}")
                    == lake_query(sling, f"FROM {table} ORDER BY {key}"))
    assert _last_written(duckdb) == _last_written(sling)
    assert len(_last_written(sling)) == 8  # 5 new, 1 without a date, 2 moved later

    for table in PRIMARY_KEYS:
        key = dg.AssetKey(["target", "data", table])
        metadata = {}
        for engine, instance in instances.items():
            materialization = instance.get_latest_materialization_event(key).asset_materialization
            metadata[engine] = {name: materialization.metadata[name] for name in METADATA_COMPARED}
            schema = metadata[engine]["dagster/column_schema"].schema
            metadata[engine]["dagster/column_schema"] = [(c.name, c.type) for c in schema.columns]
            assert materialization.metadata["replication_engine"].value == engine
        assert metadata["duckdb"] == metadata["sling"], table


KINDS = """
    CREATE TABLE data.kinds (
        id bigint PRIMARY KEY, small smallint, flag boolean, single real, double double precision,
        amount numeric, price numeric(20, 5), day date, at timestamp, at_zone timestamptz,
        doc json, docb jsonb, ref uuid, raw bytea, label varchar(40), "MixedCase" integer);
    INSERT INTO data.kinds VALUES
        (1, 2, true, 0.1, 2.25, 12345.6789, 1.5, '2024-01-02', '2024-01-02 03:04:05.123456',
         '2024-01-02 03:04:05+02', '{"a": 1}', '{"b": [1, 2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
         '\\x0102', 'héllo, "quoted"', 7),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
"""


def test_both_engines_write_the_same_column_types(source, new_lake, tmp_path, monkeypatch, instances):
    """Types beyond the course's tables: Sling's conversions (real, bare numeric, json) included."""
    with source.connect() as conn:
        conn.execute(KINDS)
    key, files = dg.AssetKey(["target", "data", "kinds"]), {}
    for engine in ENGINES:
        files[engine] = new_lake(engine)  # a lake per engine, the environment pointed at it
        defs = load_location(engine, tmp_path, monkeypatch, extra_streams={"data.kinds": None})
        job = defs.resolve_implicit_global_asset_job_def()
        assert job.execute_in_process(instance=instances[engine], asset_selection=[key]).success

    assert _describe(files["duckdb"], "data_kinds") == _describe(files["sling"], "data_kinds")
    assert _values(files["duckdb"], "data_kinds", "id") == _values(files["sling"], "data_kinds", "id")
    schemas = {engine: instances[engine].get_latest_materialization_event(key).asset_materialization
               .metadata["dagster/column_schema"].schema for engine in ENGINES}
    assert schemas["duckdb"] == schemas["sling"]
