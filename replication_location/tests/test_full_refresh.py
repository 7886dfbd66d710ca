"""postgres_refresh copies the source into replication.duckdb, value for value."""

import pytest

from tables import PRIMARY_KEYS, checksum, duckdb_query, duckdb_rows, source_columns, source_rows


def test_postgres_refresh_copies_every_row_with_equal_values(source, duckdb_file, location_defs, instance):
    result = location_defs.resolve_job_def("postgres_refresh").execute_in_process(instance=instance)
    assert result.success

    with source.connect() as conn:
        for table in PRIMARY_KEYS:
            columns = source_columns(conn, table)
            expected = source_rows(conn, table, columns)
            copied = duckdb_rows(duckdb_file, table, columns)
            assert len(copied) == len(expected) > 0, table
            assert checksum(copied) == checksum(expected), table


def test_tables_land_in_duckdb_main_schema_as_in_the_contract(source, duckdb_file, location_defs, instance):
    location_defs.resolve_job_def("postgres_refresh").execute_in_process(instance=instance)
    tables = {name for (name,) in duckdb_query(
        duckdb_file, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")}
    assert {"data_customers", "data_products", "data_orders", "daily_revenue_by_product"} <= tables
