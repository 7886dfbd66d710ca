"""postgres_refresh copies the source into the lake, value for value."""

import dagster as dg
from conftest import both_engines
from runs import column_names, latest_metadata, run_job
from tables import PRIMARY_KEYS, assert_same_as_source, lake_query, loaded_at_by_order


@both_engines
def test_postgres_refresh_copies_every_row_with_equal_values(source, lake, location_defs, instance):
    assert run_job(location_defs, "postgres_refresh", instance).success

    with source.connect() as conn:
        for table in PRIMARY_KEYS:
            assert assert_same_as_source(conn, lake, table) > 0
        source_revenue = conn.execute("SELECT sum(total_amount) FROM data.orders").fetchone()[0]

    # The contract's tables, in the location's schema of the lake, and the analytics built from them.
    tables = {name for (name,) in lake_query(lake, "SELECT table_name FROM duckdb_tables()"
                                             " WHERE database_name = 'lake' AND schema_name = 'replication'")}
    assert {"data_customers", "data_products", "data_orders", "daily_revenue_by_product"} <= tables
    [(revenue,)] = lake_query(lake, "SELECT sum(revenue) FROM daily_revenue_by_product")
    assert revenue == source_revenue

    # Each materialization shows the replicated table's columns and row count in the UI.
    orders = latest_metadata(instance, dg.AssetKey(["target", "data", "orders"]))
    assert column_names(orders)[:6] == [
        "order_id", "customer_id", "product_id", "quantity", "total_amount", "order_date"]
    assert orders["dagster/row_count"].value == 100_000
    customers = latest_metadata(instance, dg.AssetKey(["target", "data", "customers"]))
    assert {"customer_id", "first_name", "last_name", "email"} <= set(column_names(customers))


@both_engines
def test_a_second_run_without_source_changes_changes_nothing(source, lake, location_defs, instance):
    assert run_job(location_defs, "postgres_refresh", instance).success
    orders_loaded_at = loaded_at_by_order(lake)

    assert run_job(location_defs, "postgres_refresh", instance).success

    with source.connect() as conn:
        for table in PRIMARY_KEYS:
            assert_same_as_source(conn, lake, table)
    # Not one order was rewritten by the second (incremental) run.
    assert loaded_at_by_order(lake) == orders_loaded_at
