# Placeholder until the full file-ingestion content lands (issue 3).
import os
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource


class ImportFileConfig(dg.Config):
    path: str


@dg.asset(pool="files_duckdb")
def duckdb_table(config: ImportFileConfig, duckdb: DuckDBResource) -> dg.MaterializeResult:
    landing = Path(os.environ.get("LANDING_DIR", "/opt/dagster/landing")).resolve()
    path = (landing / config.path).resolve()
    if landing not in path.parents:
        raise dg.Failure(f"{config.path!r} is outside the landing folder {landing}")
    with duckdb.get_connection() as conn:
        conn.execute(f"CREATE OR REPLACE TABLE raw_data AS SELECT * FROM read_csv('{path}')")
        rows = conn.execute("SELECT count(*) FROM raw_data").fetchone()[0]
    return dg.MaterializeResult(metadata={"rows": rows})


import_job = dg.define_asset_job("import_job", selection=[duckdb_table])


@dg.definitions
def defs() -> dg.Definitions:
    warehouse = os.environ.get("WAREHOUSE_DIR", "/opt/dagster/warehouse")
    return dg.Definitions(
        assets=[duckdb_table],
        jobs=[import_job],
        resources={"duckdb": DuckDBResource(database=f"{warehouse}/files.duckdb")},
    )
