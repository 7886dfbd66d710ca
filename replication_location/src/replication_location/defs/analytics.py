"""Analytics built from the replicated tables, in the location's schema of the lake."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_etl_lake import in_transaction
from dagster_etl_lake.policies import LOAD_RETRY
from replication_location.asset_keys import ORDERS, PRODUCTS


@dg.asset(
    deps=[ORDERS, PRODUCTS],
    retry_policy=LOAD_RETRY,
    group_name="analytics",
    kinds={"duckdb"},
    # Follows every refresh of orders (also the noon/18:00 orders-only runs) when the
    # deployment's automation sensor is on.
    automation_condition=dg.AutomationCondition.eager(),
)
def daily_revenue_by_product(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Revenue, units and order count per day and product, from data_orders and data_products."""
    with duckdb.get_connection() as conn:
        # One transaction: readers see the old table or the new one, never a half-built one; a
        # replacement that meets another one (an eager refresh and a job's) is run again.
        in_transaction(conn, lambda c: c.execute(
            """
            CREATE OR REPLACE TABLE daily_revenue_by_product AS
            SELECT CAST(o.order_date AS DATE) AS order_day,
                   p.product_id,
                   p.name AS product_name,
                   count(*) AS orders,
                   sum(o.quantity) AS units,
                   sum(o.total_amount) AS revenue
            FROM data_orders AS o
            JOIN data_products AS p USING (product_id)
            WHERE o.order_date IS NOT NULL
            GROUP BY ALL
            ORDER BY order_day, product_id
            """
        ))
        rows, days = conn.execute(
            "SELECT count(*), count(DISTINCT order_day) FROM daily_revenue_by_product"
        ).fetchone()
    return dg.MaterializeResult(metadata={"dagster/row_count": rows, "days": days})
