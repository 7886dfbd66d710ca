"""The Sling component version replicates the same tables into its own DuckDB schema."""

import dagster as dg
from runs import column_names, latest_metadata
from tables import PRIMARY_KEYS, assert_same_as_source


def test_component_replication_copies_every_table(source, lake, location_defs, instance):
    keys = [dg.AssetKey(["sling_component", "data", table]) for table in PRIMARY_KEYS]
    job = location_defs.resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(instance=instance, asset_selection=keys).success

    with source.connect() as conn:
        for table in PRIMARY_KEYS:
            assert assert_same_as_source(conn, lake, table, schema="sling_component") > 0
    orders = latest_metadata(instance, dg.AssetKey(["sling_component", "data", "orders"]))
    assert "order_date" in column_names(orders)
