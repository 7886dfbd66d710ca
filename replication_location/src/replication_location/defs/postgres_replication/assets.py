"""The replicated Postgres tables as assets, one per stream of replication.yaml."""

from pathlib import Path

import dagster as dg
from dagster_sling import SlingResource, sling_assets

from replication_location.defs.connections import DUCKDB_POOL

REPLICATION_CONFIG = Path(__file__).parent / "replication.yaml"


@sling_assets(replication_config=REPLICATION_CONFIG, name="postgres_tables", pool=DUCKDB_POOL)
def postgres_tables(context: dg.AssetExecutionContext, sling: SlingResource):
    # Column types and row counts come from the DuckDB table Sling just wrote, so the UI
    # shows the replicated schema (including columns added at the source).
    yield from sling.replicate(context=context).fetch_column_metadata().fetch_row_count()
