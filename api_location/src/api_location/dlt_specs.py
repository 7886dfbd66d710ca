"""The asset spec of a dlt NeoWs load, declared by hand.

dagster-dlt derives specs from a dlt source, which imports dlt: about 1.3 s at every code-server
start and run start, for two assets. tests/test_dlt_nasa.py keeps this spec equal to what
`dagster_dlt.build_dlt_asset_specs` derives from `dlt_sources.nasa_neo_source`.
"""

import dagster as dg

SOURCE_NAME = "nasa_neo"  # the dlt source
RESOURCE_NAME = "near_earth_objects"  # its one resource, the table in each dataset


def near_earth_objects_spec(
    dataset: str, automation_condition: dg.AutomationCondition | None = None
) -> dg.AssetSpec:
    """<dataset>/near_earth_objects, as NasaDltTranslator names it."""
    return dg.AssetSpec(
        key=[dataset, RESOURCE_NAME],
        # dagster-dlt's default upstream: an external asset standing for the source's resource
        deps=[f"{SOURCE_NAME}_{RESOURCE_NAME}"],
        metadata={"dagster/table_name": RESOURCE_NAME, "dagster/storage_kind": "ducklake"},
        kinds={"dlt", "ducklake"},
        automation_condition=automation_condition,
    )
