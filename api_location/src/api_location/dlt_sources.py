"""The dlt source and pipeline of the NeoWs loads: merged by day and (id, approach_date).

Imports dlt: only the dlt assets' bodies import this module (see dlt_specs).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dagster as dg
import dlt
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData

from api_location.asteroid_rows import PRIMARY_KEY, asteroid_rows
from api_location.dlt_specs import RESOURCE_NAME, SOURCE_NAME
from dagster_etl_lake.dlt_destination import ducklake_destination


@dlt.source(name=SOURCE_NAME)
def nasa_neo_source(feed: Mapping[str, list[dict[str, Any]]] | None = None):
    """The rows of a fetched feed; fetching stays with NASAResource (timeouts, retries)."""

    @dlt.resource(
        name=RESOURCE_NAME,
        primary_key=PRIMARY_KEY,
        # delete-insert by day: a reloaded day replaces that day's rows, never duplicates them.
        merge_key="approach_date",
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
        columns={"approach_date": {"data_type": "date"}},
    )
    def near_earth_objects():
        yield from asteroid_rows(feed or {})

    return near_earth_objects


def nasa_pipeline(dataset: str, pipelines_dir: str) -> dlt.Pipeline:
    # The pipeline's working state lives in pipelines_dir, a folder of the run, so concurrent
    # runs never share it (dlt restores the schema and state from the lake).
    return dlt.pipeline(
        pipeline_name=f"{dataset}_pipeline",
        destination=ducklake_destination(),
        dataset_name=dataset,
        pipelines_dir=pipelines_dir,
    )


@dataclass
class NasaDltTranslator(DagsterDltTranslator):
    """Asset key <dataset>/<table>, so the two dlt loads stay two assets."""

    dataset: str = "nasa_neo"
    automation_condition: dg.AutomationCondition | None = None

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = super().get_asset_spec(data)
        return spec.replace_attributes(
            key=dg.AssetKey([self.dataset, data.resource.name]),
            automation_condition=self.automation_condition,
        )
