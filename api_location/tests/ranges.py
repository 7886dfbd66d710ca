"""A run over a range of daily partitions, tagged the way a backfill tags it (BackfillPolicy)."""

import dagster as dg

from api_location.defs.resources import resources


def materialize_range(asset, start: str, end: str, nasa_config: dict | None = None, **kwargs):
    return dg.materialize(
        [asset],
        resources=resources().resources,
        tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
        run_config={"resources": {"nasa": {"config": nasa_config}}} if nasa_config else None,
        **kwargs,
    )
