"""A source that cannot be reached fails the run clearly and leaves DuckDB as it was."""

from conftest import both_engines
from runs import run_job
from tables import checksum, lake_query

from dagster_etl_lake.testing import free_port


def _orders_snapshot(lake):
    return checksum(lake_query(lake, "SELECT * FROM data_orders ORDER BY order_id"))


@both_engines
def test_unreachable_source_fails_the_run_and_keeps_what_duckdb_held(
    source, lake, location_defs, instance, monkeypatch
):
    assert run_job(location_defs, "orders_refresh", instance).success
    before = _orders_snapshot(lake)

    # A port nothing listens on (just taken from the OS and released).
    monkeypatch.setenv("SOURCE_POSTGRES_PORT", str(free_port()))
    with source.connect() as conn:  # a change the failed run must not half-apply
        conn.execute("UPDATE data.orders SET order_date = now() + interval '1 day' WHERE order_id = 1")
    result = run_job(location_defs, "orders_refresh", instance, raise_on_error=False)

    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    message = str(failure.to_string())
    assert "could not connect" in message.lower() or "connection refused" in message.lower()
    assert source.password not in message
    assert _orders_snapshot(lake) == before
