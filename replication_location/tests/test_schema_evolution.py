"""A column added at the source reaches DuckDB without anyone writing DDL."""

from conftest import both_engines
from runs import ORDERS, column_names, latest_metadata, run_job
from tables import assert_same_as_source, lake_query


@both_engines
def test_a_column_added_to_orders_is_replicated(source, lake, location_defs, instance):
    assert run_job(location_defs, "orders_refresh", instance).success

    with source.connect() as conn:
        conn.execute("ALTER TABLE data.orders ADD COLUMN sales_channel text")
        [(order_id,)] = conn.execute(
            "INSERT INTO data.orders"
            " (customer_id, product_id, quantity, total_amount, order_date, sales_channel)"
            " VALUES (1, 1, 1, 12.50, now() + interval '1 day', 'mobile app') RETURNING order_id").fetchall()

    assert run_job(location_defs, "orders_refresh", instance).success

    assert lake_query(lake, "SELECT sales_channel FROM data_orders WHERE order_id = ?",
                        [order_id]) == [("mobile app",)]
    assert "sales_channel" in column_names(latest_metadata(instance, ORDERS))
    # Rows copied before the column existed keep NULL there until they change (as in the
    # source, where the new column is NULL for them too).
    with source.connect() as conn:
        assert_same_as_source(conn, lake, "orders")
