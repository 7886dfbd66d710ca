"""The asset specs of the dlt loads, declared by hand.

dagster-dlt derives specs from a dlt source, which imports dlt: about 1.3 s at every code-server
start and run start. tests/test_dlt.py keeps these equal to what `dagster_dlt.build_dlt_asset_specs`
derives from the sources in dlt_sources.py.
"""

import dagster as dg


def dlt_key(source: str, resource: str) -> dg.AssetKey:
    """dagster-dlt's default key: dlt_<source>_<resource>."""
    return dg.AssetKey(f"dlt_{source}_{resource}")


def dlt_spec(source: str, resource: str, deps=()) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=dlt_key(source, resource),
        deps=list(deps),
        # the resource's table, in the pipeline's dataset (a schema of the lake)
        metadata={"dagster/table_name": resource, "dagster/storage_kind": "ducklake"},
        kinds={"dlt", "ducklake"},
        group_name="dlt",
    )


# The key the contract check of dlt_csv_assets is on.
CSV_KEY = dlt_key("csv_source", "load_csv")
