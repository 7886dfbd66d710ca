"""orders_refresh is incremental: it merges what changed since the last run, by order_id."""

from decimal import Decimal

import psycopg
import pytest
from conftest import both_engines
from runs import run_job
from tables import assert_same_as_source, lake_query, loaded_at_by_order

NEW_ORDERS = """
    INSERT INTO data.orders (customer_id, product_id, quantity, total_amount, order_date)
    SELECT 1 + i, 1 + i, 2, 20.00, now() + interval '1 day' + i * interval '1 minute'
    FROM generate_series(1, 3) AS i
    RETURNING order_id
"""


@both_engines
def test_new_and_updated_orders_are_merged_without_reloading_the_table(
    source, lake, location_defs, instance
):
    assert run_job(location_defs, "orders_refresh", instance).success
    first_load = loaded_at_by_order(lake)

    with source.connect() as conn:
        new_ids = {order_id for (order_id,) in conn.execute(NEW_ORDERS).fetchall()}
        # Two existing orders change: a later order_date (the update key) and a new amount.
        updated_ids = {7, 4242}
        conn.execute(
            "UPDATE data.orders SET order_date = now() + interval '2 days', total_amount = total_amount + 1"
            " WHERE order_id = ANY(%s)", (list(updated_ids),))

    assert run_job(location_defs, "orders_refresh", instance).success

    with source.connect() as conn:
        assert assert_same_as_source(conn, lake, "orders") == 100_003
    [(rows, distinct_ids)] = lake_query(lake,
                                          "SELECT count(*), count(DISTINCT order_id) FROM data_orders")
    assert rows == distinct_ids
    # Only the changed orders were written by the second run; every other row is untouched.
    second_load = loaded_at_by_order(lake)
    rewritten = {order_id for order_id, loaded_at in second_load.items()
                 if loaded_at != first_load.get(order_id)}
    assert rewritten == new_ids | updated_ids


def test_the_source_schema_forbids_orders_without_an_update_key(source):
    with source.connect() as conn, pytest.raises(psycopg.errors.NotNullViolation):
        conn.execute("INSERT INTO data.orders (customer_id, product_id, total_amount, order_date)"
                     " VALUES (1, 1, 5.00, NULL)")


@both_engines
def test_orders_with_a_null_update_key_are_copied_once_and_kept_current(
    source, lake, location_defs, instance
):
    # Should the NOT NULL constraint ever be dropped, such orders must not be lost: no
    # checkpoint covers them, so every run selects them again and merges them by order_id.
    with source.connect() as conn:
        conn.execute("ALTER TABLE data.orders ALTER COLUMN order_date DROP NOT NULL")
    assert run_job(location_defs, "orders_refresh", instance).success

    with source.connect() as conn:
        [(undated,)] = conn.execute(
            "INSERT INTO data.orders (customer_id, product_id, quantity, total_amount, order_date)"
            " VALUES (5, 5, 1, 9.99, NULL) RETURNING order_id").fetchall()
    assert run_job(location_defs, "orders_refresh", instance).success

    with source.connect() as conn:
        conn.execute("UPDATE data.orders SET total_amount = 19.99 WHERE order_id = %s", (undated,))
    assert run_job(location_defs, "orders_refresh", instance).success

    with source.connect() as conn:
        assert_same_as_source(conn, lake, "orders")
    assert lake_query(
        lake, "SELECT order_date, total_amount FROM data_orders WHERE order_id = ?", [undated]
    ) == [(None, Decimal("19.99"))]
